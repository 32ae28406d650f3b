import {
  setCondition,
  type Condition,
  type ConditionUpdate,
  type PreflightStatus,
  type RunSummary,
} from './status-model.js';

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
  /** The last preflight; undefined before the leader's first cycle. */
  preflight?: PreflightStatus;
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

/** The longest finding message a condition message quotes. */
const QUOTE = 200;

function quoted(checks: PreflightStatus['findings']): string {
  return checks
    .map((f) => `${f.check}: ${f.message.length > QUOTE ? `${f.message.slice(0, QUOTE)}…` : f.message}`)
    .join('; ');
}

/** The preflight's findings in one condition: True while no check fails. */
function preflight(i: ConditionInputs): ConditionUpdate {
  const c = (status: ConditionUpdate['status'], reason: string, message: string): ConditionUpdate => ({
    type: 'Preflight',
    status,
    reason,
    message,
  });
  if (!i.preflight) {
    return i.hasConfig && !i.isLeader && !i.leaderError
      ? c('Unknown', 'Standby', 'the leader runs the preflight checks')
      : c('Unknown', 'NotCheckedYet', 'the preflight checks have not run yet');
  }
  const findings = i.preflight.findings;
  const errors = findings.filter((f) => f.status === 'error');
  const warnings = findings.filter((f) => f.status === 'warning');
  if (errors.length > 0) {
    return c('False', 'ChecksFailed', `${errors.length} check(s) failed: ${quoted(errors)}`);
  }
  if (warnings.length > 0) {
    return c(
      'True',
      'ChecksPassedWithWarnings',
      `no check failed; ${warnings.length} warning(s): ${quoted(warnings)}`,
    );
  }
  return c(
    'True',
    'ChecksPassed',
    `every check passed (${findings.filter((f) => f.status === 'ok').length} ok)`,
  );
}

/**
 * Ready, Degraded, Progressing and Preflight from the controller's state; transition times kept by
 * `setCondition`.
 */
export function deriveConditions(
  current: readonly Condition[],
  inputs: ConditionInputs,
  now: Date,
): Condition[] {
  let next = setCondition(current, ready(inputs), now);
  next = setCondition(next, degraded(inputs), now);
  next = setCondition(next, progressing(inputs), now);
  return setCondition(next, preflight(inputs), now);
}
