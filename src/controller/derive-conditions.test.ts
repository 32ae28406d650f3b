import { describe, expect, it } from 'vitest';
import { deriveConditions, type ConditionInputs } from './derive-conditions.js';
import type { Finding } from '../doctor/finding.js';
import type { PreflightStatus, RunSummary } from './status-model.js';

const run = (outcome: RunSummary['outcome'], extra: Partial<RunSummary> = {}): RunSummary => ({
  id: 'r',
  kind: 'apply',
  startedAt: '2025-01-01T00:00:00.000Z',
  outcome,
  actions: { 'update-profile': 0, 'set-photo': 0, 'set-signature': 0 },
  results: { applied: 0, 'skipped-stale': 0, failed: 0 },
  warnings: 0,
  guardrailsTripped: [],
  ...extra,
});
const leader: ConditionInputs = {
  hasConfig: true,
  configErrors: [],
  revision: 'abcdef0123456789',
  isLeader: true,
  running: false,
};

function summary(inputs: ConditionInputs, types = ['Ready', 'Degraded', 'Progressing']): string[] {
  return deriveConditions([], inputs, new Date(0))
    .filter((c) => types.includes(c.type))
    .map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`);
}

describe('deriveConditions', () => {
  it.each<[string, ConditionInputs, string[]]>([
    [
      'no config at all',
      { ...leader, hasConfig: false, configErrors: ['roster.yaml:3:1: error: bad'] },
      [
        'Ready=False NoValidConfig: no valid configuration revision has been loaded yet',
        'Degraded=True InvalidConfig: the configuration is invalid (no valid revision to use): roster.yaml:3:1: error: bad',
        'Progressing=False Idle: waiting for the next run',
      ],
    ],
    [
      'invalid revision over a good one',
      { ...leader, configErrors: ['x.yaml:1: error: e'], lastRun: run('succeeded') },
      [
        'Ready=True RunSucceeded: the last apply run succeeded',
        'Degraded=True InvalidConfig: the configuration is invalid (still using the last good revision abcdef012345): x.yaml:1: error: e',
        'Progressing=False Idle: waiting for the next run',
      ],
    ],
    [
      'standby',
      { ...leader, isLeader: false, holder: 'b' },
      [
        'Ready=True Standby: standby: instance b is the leader',
        'Degraded=False AsExpected: nothing is degraded',
        'Progressing=False Idle: waiting for the next run',
      ],
    ],
    [
      'guardrail',
      { ...leader, running: true, lastRun: run('stopped', { guardrailsTripped: ['max-changes'] }) },
      [
        'Ready=True GuardrailTripped: the last run was stopped by a guardrail before any write',
        'Degraded=True GuardrailTripped: stopped by max-changes',
        'Progressing=True RunInProgress: a run is in progress',
      ],
    ],
    [
      'failed run',
      { ...leader, lastRun: run('failed', { error: 'planning failed: boom' }) },
      [
        'Ready=False RunFailed: planning failed: boom',
        'Degraded=True RunFailed: planning failed: boom',
        'Progressing=False Idle: waiting for the next run',
      ],
    ],
  ])('%s', (_name, inputs, expected) => {
    expect(summary(inputs)).toEqual(expected);
  });

  it('keeps the transition time while a status holds', () => {
    const first = deriveConditions([], { ...leader, lastRun: run('succeeded') }, new Date(1_000));
    const second = deriveConditions(first, { ...leader, lastRun: run('partial') }, new Date(2_000));
    expect(second.find((c) => c.type === 'Ready')).toMatchObject({
      reason: 'RunPartial',
      lastTransitionTime: new Date(1_000).toISOString(),
    });
    expect(second.find((c) => c.type === 'Degraded')?.lastTransitionTime).toBe(new Date(2_000).toISOString());
  });
});

describe('the Preflight condition', () => {
  const found = (
    check: Finding['check'],
    status: Finding['status'],
    message = `${check} says so`,
  ): Finding => ({
    check,
    status,
    message,
  });
  const preflight = (...findings: Finding[]): PreflightStatus => ({
    checkedAt: '2025-01-01T00:00:00.000Z',
    findings,
  });

  it.each<[string, ConditionInputs, string]>([
    [
      'before the first cycle',
      leader,
      'Preflight=Unknown NotCheckedYet: the preflight checks have not run yet',
    ],
    [
      'on a standby',
      { ...leader, isLeader: false, holder: 'b' },
      'Preflight=Unknown Standby: the leader runs the preflight checks',
    ],
    [
      'every check passed',
      { ...leader, preflight: preflight(found('graph-token', 'ok'), found('exchange-role', 'skipped')) },
      'Preflight=True ChecksPassed: every check passed (1 ok)',
    ],
    [
      'warnings only',
      {
        ...leader,
        preflight: preflight(found('graph-token', 'ok'), found('hr-employees', 'warning', '2 errors in HR')),
      },
      'Preflight=True ChecksPassedWithWarnings: no check failed; 1 warning(s): hr-employees: 2 errors in HR',
    ],
    [
      'errors, long messages shortened',
      {
        ...leader,
        preflight: preflight(
          found('exchange-role', 'error', 'x'.repeat(250)),
          found('domains', 'error', 'example.com is not a domain'),
          found('hr-employees', 'warning'),
        ),
      },
      `Preflight=False ChecksFailed: 2 check(s) failed: exchange-role: ${'x'.repeat(200)}…; domains: example.com is not a domain`,
    ],
  ])('%s', (_name, inputs, expected) => {
    expect(summary(inputs, ['Preflight'])).toEqual([expected]);
  });
});
