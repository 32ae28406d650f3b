import type { Campaign } from '../desired/campaign-model.js';
import { transitionsAfter } from '../desired/campaigns.js';
import type { PlanCampaigns } from '../plan/plan-model.js';

/** A campaign start or end the controller runs for, and when it starts that run. */
export interface CampaignSwitch {
  campaign: string;
  kind: 'start' | 'end';
  /** The boundary (epoch ms). */
  instant: number;
  rollout: 'notBefore' | 'finishBy';
  /** Employees it switches, as the latest plan counted them (unknown before a plan listed it). */
  audience?: number;
  /**
   * Predicted duration (ms): the run's reading and planning, then the audience at the signature
   * writes per second Roster achieved; unknown without a measured rate or an audience.
   */
  predictedMs?: number;
  /**
   * When its run starts: at the boundary (`notBefore`: no mailbox switches early), or the
   * prediction earlier (`finishBy`: the last mailbox switches by the boundary).
   */
  runAt: number;
}

/** The switch's identity: a run for it is made once. */
export function switchKey(s: Pick<CampaignSwitch, 'campaign' | 'kind' | 'instant'>): string {
  return `${s.campaign}:${s.kind}:${s.instant}`;
}

/**
 * The campaign switches after `since` (when the controller started: a boundary passed before is
 * caught up by its first run, which plans at its own moment), in a deterministic order (time,
 * starts before ends, id). Each
 * signature is one Exchange write, so a switch of N mailboxes takes its run's planning
 * (`planSeconds`: how long the latest run that wrote nothing took) and then N / rate seconds at
 * the signature writes per second Roster achieved (`writesPerSecond`, `docs/pacing.md`). The
 * latest plan gives the audiences; a `finishBy` switch without a prediction starts at its
 * boundary, like `notBefore`.
 */
export function campaignSwitches(
  campaigns: readonly Campaign[],
  since: number,
  latest: Pick<PlanCampaigns, 'upcoming'> | undefined,
  writesPerSecond: number | undefined,
  planSeconds = 0,
): CampaignSwitch[] {
  return transitionsAfter(campaigns, since).map((t) => {
    const listed = latest?.upcoming.find(
      (u) => u.campaign === t.campaign && u.kind === t.kind && Date.parse(u.at) === t.instant,
    );
    const audience = listed?.audience;
    const predictedMs =
      audience !== undefined && writesPerSecond && writesPerSecond > 0
        ? Math.ceil((planSeconds + audience / writesPerSecond) * 1000)
        : undefined;
    const early = t.rollout === 'finishBy' && predictedMs !== undefined ? predictedMs : 0;
    return {
      campaign: t.campaign,
      kind: t.kind,
      instant: t.instant,
      rollout: t.rollout,
      ...(audience !== undefined ? { audience } : {}),
      ...(predictedMs !== undefined ? { predictedMs } : {}),
      runAt: t.instant - early,
    };
  });
}

/**
 * The switches a run now makes (their run is due and not made yet), and the moment that run plans
 * for: the latest boundary among them when it is still ahead (a `finishBy` switch started early),
 * else now.
 */
export function dueSwitches(
  switches: readonly CampaignSwitch[],
  now: number,
  done: ReadonlySet<string>,
): { due: CampaignSwitch[]; at?: number } {
  const due = switches.filter((s) => s.runAt <= now && !done.has(switchKey(s)));
  const ahead = due.filter((s) => s.instant > now).map((s) => s.instant);
  return ahead.length > 0 ? { due, at: Math.max(...ahead) } : { due };
}

/** When the next switch's run is due (epoch ms), if any is still to come. */
export function nextSwitchAt(
  switches: readonly CampaignSwitch[],
  now: number,
  done: ReadonlySet<string>,
): number | undefined {
  const coming = switches.filter((s) => !done.has(switchKey(s))).map((s) => Math.max(s.runAt, now));
  return coming.length > 0 ? Math.min(...coming) : undefined;
}
