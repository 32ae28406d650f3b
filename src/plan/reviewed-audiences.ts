import type { Campaign } from '../desired/campaign-model.js';
import type { CampaignOutlook } from '../desired/campaign-audience.js';
import type { ShownAudience } from '../ports/campaign-audiences.js';

/**
 * How many users each campaign may switch without counting against `maxChanges`, in a run nobody
 * reviews before it applies (the controller's): the audience a reviewed plan showed for the
 * campaign's latest boundary at or before `at` — its start while it runs, its end once it is over.
 * A boundary no reviewed plan showed allows none: that switch counts like any other change.
 */
export function reviewedBounds(
  campaigns: readonly Campaign[],
  at: number,
  shown: readonly ShownAudience[],
): Record<string, number> {
  const byKey = new Map(
    shown.map((s) => [`${s.campaign}\u0000${s.kind}\u0000${Date.parse(s.at)}`, s.audience]),
  );
  const bounds: Record<string, number> = {};
  for (const c of campaigns) {
    if (at < c.start.instant) continue;
    const [kind, instant] = at < c.end.instant ? ['start', c.start.instant] : ['end', c.end.instant];
    bounds[c.id] = byKey.get(`${c.id}\u0000${kind}\u0000${instant}`) ?? 0;
  }
  return bounds;
}

/** Switched users of each campaign as exempt (within its bound) and beyond it. */
export interface SwitchCount {
  exempt: number;
  beyond: { campaign: string; switched: number; reviewed: number }[];
}

/**
 * Splits a plan's campaign switches into the exempt and the counted: without `reviewed` (the plan
 * is itself the reviewed one) every switch is exempt.
 */
export function countSwitches(
  byCampaign: Readonly<Record<string, number>>,
  reviewed: Readonly<Record<string, number>> | undefined,
): SwitchCount {
  let exempt = 0;
  const beyond: SwitchCount['beyond'] = [];
  for (const campaign of Object.keys(byCampaign).sort()) {
    const switched = byCampaign[campaign] ?? 0;
    const bound = reviewed ? (reviewed[campaign] ?? 0) : switched;
    exempt += Math.min(switched, bound);
    if (switched > bound) beyond.push({ campaign, switched, reviewed: bound });
  }
  return { exempt, beyond };
}

/**
 * What a plan a person reviews shows of each campaign boundary: a running campaign's audience
 * under its start, each upcoming start or end with its own.
 */
export function shownAudiences(outlook: CampaignOutlook): ShownAudience[] {
  const iso = (instant: number) => new Date(instant).toISOString();
  return [
    ...outlook.active.map(({ campaign, audience }) => ({
      campaign: campaign.id,
      kind: 'start' as const,
      at: iso(campaign.start.instant),
      audience,
    })),
    ...outlook.upcoming.map(({ transition, audience }) => ({
      campaign: transition.campaign,
      kind: transition.kind,
      at: iso(transition.instant),
      audience,
    })),
  ];
}
