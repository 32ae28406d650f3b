import { describe, expect, it } from 'vitest';
import { appliedTotal, applyExitCode, renderApplySummary } from '../../src/apply/apply-result.js';
import { ORPHANED_RUN_ERROR } from '../../src/apply/orphaned-runs.js';
import { rollbackPlan } from '../../src/plan/rollback-plan.js';
import { GuardrailError } from '../../src/errors/roster-error.js';
import { PlanFileError, planHash } from '../../src/plan/plan-file.js';
import type { PlanSource } from '../../src/plan/plan-source.js';
import {
  applyPlan,
  desired,
  DOMAIN,
  options,
  REVISION,
  simUser,
  startApplyWorld,
  upn,
  type ApplyWorld,
} from './apply-world.js';

async function journal(world: ApplyWorld, runId: string) {
  const { rows } = await world.db.pool.query<{
    action_key: string;
    status: string;
    request_id: string | null;
    error: { code?: string } | null;
  }>(
    'SELECT action_key, status, request_id, error FROM roster.journal WHERE run_id = $1 ORDER BY action_key',
    [runId],
  );
  return rows;
}

describe('applyPlan against the simulator', () => {
  it('writes profiles, photos and signatures, journals each with last-applied, and a second plan is empty', async () => {
    await using world = await startApplyWorld([simUser('ann'), simUser('bob'), simUser('cay')]);
    const employees = ['ann', 'bob', 'cay'].map((n) => desired(n, world));
    const plan = await world.plan(employees);
    expect(plan.actions).toHaveLength(9);

    const result = await applyPlan(plan, world.deps, options(world));
    expect(result).toMatchObject({ outcome: 'succeeded', failed: [], skippedStale: [], notStarted: [] });
    expect(appliedTotal(result.applied)).toBe(9);
    expect(applyExitCode(result)).toBe(0);

    const snapshot = world.sim.stateSnapshot();
    const ann = snapshot.users.find((u) => u.userPrincipalName === upn('ann'))!;
    expect([ann.surname, ann.displayName, ann.jobTitle]).toEqual(['New', 'ann New', 'Engineer']);
    expect(snapshot.photos[ann.id]?.etag).toEqual(expect.any(String));
    expect(snapshot.mailboxConfig[ann.id]).toMatchObject({
      SignatureText: 'ann New',
      AutoAddSignature: true,
    });
    expect(Object.values(world.sim.statsSnapshot().writesPerUser)).toEqual([3, 3, 3]);

    const rows = await journal(world, result.runId);
    expect(rows.map((r) => `${r.action_key} ${r.status}`)).toEqual(
      ['ann', 'bob', 'cay'].flatMap((n) =>
        ['photo', 'profile', 'signature'].map((a) => `${upn(n)}#${a} applied`),
      ),
    );
    const lastApplied = await world.store.getLastApplied(world.tenantId);
    expect(lastApplied.size).toBe(9);
    // Nothing was read back after the writes: the photo's etag and the signature's fingerprint are
    // adopted by the next deep check (below).
    expect(lastApplied.get(`${ann.id}/photo`)?.observedFingerprint).toBeNull();
    expect(lastApplied.get(`${ann.id}/signature`)?.observedFingerprint).toBeNull();
    expect(lastApplied.get(`${ann.id}/profile`)?.value).toEqual({
      displayName: 'ann New',
      jobTitle: 'Engineer',
      surname: 'New',
    });
    const [run] = await world.store.listRuns(1, world.tenantId);
    expect(run).toMatchObject({
      id: result.runId,
      kind: 'apply',
      outcome: 'succeeded',
      planHash: result.planHash,
    });
    expect(run!.counts).toMatchObject({ applied: 9, failed: 0, 'update-profile:applied': 3 });

    // The simulator rewrote the signature HTML; the next deep check adopts what the tenant shows,
    // so that plan and every later one are empty.
    expect(snapshot.mailboxConfig[ann.id]?.SignatureHtml).not.toBe('<p>ann New</p>');
    const again = await world.plan(employees);
    expect(again.actions).toEqual([]);
    const adopted = await world.store.getLastApplied(world.tenantId);
    expect(adopted.get(`${ann.id}/photo`)?.observedFingerprint).toBe(snapshot.photos[ann.id]?.etag);
    expect(adopted.get(`${ann.id}/signature`)?.observedFingerprint).toEqual(expect.any(String));
    expect((await world.plan(employees)).actions).toEqual([]);
  });

  it('skips an action whose before-value changed since the plan, without writing it', async () => {
    await using world = await startApplyWorld([simUser('ann'), simUser('bob')]);
    const employees = ['ann', 'bob'].map((n) => desired(n, world, { photoUrl: undefined }));
    const plan = await world.plan(employees);
    world.sim.patchUser(upn('bob'), { jobTitle: 'Manager' });
    world.sim.patchMailbox(upn('ann'), { SignatureText: 'edited by hand' });

    const result = await applyPlan(plan, world.deps, options(world));
    expect(result.skippedStale.map((s) => `${s.key}: ${s.message}`)).toMatchInlineSnapshot(`
      [
        "ann@contoso.com#signature: signature: it was changed in the mailbox after the plan was made",
        "bob@contoso.com#profile: jobTitle: expected "Intern", found "Manager"",
      ]
    `);
    expect(result.outcome).toBe('succeeded');
    const writes = world.sim.statsSnapshot().writesPerUser;
    expect(writes).toEqual({ [world.idOf(upn('ann'))]: 1, [world.idOf(upn('bob'))]: 1 });
    expect(world.sim.state.users.get(world.idOf(upn('bob')))!.jobTitle).toBe('Manager');
    expect(world.sim.state.mailboxConfig.get(world.idOf(upn('ann')))!.SignatureText).toBe('edited by hand');
    const rows = await journal(world, result.runId);
    expect(
      rows
        .filter((r) => r.status === 'skipped-stale')
        .map((r) => r.action_key)
        .sort(),
    ).toEqual([`${upn('ann')}#signature`, `${upn('bob')}#profile`]);
  });

  it('applies every action exactly once when 30% of requests are throttled', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    await using world = await startApplyWorld(names.map((n) => simUser(n)));
    const plan = await world.plan(names.map((n) => desired(n, world, { photoUrl: undefined })));
    expect(plan.actions).toHaveLength(60);
    world.sim.patchFaults({ rate429: 0.3, seed: 7 });

    const result = await applyPlan(plan, world.deps, options(world));
    expect(result.failed).toEqual([]);
    expect(appliedTotal(result.applied)).toBe(60);
    const throttled = Object.entries(world.sim.statsSnapshot().requests).filter(([k]) => k.endsWith(' 429'));
    expect(throttled.length).toBeGreaterThan(0);
    const writes = Object.values(world.sim.statsSnapshot().writesPerUser);
    expect(writes).toHaveLength(30);
    expect(writes.every((n) => n === 2)).toBe(true);
  });

  it('isolates failures: a refused PATCH and bad photos fail alone, with their causes', async () => {
    await using world = await startApplyWorld([
      simUser('ann'),
      simUser('adm', { isAdmin: true }),
      simUser('ssrf'),
      simUser('huge'),
      simUser('text'),
    ]);
    const noSig = { signature: undefined };
    const plan = await world.plan([
      desired('ann', world, noSig),
      desired('adm', world, { ...noSig, photoUrl: undefined, fields: { mobilePhone: '+47 912 34 567' } }),
      desired('ssrf', world, { ...noSig, photoUrl: 'http://169.254.169.254/latest/meta-data/iam' }),
      desired('huge', world, { ...noSig, photoUrl: `${world.photos.origin}/huge.jpg` }),
      desired('text', world, { ...noSig, photoUrl: `${world.photos.origin}/text.jpg` }),
    ]);

    const result = await applyPlan(plan, world.deps, options(world));
    expect(result.outcome).toBe('partial');
    expect(applyExitCode(result)).toBe(1);
    const written = (await journal(world, result.runId)).filter((r) => r.status === 'applied');
    expect(written.map((r) => r.action_key).sort()).toEqual(
      ['ann#photo', 'ann#profile', 'huge#profile', 'ssrf#profile', 'text#profile'].map(
        (k) => `${k.replace('#', `@${DOMAIN}#`)}`,
      ),
    );
    const failures = Object.fromEntries(result.failed.map((f) => [f.key, f]));
    expect(failures[`${upn('adm')}#profile`]).toMatchObject({
      service: 'graph',
      status: 403,
      code: 'Authorization_RequestDenied',
      requestId: expect.any(String),
    });
    expect(failures[`${upn('ssrf')}#photo`]).toMatchObject({
      service: 'photo-source',
      code: 'host-not-allowed',
    });
    expect(failures[`${upn('huge')}#photo`]).toMatchObject({ service: 'photo-source', code: 'too-large' });
    expect(failures[`${upn('text')}#photo`]).toMatchObject({ service: 'photo-source', code: 'not-an-image' });
    expect(world.sim.state.photos.has(world.idOf(upn('huge')))).toBe(false);

    const summary = renderApplySummary(result);
    expect(summary).toContain(`Run ${result.runId}: partial`);
    expect(summary).toMatch(
      /adm@contoso\.com#profile: .* \[graph, HTTP 403, Authorization_RequestDenied, request-id [0-9a-f-]+\]/,
    );
    expect(summary).toMatch(/ssrf@contoso\.com#photo: photo not used: .* \[photo-source, host-not-allowed\]/);

    const rows = await journal(world, result.runId);
    const adm = rows.find((r) => r.action_key === `${upn('adm')}#profile`)!;
    expect(adm).toMatchObject({ status: 'failed', error: { code: 'Authorization_RequestDenied' } });
    expect(adm.request_id).toEqual(failures[`${upn('adm')}#profile`]!.requestId);
    expect(rows.filter((r) => r.status === 'failed')).toHaveLength(4);
    const lastApplied = await world.store.getLastApplied(world.tenantId);
    expect(lastApplied.has(`${world.idOf(upn('adm'))}/profile`)).toBe(false);
    expect(lastApplied.has(`${world.idOf(upn('ann'))}/photo`)).toBe(true);
  });
});

describe('applyPlan refusals', () => {
  it('stops on each tripped guardrail before any write, recording a stopped run', async () => {
    await using world = await startApplyWorld([simUser('ann'), simUser('bob')]);
    const employees = ['ann', 'bob'].map((n) => desired(n, world, { photoUrl: undefined }));

    const large = await world.plan(employees, {
      guardrails: { maxChanges: { absolute: 1 }, maxSourceShrinkPercent: 20 },
    });
    await expect(applyPlan(large, world.deps, options(world))).rejects.toThrowErrorMatchingInlineSnapshot(`
      [GuardrailError: apply stopped before any write by a guardrail:
      max-changes: the plan changes 2 users, more than the limit of 1 per run (guardrails.maxChanges); review it and re-run with --allow-large-change to proceed]
    `);
    const shrink = await world.plan(employees, { previousSourceCount: 10 });
    await expect(applyPlan(shrink, world.deps, options(world))).rejects.toMatchObject({
      guardrail: 'source-shrink',
      message: expect.stringContaining('check the HR import before proceeding'),
    });
    world.sim.patchOrganizationConfig({ PostponeRoamingSignaturesUntilLater: false });
    const roaming = await world.plan(employees);
    const error = await applyPlan(roaming, world.deps, options(world, { allowLargeChange: true })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GuardrailError);
    expect((error as GuardrailError).guardrail).toBe('roaming-signatures');
    expect((error as Error).message).toContain(
      'Set-OrganizationConfig -PostponeRoamingSignaturesUntilLater $true',
    );

    expect(world.writes()).toBe(0);
    const runs = await world.store.listRuns(10, world.tenantId);
    expect(runs.map((r) => r.outcome)).toEqual(['stopped', 'stopped', 'stopped']);
    const { rows } = await world.db.pool.query('SELECT count(*)::int AS n FROM roster.journal');
    expect(rows[0].n).toBe(0);

    // --allow-large-change lifts max-changes only.
    world.sim.patchOrganizationConfig({ PostponeRoamingSignaturesUntilLater: true });
    const result = await applyPlan(large, world.deps, options(world, { allowLargeChange: true }));
    expect(appliedTotal(result.applied)).toBe(4);
  });

  it("refuses another tenant's or another revision's plan before anything is recorded", async () => {
    await using world = await startApplyWorld([simUser('ann')]);
    const plan = await world.plan([desired('ann', world, { photoUrl: undefined })]);
    await expect(applyPlan(plan, world.deps, options(world, { tenantId: 'other-tenant' }))).rejects.toThrow(
      PlanFileError,
    );
    await expect(
      applyPlan(plan, world.deps, options(world, { configRevision: 'rev-2' })),
    ).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PlanFileError: the plan was made from configuration revision rev-1, but the configuration is now at rev-2; run roster plan again and review the new plan]`,
    );
    expect(world.writes()).toBe(0);
    expect(await world.store.listRuns(10)).toEqual([]);
  });
});

describe('interruption and crash recovery', () => {
  it('on abort finishes the writes in flight, journals them, leaves the rest not started, and a new apply converges', async () => {
    const names = Array.from({ length: 24 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    await using world = await startApplyWorld(
      names.map((n) => simUser(n, { surname: 'New', jobTitle: 'Engineer', displayName: `${n} New` })),
    );
    const employees = names.map((n) => desired(n, world, { photoUrl: undefined }));
    const plan = await world.plan(employees);
    expect(plan.actions.every((a) => a.kind === 'set-signature')).toBe(true);
    const controller = new AbortController();
    const real = world.deps.signatures;
    const signatures = {
      getMessageConfigs: real.getMessageConfigs.bind(real),
      async setMessageConfig(identity: string, update: Parameters<typeof real.setMessageConfig>[1]) {
        const pending = real.setMessageConfig(identity, update);
        controller.abort(); // SIGINT arrives while the first writes are in flight
        return pending;
      },
    };

    const result = await applyPlan(
      plan,
      { ...world.deps, signatures },
      options(world, { signal: controller.signal, concurrency: { signatures: 3 } }),
    );
    expect(result.interrupted).toBe(true);
    expect(result.outcome).toBe('partial');
    expect(result.failed).toEqual([]);
    const applied = appliedTotal(result.applied);
    expect(applied).toBeGreaterThanOrEqual(1);
    expect(applied).toBeLessThanOrEqual(3);
    expect(applied + result.notStarted.length).toBe(24);
    expect(applyExitCode(result)).toBe(1);
    // Every write the tenant saw is journaled, and nothing else.
    const rows = await journal(world, result.runId);
    expect(rows).toHaveLength(applied);
    expect(world.writes()).toBe(applied);
    const [run] = await world.store.listRuns(1, world.tenantId);
    expect(run).toMatchObject({ outcome: 'partial', error: 'interrupted: stopped starting new writes' });
    expect(run!.counts).toMatchObject({
      applied,
      'not-started': result.notStarted.length,
    });

    const next = await world.plan(employees);
    expect(next.actions).toHaveLength(result.notStarted.length);
    const second = await applyPlan(next, world.deps, options(world));
    expect(second.outcome).toBe('succeeded');
    expect(Object.values(world.sim.statsSnapshot().writesPerUser).every((n) => n === 1)).toBe(true);
    expect(Object.keys(world.sim.statsSnapshot().writesPerUser)).toHaveLength(24);
  });

  it('a plan that cannot be read to its end stops new writes; the run is recorded with what was applied', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `r${String(i).padStart(2, '0')}`);
    await using world = await startApplyWorld(
      names.map((n) => simUser(n, { surname: 'New', jobTitle: 'Engineer', displayName: `${n} New` })),
    );
    const plan = await world.plan(names.map((n) => desired(n, world, { photoUrl: undefined })));
    expect(plan.actions).toHaveLength(12);
    const { actions, ...head } = plan;
    // A plan file whose private copy goes away after five actions.
    const source: PlanSource = {
      head,
      hash: planHash(plan),
      actionCount: actions.length,
      async *actions(kind) {
        let read = 0;
        for (const action of actions) {
          if (kind && action.kind !== kind) continue;
          if (read++ === 5) throw new Error('ENOENT: the plan copy is gone');
          yield action;
        }
      },
    };
    await expect(
      applyPlan(source, world.deps, options(world, { concurrency: { signatures: 1 } })),
    ).rejects.toThrowError(
      'the plan could not be read on: ENOENT: the plan copy is gone; the run is recorded as partial (5 applied, journaled) — plan again',
    );
    const [run] = await world.store.listRuns(1, world.tenantId);
    expect(run).toMatchObject({
      outcome: 'partial',
      error: 'the plan could not be read on: ENOENT: the plan copy is gone',
    });
    expect(await journal(world, run!.id)).toHaveLength(5);
    expect(world.writes()).toBe(5);
  });

  it('after a process died between writes and journal rows, the next apply closes the run and converges without duplicates', async () => {
    await using world = await startApplyWorld([simUser('ann'), simUser('bob')]);
    const employees = ['ann', 'bob'].map((n) => desired(n, world, { signature: undefined }));
    const plan = await world.plan(employees);
    // The killed process: run started, ann's profile and photo written, nothing journaled.
    const dead = await world.store.startRun({ kind: 'apply', tenantId: world.tenantId, actor: 'killed' });
    const ann = plan.actions.filter((a) => a.employee === upn('ann'));
    const profile = ann.find((a) => a.kind === 'update-profile')!;
    if (profile.kind !== 'update-profile') throw new Error('unreachable');
    await world.adapters.directory.patchUsers([
      { userId: profile.userId, body: Object.fromEntries(profile.changes.map((c) => [c.field, c.after])) },
    ]);
    const images = await fetch(`${world.photos.origin}/ok.jpg`).then(async (r) =>
      Buffer.from(await r.arrayBuffer()),
    );
    await world.adapters.photos.putPhoto(profile.userId, images, 'image/jpeg');

    const next = await world.plan(employees);
    expect(next.actions.map((a) => `${a.key} ${a.kind === 'set-photo' ? a.photoReason : ''}`.trim())).toEqual(
      [`${upn('ann')}#photo not-set-by-roster`, `${upn('bob')}#profile`, `${upn('bob')}#photo no-photo`],
    );
    const result = await applyPlan(next, world.deps, options(world));
    expect(result.outcome).toBe('succeeded');
    const orphan = await world.store.getRun(dead);
    expect(orphan).toMatchObject({ outcome: 'failed', error: ORPHANED_RUN_ERROR });
    // ann: one profile write (not repeated) + two photo writes (idempotent); bob: profile + photo.
    expect(world.sim.statsSnapshot().writesPerUser).toEqual({
      [world.idOf(upn('ann'))]: 3,
      [world.idOf(upn('bob'))]: 2,
    });
    expect((await world.plan(employees)).actions).toEqual([]);
  });
});

describe('rollback', () => {
  it("restores a run's profile before-values through the same stale checks", async () => {
    await using world = await startApplyWorld([simUser('ann'), simUser('bob', { jobTitle: null })]);
    const employees = ['ann', 'bob'].map((n) => desired(n, world, { signature: undefined }));
    const applied = await applyPlan(await world.plan(employees), world.deps, options(world));
    expect(appliedTotal(applied.applied)).toBe(4);
    const run = (await world.store.getRun(applied.runId))!;
    const observed = await world.observe();
    const plan = rollbackPlan(run, observed.users, {
      tenantId: world.tenantId,
      configRevision: REVISION,
      guardrails: { maxChanges: { absolute: 100 }, maxSourceShrinkPercent: 20 },
    });
    expect(plan.warnings.map((w) => w.message)).toEqual([
      `photos and signatures are not rolled back: run ${run.id} set 2 photo(s) and 0 signature(s); the tenant keeps no earlier copy to restore`,
    ]);
    const result = await applyPlan(plan, world.deps, options(world, { runKind: 'rollback' }));
    expect(result).toMatchObject({ outcome: 'succeeded', failed: [], skippedStale: [] });
    const ann = world.sim.state.users.get(world.idOf(upn('ann')))!;
    const bob = world.sim.state.users.get(world.idOf(upn('bob')))!;
    expect([ann.surname, ann.displayName, ann.jobTitle]).toEqual(['Old', 'ann Old', 'Intern']);
    expect([bob.surname, bob.jobTitle]).toEqual(['Old', null]);
    const [latest] = await world.store.listRuns(1, world.tenantId);
    expect(latest).toMatchObject({ kind: 'rollback', outcome: 'succeeded' });
  });
});
