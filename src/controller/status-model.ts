import type { Finding } from '../doctor/finding.js';
import type { ActionKind, Plan } from '../plan/plan-model.js';
import type { RunSummary } from '../runs/run-summary.js';

/** Kubernetes-style condition types the controller reports (`GET /status`). */
export type ConditionType = 'Ready' | 'Degraded' | 'Progressing' | 'Preflight';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** One observed condition; `lastTransitionTime` moves only when `status` changes. */
export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  /** Machine-readable CamelCase reason, e.g. `RunSucceeded`, `GuardrailTripped`. */
  reason: string;
  /** Human sentence; never holds secrets. */
  message: string;
  /** ISO-8601. */
  lastTransitionTime: string;
}

export type { RunSummary } from '../runs/run-summary.js';

/** How far the tenant is from the desired state: pending actions per aspect, plus plan warnings. */
export interface DriftCounts {
  profile: number;
  photo: number;
  signature: number;
  warnings: number;
}

/**
 * The last preflight (the checks of `roster doctor`): the cheap checks of the last cycle, and the
 * deep ones (`hr-employees`, `match-share`) from the last deep check.
 */
export interface PreflightStatus {
  /** When the cheap checks last ran (ISO-8601). */
  checkedAt: string;
  /** When the HR rows were last read and the tenant's users listed (ISO-8601). */
  deepCheckedAt?: string;
  findings: Finding[];
}

/** A campaign start or end the controller will run for (`GET /status`). */
export interface UpcomingSwitch {
  campaign: string;
  kind: 'start' | 'end';
  /** The boundary (ISO-8601). */
  at: string;
  rollout: 'notBefore' | 'finishBy';
  /** When its run starts: the boundary, or for `finishBy` a planning lead before `writesFrom`. */
  runAt: string;
  /** `finishBy`: when its writes start (the run holds them until then), the writing time before `at`. */
  writesFrom?: string;
  /** Employees it switches, as the latest plan counted them. */
  audience?: number;
  /** How long the switch should take: a run's planning, then the audience at the measured write rate. */
  predictedSeconds?: number;
}

/** The run made for the last switch: what was predicted and what happened. */
export interface SwitchReport {
  switches: { campaign: string; kind: 'start' | 'end'; at: string }[];
  mode: 'observe' | 'apply';
  runId: string;
  startedAt: string;
  predictedSeconds?: number;
  tookSeconds?: number;
  outcome: RunSummary['outcome'];
  /** Signatures written (apply mode) or pending (observe mode). */
  signatures: number;
}

/** Campaign switches: coming, and the last one's prediction and outcome. */
export interface CampaignStatus {
  upcoming: UpcomingSwitch[];
  lastSwitch?: SwitchReport;
}

/** Everything `GET /status` shows. Built by the controller, rendered by the server. */
export interface ControllerStatus {
  instance: { id: string; hostname: string; startedAt: string };
  /** `holder` is the leader instance's id when known (this one's or another's). */
  leader: { isLeader: boolean; holder?: string };
  mode: 'observe' | 'apply';
  lastRun?: RunSummary;
  conditions: Condition[];
  drift: DriftCounts;
  config: { revision: string; valid: boolean; errors: string[] };
  /** Absent until the leader's first cycle has run the checks. */
  preflight?: PreflightStatus;
  /** Present when campaigns are configured: the switches to come and the last one. */
  campaigns?: CampaignStatus;
}

/** The condition fields a caller decides; the transition time is derived. */
export type ConditionUpdate = Omit<Condition, 'lastTransitionTime'>;

/**
 * Returns a new condition list with `next` set. `lastTransitionTime` moves to `now` only when
 * the status of that type changes (or the condition is new), so monitors can tell how long a
 * state has held; reason and message always take the new values.
 */
export function setCondition(
  conditions: readonly Condition[],
  next: ConditionUpdate,
  now: Date,
): Condition[] {
  const existing = conditions.find((c) => c.type === next.type);
  const lastTransitionTime =
    existing && existing.status === next.status ? existing.lastTransitionTime : now.toISOString();
  const updated: Condition = { ...next, lastTransitionTime };
  if (!existing) return [...conditions, updated];
  return conditions.map((c) => (c.type === next.type ? updated : c));
}

/** Pending actions per aspect of a plan. */
export function driftOf(plan: Plan): DriftCounts {
  return {
    profile: plan.summary.updateProfile,
    photo: plan.summary.setPhoto,
    signature: plan.summary.setSignature,
    warnings: plan.summary.warnings,
  };
}

/** Planned actions per kind, every kind present. */
export function countActions(plan: Plan | undefined): Record<ActionKind, number> {
  const counts: Record<ActionKind, number> = { 'update-profile': 0, 'set-photo': 0, 'set-signature': 0 };
  for (const action of plan?.actions ?? []) counts[action.kind] += 1;
  return counts;
}
