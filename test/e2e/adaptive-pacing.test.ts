import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runApplyCommand } from '../../src/cli/apply.js';
import { generateHrData } from '../../src/local/seed-hr.js';
import { createTestWorld } from '../support/roster-world.js';

/** Exchange calls the simulator answered, and how many of them were 429s. */
function exchangeCalls(stats: { requests: Record<string, number> }) {
  let all = 0;
  let refused = 0;
  for (const [key, n] of Object.entries(stats.requests)) {
    if (!key.includes('InvokeCommand')) continue;
    all += n;
    if (key.endsWith(' 429')) refused += n;
  }
  return { all, refused };
}

describe('pacing without a number: a budget Roster is not told', () => {
  it('plans and applies against a low hidden Exchange budget with no rateLimits: no failure, few 429s, the pace kept', async () => {
    const hr = generateHrData({ employees: 24, offices: 3, seed: 11 });
    // 8 requests per (scaled) minute = 8 per second from a bucket of 8, 2 at a time. The old
    // default paced 2 a second after a first burst of 114: most of this run would have been 429s.
    await using world = await createTestWorld({
      hr,
      pacing: 'fresh',
      overrides: false,
      settings: { photos: { enabled: false } },
      throttle: { enabled: true, timeScale: 1 / 60, exchangeRequestsPerMinute: 8, exchangeConcurrency: 2 },
      users: ({ hr: data }) =>
        [
          ...new Set(data.employees.filter((e) => e.status === 'active').map((e) => e.email.toLowerCase())),
        ].map((email) => ({ userPrincipalName: email, mail: email, displayName: 'Old Name' })),
    });
    expect(await readFile(join(world.dir, 'desired-state/roster.yaml'), 'utf8')).not.toContain('rateLimits');

    const ctx = world.context();
    expect(await runApplyCommand(ctx, undefined, { autoApprove: true, allowLargeChange: true })).toBe(0);
    const journal = await world.db.pool.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM roster.journal GROUP BY status ORDER BY status',
    );
    expect(journal.rows).toEqual([{ status: 'applied', n: expect.any(Number) }]);
    const { all, refused } = exchangeCalls(world.sim.statsSnapshot());
    // A first sync reads no mailbox Roster never set: one Set- per signature, and the org config.
    const { rows: signatures } = await world.db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM roster.journal WHERE aspect = 'signature'",
    );
    expect(signatures[0]!.n).toBeGreaterThan(0);
    expect(all - refused).toBe(signatures[0]!.n + 1);
    // Generous: the benchmark owns the tight target. (This simulator sends Rate-Limit-* headers,
    // which let Roster stay under the budget; the limiter's tests cover a service that does not.)
    expect(refused / all).toBeLessThan(0.1);

    const { rows } = await world.db.pool.query<{ api: string; lanes: { requests?: { rate: number } } }>(
      "SELECT api, lanes FROM roster.learned_pacing WHERE api = 'exchange'",
    );
    expect(rows).toHaveLength(1);
    // What it learned is about the budget: above the cautious start (1 a second), not far above 8.
    const learned = rows[0]!.lanes.requests!.rate;
    expect(learned).toBeGreaterThan(2);
    expect(learned).toBeLessThan(20);
  });
});
