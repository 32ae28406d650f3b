import { describe, expect, it } from 'vitest';
import { readPlanJson, renderPlanJson } from './plan-file.js';
import { user } from './test-builders.js';
import type { JournalRecord, RunDetail } from '../ports/state-store.js';
import { rollbackPlan, type RollbackOptions } from './rollback-plan.js';

const RUN = '0b6f3c1e-8a1d-4d7e-9a37-3f3c2b1a0d11';

function row(email: string, partial: Partial<JournalRecord> = {}): JournalRecord {
  return {
    id: 1,
    runId: RUN,
    at: '2026-01-01T00:00:00Z',
    actionKey: `${email}#profile`,
    userId: `id-${email}`,
    employeeEmail: email,
    aspect: 'profile',
    before: { jobTitle: 'Rådgiver', surname: 'Ærø' },
    after: { jobTitle: 'Seniorrådgiver', surname: 'Berg' },
    status: 'applied',
    requestId: null,
    ...partial,
  };
}

function run(journal: JournalRecord[]): RunDetail {
  return {
    id: RUN,
    kind: 'apply',
    tenantId: 'tenant-1',
    actor: 'ci',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:01:00Z',
    outcome: 'succeeded',
    planHash: 'h',
    configRevision: 'rev-1',
    counts: {},
    sourceCount: 10,
    error: null,
    journal,
  };
}

const options: RollbackOptions = {
  tenantId: 'tenant-1',
  configRevision: 'rev-2',
  guardrails: { maxChanges: { absolute: 100 }, maxSourceShrinkPercent: 20 },
};

const now = (email: string, fields: Record<string, string | null>) =>
  user(email, { fields: { givenName: 'Åse', ...fields } });

describe('rollbackPlan', () => {
  it('restores journaled before-values, expecting the journaled after-values', () => {
    const plan = rollbackPlan(
      run([row('a@example.no')]),
      [now('a@example.no', { jobTitle: 'Seniorrådgiver', surname: 'Berg' })],
      options,
    );
    expect(plan.actions).toEqual([
      {
        kind: 'update-profile',
        key: 'a@example.no#profile',
        employee: 'a@example.no',
        userId: 'id-a@example.no',
        userPrincipalName: 'a@example.no',
        reason: `roll back run ${RUN}: restore 2 fields`,
        changes: [
          { field: 'jobTitle', before: 'Seniorrådgiver', after: 'Rådgiver' },
          { field: 'surname', before: 'Berg', after: 'Ærø' },
        ],
      },
    ]);
    expect(plan).toMatchObject({ tenantId: 'tenant-1', configRevision: 'rev-2', warnings: [] });
    expect(readPlanJson(renderPlanJson(plan), 'rollback.json')).toEqual(plan);
  });

  it('leaves out fields already restored and, with a warning, fields changed since the run', () => {
    const plan = rollbackPlan(
      run([row('a@example.no'), row('b@example.no'), row('gone@example.no')]),
      [
        now('a@example.no', { jobTitle: 'Direktør', surname: 'Berg' }),
        now('b@example.no', { jobTitle: 'Rådgiver', surname: 'Ærø' }),
      ],
      options,
    );
    expect(plan.actions.map((a) => a.kind === 'update-profile' && a.changes)).toEqual([
      [{ field: 'surname', before: 'Berg', after: 'Ærø' }],
    ]);
    expect(plan.warnings.map((w) => `${w.kind} ${w.employee}: ${w.message}`)).toEqual([
      `rollback a@example.no: jobTitle changed since run ${RUN}; left as they are`,
      'rollback gone@example.no: user id-gone@example.no no longer exists or is out of scope; not rolled back',
    ]);
  });

  it('skips failed and stale rows, warns about photos and signatures, and refuses another tenant', () => {
    const journal = [
      row('a@example.no', { status: 'failed' }),
      row('b@example.no', { status: 'skipped-stale' }),
      row('a@example.no', { aspect: 'photo', actionKey: 'a@example.no#photo', before: {}, after: {} }),
      row('a@example.no', {
        aspect: 'signature',
        actionKey: 'a@example.no#signature',
        before: {},
        after: {},
      }),
    ];
    const plan = rollbackPlan(run(journal), [now('a@example.no', { jobTitle: 'Seniorrådgiver' })], options);
    expect(plan.actions).toEqual([]);
    expect(plan.warnings).toEqual([
      {
        kind: 'rollback',
        message: `photos and signatures are not rolled back: run ${RUN} set 1 photo(s) and 1 signature(s); the tenant keeps no earlier copy to restore`,
      },
    ]);
    expect(() =>
      rollbackPlan(run(journal), [], { ...options, tenantId: 'tenant-2' }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[PlanFileError: run ${RUN} belongs to tenant tenant-1, not the configured tenant tenant-2]`,
    );
  });

  it('goes through the same guardrails as any plan', () => {
    const emails = ['a', 'b', 'c'].map((n) => `${n}@example.no`);
    const plan = rollbackPlan(
      run(emails.map((e) => row(e))),
      emails.map((e) => now(e, { jobTitle: 'Seniorrådgiver', surname: 'Berg' })),
      { ...options, guardrails: { maxChanges: { absolute: 2 }, maxSourceShrinkPercent: 20 } },
    );
    expect(plan.actions).toHaveLength(3);
    expect(plan.guardrails).toEqual([expect.objectContaining({ name: 'max-changes', tripped: true })]);
  });
});
