import type { SignatureTemplate } from '../../config/settings.js';
import { signatureCampaignOf } from '../../desired/campaign-audience.js';
import type { Campaign } from '../../desired/campaign-model.js';
import { byPrecedence, isActive } from '../../desired/campaigns.js';
import type { DesiredSignature } from '../../desired/model.js';
import { createSignatureRenderer, type SignatureText } from '../../desired/signature-renderer.js';
import type { PlanCampaigns } from '../../plan/plan-model.js';

/** One campaign as the dashboard lists it. */
export interface CampaignRow {
  id: string;
  name: string;
  state: 'active' | 'upcoming' | 'ended';
  priority: number;
  /** As written: local date-time and time zone. */
  start: string;
  end: string;
  /** Employees who show (active) or will show (upcoming) its banner, as the latest plan counted. */
  audience?: number;
  image: string;
  link: string;
}

/** Campaigns: running first, then to come, then ended; each in order of precedence. */
export function campaignRows(
  campaigns: readonly Campaign[],
  latest: PlanCampaigns | undefined,
  now: number,
): CampaignRow[] {
  const order = { active: 0, upcoming: 1, ended: 2 } as const;
  return [...campaigns]
    .sort(byPrecedence)
    .map((c): CampaignRow => {
      const state = isActive(c, now) ? 'active' : c.start.instant > now ? 'upcoming' : 'ended';
      const audience =
        state === 'active'
          ? latest?.active.find((a) => a.campaign === c.id)?.audience
          : state === 'upcoming'
            ? latest?.upcoming.find((u) => u.campaign === c.id && u.kind === 'start')?.audience
            : undefined;
      return {
        id: c.id,
        name: c.name,
        state,
        priority: c.priority,
        start: `${c.start.at} ${c.start.timeZone}`,
        end: `${c.end.at} ${c.end.timeZone}`,
        ...(audience !== undefined ? { audience } : {}),
        image: c.banner.imageUrl,
        link: c.banner.href,
      };
    })
    .sort((a, b) => order[a.state] - order[b.state]);
}

/**
 * An employee's desired signature with this campaign's banner and without any: what the campaign
 * adds to their mail, whether or not they are in its audience today.
 */
export function campaignPreview(
  signature: DesiredSignature,
  campaign: Campaign,
  templates: ReadonlyMap<string, SignatureTemplate>,
): { with: SignatureText; without: SignatureText } {
  const renderer = createSignatureRenderer(templates);
  const { campaign: _shown, ...view } = signature.view;
  return {
    with: renderer.renderDesired({
      ...signature,
      view: { ...view, campaign: signatureCampaignOf(campaign) },
    }),
    without: renderer.renderDesired({ ...signature, view }),
  };
}
