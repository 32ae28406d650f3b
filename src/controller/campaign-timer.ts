import type { Campaign } from '../desired/campaign-model.js';
import type { Plan } from '../plan/plan-model.js';
import type { RunSummary } from '../runs/run-summary.js';
import {
  campaignSwitches,
  dueSwitches,
  nextSwitchAt,
  switchKey,
  type CampaignSwitch,
} from './campaign-schedule.js';
import type { CampaignStatus, SwitchReport } from './status-model.js';

/** What the timer needs to know of the controller's present. */
export interface TimerInputs {
  campaigns: readonly Campaign[] | undefined;
  now: Date;
  /** When the controller started: boundaries from then on are switches it runs for. */
  since: Date;
  /** The latest whole-tenant plan (its campaign audiences). */
  latest: Plan | undefined;
  /** Signature writes per second Roster achieved, when measured. */
  writesPerSecond: number | undefined;
  /** How long the latest run that wrote nothing took (a switch's run plans first), when known. */
  planSeconds?: number;
}

/**
 * The controller's campaign clock: which switches a tick makes (each once, even when several fall
 * due together after downtime), how long until the next one, and the prediction and outcome of the
 * last, for `/status`.
 */
export interface CampaignTimer {
  /** The switches the coming tick makes, and the moment it plans for (ahead for `finishBy`). */
  begin(inputs: TimerInputs): { due: CampaignSwitch[]; at?: Date; writesFrom?: Date };
  /** Records the run made for `due` (its prediction against what happened). */
  finish(due: readonly CampaignSwitch[], run: RunSummary, mode: 'observe' | 'apply'): void;
  /** Milliseconds until the next switch's run, if one is to come. */
  delay(inputs: TimerInputs): number | undefined;
  status(inputs: TimerInputs): CampaignStatus | undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function createCampaignTimer(): CampaignTimer {
  const done = new Set<string>();
  let last: SwitchReport | undefined;
  const switches = (i: TimerInputs) =>
    i.campaigns?.length
      ? campaignSwitches(
          i.campaigns,
          i.since.getTime(),
          i.latest?.campaigns,
          i.writesPerSecond,
          i.planSeconds,
        )
      : [];

  return {
    begin(inputs) {
      const { due, at, writesFrom } = dueSwitches(switches(inputs), inputs.now.getTime(), done);
      for (const s of due) done.add(switchKey(s));
      return {
        due,
        ...(at !== undefined ? { at: new Date(at) } : {}),
        ...(writesFrom !== undefined ? { writesFrom: new Date(writesFrom) } : {}),
      };
    },
    finish(due, run, mode) {
      if (due.length === 0) return;
      const predicted = due.map((s) => s.predictedMs).filter((ms) => ms !== undefined);
      last = {
        switches: due.map((s) => ({ campaign: s.campaign, kind: s.kind, at: iso(s.instant) })),
        mode,
        runId: run.id,
        startedAt: run.startedAt,
        ...(predicted.length > 0 ? { predictedSeconds: Math.max(...predicted) / 1000 } : {}),
        ...(run.durationSeconds !== undefined ? { tookSeconds: run.durationSeconds } : {}),
        outcome: run.outcome,
        // Observe mode writes nothing: the switch's signatures are what is pending.
        signatures: mode === 'apply' ? run.results.applied : run.actions['set-signature'],
      };
    },
    delay(inputs) {
      const at = nextSwitchAt(switches(inputs), inputs.now.getTime(), done);
      return at === undefined ? undefined : Math.max(0, at - inputs.now.getTime());
    },
    status(inputs) {
      const upcoming = switches(inputs).filter((s) => !done.has(switchKey(s)));
      if (upcoming.length === 0 && !last) return undefined;
      return {
        upcoming: upcoming.map((s) => ({
          campaign: s.campaign,
          kind: s.kind,
          at: iso(s.instant),
          rollout: s.rollout,
          runAt: iso(s.runAt),
          ...(s.writesFrom !== undefined ? { writesFrom: iso(s.writesFrom) } : {}),
          ...(s.audience !== undefined ? { audience: s.audience } : {}),
          ...(s.predictedMs !== undefined ? { predictedSeconds: s.predictedMs / 1000 } : {}),
        })),
        ...(last ? { lastSwitch: last } : {}),
      };
    },
  };
}
