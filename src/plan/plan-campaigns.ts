import type { CampaignOutlook } from '../desired/campaign-audience.js';
import type { PlanCampaigns, PlanHead } from './plan-model.js';

/** The campaign outlook of a run as its plan records it: instants as ISO 8601 in UTC. */
export function planCampaigns(outlook: CampaignOutlook): Omit<PlanCampaigns, 'switchedUsers'> {
  const iso = (instant: number) => new Date(instant).toISOString();
  return {
    at: iso(outlook.at),
    active: outlook.active.map(({ campaign, audience }) => ({
      campaign: campaign.id,
      name: campaign.name,
      audience,
      image: campaign.banner.imageUrl,
      link: campaign.banner.href,
    })),
    upcoming: outlook.upcoming.map(({ transition, campaign, audience }) => {
      const side = transition.kind === 'start' ? campaign.start : campaign.end;
      return {
        campaign: campaign.id,
        name: campaign.name,
        kind: transition.kind,
        at: iso(transition.instant),
        local: `${side.at} ${side.timeZone}`,
        rollout: transition.rollout,
        audience,
        image: campaign.banner.imageUrl,
        link: campaign.banner.href,
      };
    }),
    ...(outlook.validFrom !== undefined ? { validFrom: iso(outlook.validFrom) } : {}),
    ...(outlook.validUntil !== undefined ? { validUntil: iso(outlook.validUntil) } : {}),
  };
}

/** "3 d 4 h", "2 h 5 min", "40 s": how far one moment is from another, for people. */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}

/**
 * One line per running campaign and upcoming boundary, relative to the plan's moment: "campaign
 * winter-sale starts for 812 employees in 3 d 4 h (2026-12-14T09:00 Europe/Oslo)".
 */
export function campaignLines(head: Pick<PlanHead, 'campaigns'>): string[] {
  const c = head.campaigns;
  if (!c) return [];
  const at = Date.parse(c.at);
  const people = (n: number) => `${n} employee${n === 1 ? '' : 's'}`;
  return [
    ...c.active.map(
      (a) =>
        `campaign ${a.campaign} (${a.name}) is running for ${people(a.audience)}: ${a.image} → ${a.link}`,
    ),
    ...c.upcoming.map(
      (t) =>
        `campaign ${t.campaign} ${t.kind === 'start' ? 'starts' : 'ends'} for ${people(t.audience)} in ${formatSpan(Date.parse(t.at) - at)} (${t.local}${t.rollout === 'finishBy' ? ', finished by then' : ''})${t.kind === 'start' ? `: ${t.image} → ${t.link}` : ''}`,
    ),
  ];
}
