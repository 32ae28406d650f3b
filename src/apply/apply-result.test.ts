import { describe, expect, it } from 'vitest';
import {
  applyExitCode,
  noneApplied,
  renderApplySummary,
  runCounts,
  runOutcome,
  type ApplyResult,
} from './apply-result.js';

/** `n` profile updates and `photos` photos applied. */
const applied = (n: number, photos = 0) => ({ ...noneApplied(), 'update-profile': n, 'set-photo': photos });

const ref = (name: string, kind: 'update-profile' | 'set-photo' = 'update-profile') => ({
  key: `${name}@example.no#${kind === 'set-photo' ? 'photo' : 'profile'}`,
  employee: `${name}@example.no`,
  kind,
});

function result(partial: Partial<ApplyResult>): ApplyResult {
  const base = { applied: noneApplied(), skippedStale: [], failed: [], notStarted: [], ...partial };
  return {
    runId: 'run-1',
    planHash: 'h',
    interrupted: false,
    outcome: runOutcome(base),
    counts: runCounts(base),
    ...base,
  };
}

describe('apply results', () => {
  it('decide the outcome and exit code: stale skips are reported, failures and interruptions are not success', () => {
    const stale = { ...ref('b'), message: 'jobTitle: expected "A", found "B"' };
    expect(result({ applied: applied(1), skippedStale: [stale] })).toMatchObject({ outcome: 'succeeded' });
    expect(applyExitCode(result({ applied: applied(1), skippedStale: [stale] }))).toBe(0);
    expect(result({ applied: applied(1), notStarted: [ref('c')] }).outcome).toBe('partial');
    expect(result({ failed: [{ ...ref('c'), message: 'x' }] }).outcome).toBe('failed');
    expect(applyExitCode(result({ applied: applied(1), notStarted: [ref('c')] }))).toBe(1);
    expect(result({ applied: applied(1, 1), skippedStale: [stale] }).counts).toEqual({
      actions: 3,
      applied: 2,
      'skipped-stale': 1,
      failed: 0,
      'not-started': 0,
      'update-profile:applied': 1,
      'set-photo:applied': 1,
      'update-profile:skipped-stale': 1,
    });
  });

  it('lists every stale skip and failure with its cause', () => {
    const text = renderApplySummary(
      result({
        applied: applied(1),
        skippedStale: [{ ...ref('b'), message: 'jobTitle: expected "A", found "B"' }],
        failed: [
          {
            ...ref('c'),
            service: 'graph',
            status: 403,
            code: 'Authorization_RequestDenied',
            requestId: 'req-9',
            message: 'graph PATCH /v1.0/users/{id}: Insufficient privileges',
          },
          {
            ...ref('d', 'set-photo'),
            service: 'photo-source',
            code: 'too-large',
            message: 'photo not used: too big',
          },
        ],
        notStarted: [ref('e')],
        interrupted: true,
      }),
    );
    expect(text).toMatchInlineSnapshot(`
      "Run run-1: partial (interrupted)
        applied: 1, skipped (stale): 1, failed: 2, not started: 1

      Skipped because the tenant changed since the plan (run roster plan again):
        b@example.no#profile: jobTitle: expected "A", found "B"

      Failed:
        c@example.no#profile: graph PATCH /v1.0/users/{id}: Insufficient privileges [graph, HTTP 403, Authorization_RequestDenied, request-id req-9]
        d@example.no#photo: photo not used: too big [photo-source, too-large]

      Not started (interrupted): 1 action(s); run roster plan and apply again
        e@example.no#profile
      "
    `);
  });
});
