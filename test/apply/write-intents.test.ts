import { describe, expect, it } from 'vitest';
import { closeOrphanedRuns } from '../../src/apply/orphaned-runs.js';
import type { SetPhotoAction, SetSignatureAction } from '../../src/plan/plan-model.js';
import {
  applyPlan,
  desired,
  options,
  simUser,
  startApplyWorld,
  upn,
  type ApplyWorld,
} from './apply-world.js';

/** Announces the writes as the run `runId` would have before making them. */
async function announce(world: ApplyWorld, runId: string, actions: (SetPhotoAction | SetSignatureAction)[]) {
  for (const a of actions) {
    await world.store.recordIntent(world.tenantId, {
      runId,
      userId: a.userId,
      aspect: a.kind === 'set-photo' ? 'photo' : 'signature',
      actionKey: a.key,
      employeeEmail: a.employee,
      ...(a.kind === 'set-photo'
        ? a.expectedEtag !== undefined && { beforeWrite: a.expectedEtag }
        : a.expectedFingerprint !== undefined && { beforeWrite: a.expectedFingerprint }),
    });
  }
}

/**
 * A process killed between a photo or signature write and its journal row: the write was
 * announced, so the next apply knows it may have happened, reads the tenant, and repeats only
 * what did not land.
 */
describe('writes a killed apply left undecided', () => {
  it('are journaled as interrupted; the next apply writes again only what did not land', async () => {
    await using world = await startApplyWorld([simUser('ann'), simUser('bob')]);
    const employees = [desired('ann', world), desired('bob', world)];
    const plan = await world.plan(employees);
    const writes = plan.actions.filter(
      (a): a is SetPhotoAction | SetSignatureAction => a.kind !== 'update-profile',
    );
    // A run wrote ann's photo and signature, then died before journaling them (its rows are
    // removed, the run left unfinished); it had announced bob's writes too, which never went out.
    const landed = await applyPlan(
      { ...plan, actions: writes.filter((a) => a.employee === upn('ann')) },
      world.deps,
      options(world),
    );
    expect(landed.outcome).toBe('succeeded');
    const runId = landed.runId;
    await world.db.pool.query('DELETE FROM roster.journal WHERE run_id = $1', [runId]);
    await world.db.pool.query('DELETE FROM roster.last_applied');
    await world.db.pool.query('UPDATE roster.runs SET finished_at = NULL, outcome = NULL WHERE id = $1', [
      runId,
    ]);
    await announce(world, runId, writes);
    expect(await closeOrphanedRuns(world.store, world.tenantId)).toContain(runId);
    const { rows: interrupted } = await world.db.pool.query<{ action_key: string }>(
      "SELECT action_key FROM roster.journal WHERE run_id = $1 AND status = 'interrupted' ORDER BY action_key",
      [runId],
    );
    expect(interrupted.map((r) => r.action_key)).toEqual(writes.map((a) => a.key).sort());

    const before = { ...world.sim.statsSnapshot().writesPerUser } as Record<string, number>;
    const again = await world.plan(employees);
    const result = await applyPlan(again, world.deps, options(world));
    expect(result.outcome).toBe('succeeded');
    const after = world.sim.statsSnapshot().writesPerUser as Record<string, number>;
    const made = (name: string) => (after[world.idOf(upn(name))] ?? 0) - (before[world.idOf(upn(name))] ?? 0);
    // ann: her profile only (photo and signature are seen in the tenant); bob: all three.
    expect([made('ann'), made('bob')]).toEqual([1, 3]);
    const { rows } = await world.db.pool.query<{
      action_key: string;
      status: string;
      verified: string | null;
    }>(
      `SELECT action_key, status, after->>'verified' AS verified FROM roster.journal WHERE run_id = $1 ORDER BY action_key`,
      [result.runId],
    );
    expect(rows.filter((r) => r.verified !== null).map((r) => r.action_key)).toEqual([
      `${upn('ann')}#photo`,
      `${upn('ann')}#signature`,
    ]);
    // Every intent was decided and forgotten; the next plan is empty.
    expect((await world.db.pool.query('SELECT 1 FROM roster.write_intents')).rowCount).toBe(0);
    expect((await world.plan(employees)).actions).toEqual([]);
  });
});
