import { describe, expect, it } from 'vitest';
import { collectPlan } from '../../src/runs/collect-plan.js';
import { run } from '../../src/runs/run.js';
import { openRuntime } from '../../src/runtime/open-runtime.js';
import { createTestWorld, usersFromDesired, type WorldOptions } from '../support/roster-world.js';

/** One plan run through the real runtime; the paths the simulator's service origin received. */
async function planIn(options: WorldOptions) {
  const paths: string[] = [];
  await using world = await createTestWorld({ ...options, onRequest: (req) => paths.push(req.path) });
  const runtime = await openRuntime({ dir: world.dir, env: world.env });
  try {
    const collected = collectPlan();
    const result = await run(runtime, { kind: 'plan', actor: 'test' }, collected);
    expect(result.failure).toBeUndefined();
    return {
      plan: collected.plan()!,
      domainReads: paths.filter((p) => p.startsWith('/v1.0/domains')).length,
    };
  } finally {
    await runtime.close();
  }
}

describe('a plan run in which no employee matched', () => {
  it("reads the tenant's domains and leads with the no-match warning", async () => {
    const { plan, domainReads } = await planIn({ settings: { scope: { domains: ['contoso.com'] } } });
    expect(domainReads).toBe(1);
    expect(plan.summary).toMatchObject({ matched: 0, warnings: plan.warnings.length });
    expect(plan.warnings[0]).toEqual({
      kind: 'no-match',
      message: expect.stringContaining(
        'scope.domains (contoso.com) names no domain of this tenant, whose domains are example.onmicrosoft.com (initial), example.no (default), partner.example',
      ) as string,
    });
  });

  it('names a domain list it could not read, and still plans', async () => {
    const { plan } = await planIn({
      settings: { scope: { domains: ['contoso.com'] } },
      graphPermissions: ['User.ReadWrite.All', 'ProfilePhoto.ReadWrite.All', 'PeopleSettings.Read.All'],
    });
    expect(plan.warnings[0]?.kind).toBe('no-match');
    expect(plan.warnings[0]?.message).toMatch(/the tenant's domains could not be read \(.*403/);
  });

  it('costs a tenant whose employees match no extra request', async () => {
    const { plan, domainReads } = await planIn({
      users: async ({ desired }) => usersFromDesired(await desired()),
    });
    expect(plan.summary.matched).toBeGreaterThan(0);
    expect(plan.warnings.map((w) => w.kind)).not.toContain('no-match');
    expect(domainReads).toBe(0);
  });
});
