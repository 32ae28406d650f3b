import type { Campaign, CampaignSubject, CampaignTransition } from './campaign-model.js';
import { byPrecedence, isActive, isTargeted, transitionsAfter } from './campaigns.js';
import type { SignatureCampaign } from './render-signature.js';

/** Upcoming starts and ends a plan counts the audience of: enough for any review, bounded per employee. */
const MAX_UPCOMING = 20;

/** What a run's campaigns mean for the employees it built, at its moment and at the next boundaries. */
export interface CampaignOutlook {
  /** The moment (epoch ms) the desired signatures are of. */
  at: number;
  /** Campaigns running at `at`, with the employees whose signature shows their banner. */
  active: { campaign: Campaign; audience: number }[];
  /**
   * The next starts and ends after `at`, each with the employees whose banner it switches: for a
   * start those who will show it, for an end those who showed it until then.
   */
  upcoming: { transition: CampaignTransition; campaign: Campaign; audience: number }[];
  /** The last boundary at or before `at`, if any: the desired signatures hold from then… */
  validFrom?: number;
  /** …until the next boundary after `at`, if any. */
  validUntil?: number;
}

/** Picks each employee's campaign at a moment and counts the audiences of the run's outlook. */
export interface CampaignAudience {
  /** The campaign this employee's signature shows at the moment. */
  pick(subject: CampaignSubject): Campaign | undefined;
  /** Counts an employee that was built (a row dropped later, a duplicate, is never counted). */
  count(subject: CampaignSubject): void;
  outlook(): CampaignOutlook;
}

/** The banner of `campaign` as a signature view carries it (one object per campaign, shared). */
export function signatureCampaignOf(campaign: Campaign): SignatureCampaign {
  const { banner } = campaign;
  return {
    id: campaign.id,
    name: campaign.name,
    image: banner.imageUrl,
    width: banner.width,
    ...(banner.height !== undefined ? { height: banner.height } : {}),
    alt: banner.alt,
    link: banner.href,
  };
}

/**
 * The audience counter of one run at moment `at` (epoch ms). Pure: the moment is an input; an end
 * is looked at one millisecond before it (a campaign runs up to, not including, its end).
 */
export function createCampaignAudience(campaigns: readonly Campaign[], at: number): CampaignAudience {
  const ordered = [...campaigns].sort(byPrecedence);
  const byId = new Map(ordered.map((c) => [c.id, c]));
  const upcoming = transitionsAfter(ordered, at)
    .slice(0, MAX_UPCOMING)
    .map((transition) => ({ transition, campaign: byId.get(transition.campaign)!, audience: 0 }));
  const active = ordered.filter((c) => isActive(c, at)).map((campaign) => ({ campaign, audience: 0 }));
  const activeCount = new Map(active.map((a) => [a.campaign.id, a]));

  function winner(subject: CampaignSubject, moment: number): Campaign | undefined {
    return ordered.find((c) => isActive(c, moment) && isTargeted(c, subject));
  }

  return {
    pick: (subject) => winner(subject, at),
    count(subject) {
      const now = winner(subject, at);
      if (now) activeCount.get(now.id)!.audience++;
      for (const entry of upcoming) {
        const { instant, kind, campaign } = entry.transition;
        if (winner(subject, kind === 'start' ? instant : instant - 1)?.id === campaign) entry.audience++;
      }
    },
    outlook() {
      const past = ordered
        .flatMap((c) => [c.start.instant, c.end.instant])
        .filter((instant) => instant <= at);
      return {
        at,
        active,
        upcoming,
        ...(past.length > 0 ? { validFrom: Math.max(...past) } : {}),
        ...(upcoming[0] ? { validUntil: upcoming[0].transition.instant } : {}),
      };
    },
  };
}
