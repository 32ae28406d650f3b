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
   * When its run starts: at the boundary (`notBefore`: no mailbox switches early), or for
   * `finishBy` a planning lead before `writesFrom` (`planningLeadMs`).
   */
  runAt: number;
  /**
   * `finishBy` with a prediction: when its writes start, the writing time (with a tenth to spare)
   * before the boundary. The run plans first and holds its writes until then, so a slow plan eats
   * into the lead, never into the boundary.
   */
  writesFrom?: number;
}

/** The planning lead's floor: a switch run plans every switched signature, far more than a no-op. */
const MIN_PLANNING_LEAD_MS = 60_000;
/**
 * The planning lead's ceiling: one slow no-op run (a throttled read, a deep check) must not hold a
 * switch run, and every other run behind it, for hours.
 */
const MAX_PLANNING_LEAD_MS = 15 * 60_000;
/** A switch run's planning against the latest no-op run's (measured at 4-4.6x in the benchmark). */
const PLANNING_LEAD_FACTOR = 5;
/**
 * `finishBy` writes start this much longer before the boundary than the measured rate says: the
 * rate is one stretch's measurement, and the benchmark saw switches run 1-2 % slower than it.
 * Starting early shows a banner a little early, which `finishBy` allows; starting late misses it.
 */
const FINISH_BY_WRITING_MARGIN_PERCENT = 110;

/**
 * How long before its writes a `finishBy` switch run starts: five times the planning of the latest
 * run that wrote nothing, at least a minute and at most fifteen. Too long costs only a wait with the plan made; too
 * short makes the switch late, so it errs long.
 */
export function planningLeadMs(planSeconds: number): number {
  const lead = Math.ceil(PLANNING_LEAD_FACTOR * planSeconds * 1000);
  return Math.min(MAX_PLANNING_LEAD_MS, Math.max(MIN_PLANNING_LEAD_MS, lead));
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
    const writingMs =
      audience !== undefined && writesPerSecond && writesPerSecond > 0
        ? Math.ceil((audience / writesPerSecond) * 1000)
        : undefined;
    const predictedMs = writingMs !== undefined ? Math.ceil(planSeconds * 1000) + writingMs : undefined;
    const writesFrom =
      t.rollout === 'finishBy' && writingMs !== undefined
        ? t.instant - Math.ceil((writingMs * FINISH_BY_WRITING_MARGIN_PERCENT) / 100)
        : undefined;
    return {
      campaign: t.campaign,
      kind: t.kind,
      instant: t.instant,
      rollout: t.rollout,
      ...(audience !== undefined ? { audience } : {}),
      ...(predictedMs !== undefined ? { predictedMs } : {}),
      runAt: writesFrom !== undefined ? writesFrom - planningLeadMs(planSeconds) : t.instant,
      ...(writesFrom !== undefined ? { writesFrom } : {}),
    };
  });
}

/**
 * The switches a run now makes (their run is due and not made yet), the moment that run plans for
 * (the latest boundary among them when it is still ahead: a `finishBy` switch started early, else
 * now), and when its writes may start (the latest `writesFrom` still ahead).
 */
export function dueSwitches(
  switches: readonly CampaignSwitch[],
  now: number,
  done: ReadonlySet<string>,
): { due: CampaignSwitch[]; at?: number; writesFrom?: number } {
  const due = switches.filter((s) => s.runAt <= now && !done.has(switchKey(s)));
  const ahead = due.filter((s) => s.instant > now).map((s) => s.instant);
  // Writes are held only when every due switch is a finishBy one still ahead of its write start,
  // and then until the earliest: finishing early is allowed, finishing late is not.
  const held = due.map((s) => s.writesFrom);
  const hold = held.every((w): w is number => w !== undefined && w > now) && held.length > 0;
  return {
    due,
    ...(ahead.length > 0 ? { at: Math.max(...ahead) } : {}),
    ...(hold ? { writesFrom: Math.min(...(held as number[])) } : {}),
  };
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
