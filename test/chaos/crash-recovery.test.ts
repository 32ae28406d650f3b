import { describe, expect, it } from 'vitest';
import { ORPHANED_RUN_ERROR } from '../../src/apply/orphaned-runs.js';
import { seededRandom } from '../../src/local/seed-hr.js';
import { CLIENT_SECRET } from '../support/roster-world.js';
import { journal, requestCount, roster, Transcript, writesByUpn } from './chaos-support.js';
import { createChaosWorld, expectTenantMatchesDesired } from './chaos-world.js';

const KILLS = 10;
const APPLY = ['apply', '--auto-approve', '--deep-check'];

/**
 * SIGKILL of `roster apply` at seeded random points while it writes; after each kill a normal
 * apply. What is guaranteed (and asserted per round, i.e. per change of the desired state):
 * - each profile change is PATCHed exactly once, and journaled at most once (never twice: a
 *   PATCH whose journal row was lost to the kill is seen in sync by the next plan and not redone);
 * - each photo and signature change is journaled as applied exactly once, and written exactly once:
 *   a write the kill left undecided is journaled `interrupted`, and the next apply reads the tenant
 *   before making it again (the simulator shows writes at once here: nothing is repeated);
 * - every run ends finished (the kill's orphan is closed by the next apply), no journal row is
 *   duplicated, and the tenant converges: the final plan is empty.
 */
describe('crash recovery: SIGKILL of roster apply at 10 random points', () => {
  it('every following apply converges; the journal has no orphaned or duplicated entries', async () => {
    await using world = await createChaosWorld({ employees: 32, seed: 21 });
    const transcript = new Transcript();
    const random = seededRandom('roster-crash-suite');
    world.sim.patchFaults({ latencyMs: 40, jitterMs: 40, services: ['graph', 'exchange'] });
    const users = (await world.desired()).employees;
    expect(users.length).toBeGreaterThanOrEqual(28);
    let killedMidApply = 0;

    for (let round = 1; round <= KILLS; round++) {
      if (round > 1) {
        // New desired state: every title changes (profile + signature), photos vanish out of band.
        await world.db.pool.query(
          `UPDATE employees SET title = regexp_replace(coalesce(title, 'Rådgiver'), ' r\\d+$', '') || ' r${round}'`,
        );
        for (const u of users) if (u.photoUrl) world.sim.deletePhoto(u.key);
      }
      const writesBefore = writesByUpn(world);
      const patchesBefore = requestCount(world, /^PATCH \/v1\.0\/users\/\{id\} 204$/);
      const before = await journal(world);
      const delayMs = Math.floor(random() * 1_500);
      let killed = false;
      const crashed = await roster(world, APPLY, {
        transcript,
        logLevel: 'info',
        onSpawn: (child) =>
          child.stderr?.on('data', (chunk: Buffer) => {
            if (killed || !chunk.toString().includes('apply started')) return;
            killed = true;
            setTimeout(() => child.kill('SIGKILL'), delayMs);
          }),
      });
      // A kill that landed after the run was journaled as finished is no crash mid-apply: count
      // only the kills that left a run unfinished (the next apply must close it as orphaned).
      if (crashed.signal === 'SIGKILL' && (await journal(world)).runs.some((r) => r.finished_at === null)) {
        killedMidApply += 1;
      }
      const recovered = await roster(world, APPLY, { transcript, logLevel: 'info' });
      expect(recovered.stderr).not.toContain('internal error');
      expect(recovered.code, recovered.stdout.slice(-1500)).toBe(0);

      const after = await journal(world);
      const newRuns = after.runs.filter((r) => !before.runs.some((b) => b.id === r.id));
      const rows = after.rows.filter((r) => newRuns.some((n) => n.id === r.run_id));
      const writes = writesByUpn(world);
      for (const u of users) {
        const mine = rows.filter((r) => r.employee_email === u.key && r.status === 'applied');
        const count = (aspect: string) => mine.filter((r) => r.aspect === aspect).length;
        expect({ round, who: u.key, profile: count('profile') <= 1 }).toEqual({
          round,
          who: u.key,
          profile: true,
        });
        expect({ round, who: u.key, signature: count('signature'), photo: count('photo') }).toEqual({
          round,
          who: u.key,
          signature: 1,
          photo: u.photoUrl ? 1 : 0,
        });
        const made = (writes[u.key] ?? 0) - (writesBefore[u.key] ?? 0);
        expect(
          made,
          `${u.key} round ${round}: ${JSON.stringify(after.rows.filter((r) => r.employee_email === u.key).map((r) => [r.run_id.slice(0, 4), r.aspect, r.status]))} ${crashed.signal}`,
        ).toBe(2 + (u.photoUrl ? 1 : 0));
      }
      // Each user's profile change went out exactly once, whoever journaled it.
      const patches = requestCount(world, /^PATCH \/v1\.0\/users\/\{id\} 204$/) - patchesBefore;
      expect({ round, patches }).toEqual({ round, patches: users.length });
    }
    expect(killedMidApply).toBeGreaterThanOrEqual(7);
    // The journal tells which writes the kills left undecided.
    const interrupted = await world.db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM roster.journal WHERE status = 'interrupted'",
    );
    expect(interrupted.rows[0]!.n).toBeGreaterThan(0);

    const final = await roster(world, ['plan', '--detailed-exitcode', '--deep-check'], { transcript });
    expect(final.stdout).toContain('No changes:');
    expect(final.code).toBe(0);
    await expectTenantMatchesDesired(world);

    const { runs } = await journal(world);
    expect(runs.filter((r) => r.finished_at === null)).toEqual([]);
    const orphans = runs.filter((r) => r.error === ORPHANED_RUN_ERROR);
    expect(orphans.length).toBe(killedMidApply);
    expect(orphans.every((r) => r.outcome === 'failed')).toBe(true);
    const duplicates = await world.db.pool.query(
      'SELECT run_id, action_key, count(*) FROM roster.journal GROUP BY run_id, action_key HAVING count(*) > 1',
    );
    expect(duplicates.rows).toEqual([]);
    transcript.expectNoSecrets({ CLIENT_SECRET });
  }, 900_000);
});
