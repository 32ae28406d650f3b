import { setCondition, type Condition, type ConditionUpdate, type RunSummary } from './status-model.js';

/** What the conditions are derived from: the controller's view of itself. */
export interface ConditionInputs {
  /** A valid configuration exists (the current or the last good revision). */
  hasConfig: boolean;
  /** Formatted problems of the latest configuration revision; empty when it is valid. */
  configErrors: string[];
  /** Revision in use (the last good one), for messages. */
  revision?: string;
  /** Why the leader lock could not be checked (database unreachable); undefined when it could. */
  leaderError?: string;
  isLeader: boolean;
  holder?: string;
  running: boolean;
  lastRun?: RunSummary;
}

function short(revision: string | undefined): string {
  return revision ? revision.slice(0, 12) : 'none';
}

function ready(i: ConditionInputs): ConditionUpdate {
  const c = (status: ConditionUpdate['status'], reason: string, message: string): ConditionUpdate => ({
    type: 'Ready',
    status,
    reason,
    message,
  });
  if (!i.hasConfig) return c('False', 'NoValidConfig', 'no valid configuration revision has been loaded yet');
  if (i.leaderError) return c('False', 'LeaderLockUnavailable', i.leaderError);
  if (!i.isLeader) {
    return c(
      'True',
      'Standby',
      `standby: ${i.holder ? `instance ${i.holder}` : 'another instance'} is the leader`,
    );
  }
  const run = i.lastRun;
  if (!run) return c('Unknown', 'Starting', 'leader; the first run has not finished yet');
  switch (run.outcome) {
    case 'failed':
      return c('False', 'RunFailed', run.error ?? 'the last run failed');
    case 'stopped':
      return c('True', 'GuardrailTripped', 'the last run was stopped by a guardrail before any write');
    case 'partial':
      return c('True', 'RunPartial', 'the last run applied some actions; others failed');
    default:
      return c('True', 'RunSucceeded', `the last ${run.kind} run succeeded`);
  }
}

function degraded(i: ConditionInputs): ConditionUpdate {
  const c = (status: ConditionUpdate['status'], reason: string, message: string): ConditionUpdate => ({
    type: 'Degraded',
    status,
    reason,
    message,
  });
  if (i.configErrors.length > 0) {
    const using = i.hasConfig
      ? `still using the last good revision ${short(i.revision)}`
      : 'no valid revision to use';
    return c(
      'True',
      'InvalidConfig',
      `the configuration is invalid (${using}): ${i.configErrors.join('; ')}`,
    );
  }
  if (i.leaderError) return c('True', 'DatabaseUnreachable', i.leaderError);
  const run = i.isLeader ? i.lastRun : undefined;
  if (run?.outcome === 'failed') return c('True', 'RunFailed', run.error ?? 'the last run failed');
  if (run?.outcome === 'stopped') {
    return c('True', 'GuardrailTripped', `stopped by ${run.guardrailsTripped.join(', ') || 'a guardrail'}`);
  }
  if (run?.outcome === 'partial') {
    return c('True', 'PartialApply', run.error ?? 'some actions failed or were not started');
  }
  return c('False', 'AsExpected', 'nothing is degraded');
}

function progressing(i: ConditionInputs): ConditionUpdate {
  return i.running
    ? { type: 'Progressing', status: 'True', reason: 'RunInProgress', message: 'a run is in progress' }
    : { type: 'Progressing', status: 'False', reason: 'Idle', message: 'waiting for the next run' };
}

/** Ready, Degraded and Progressing from the controller's state; transition times kept by `setCondition`. */
export function deriveConditions(
  current: readonly Condition[],
  inputs: ConditionInputs,
  now: Date,
): Condition[] {
  let next = setCondition(current, ready(inputs), now);
  next = setCondition(next, degraded(inputs), now);
  return setCondition(next, progressing(inputs), now);
}
