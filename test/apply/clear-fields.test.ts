import { describe, expect, it } from 'vitest';
import { employee } from '../../src/plan/test-builders.js';
import { applyPlan, DOMAIN, REVISION, startApplyWorld } from './apply-world.js';

const UPN = `kari@${DOMAIN}`;

describe('clearing fields against the simulator', () => {
  it('clears businessPhones with [] and mobilePhone with null, and the next plan is empty', async () => {
    await using world = await startApplyWorld([
      {
        userPrincipalName: UPN,
        givenName: 'Kari',
        businessPhones: ['+47 22 00 00 00'],
        mobilePhone: '+47 400 00 000',
      },
    ]);
    // What the desired state holds for an empty source value under `clearWhenEmpty`.
    const employees = [
      employee(UPN, { fields: { givenName: 'Kari', businessPhones: null, mobilePhone: null } }),
    ];
    const plan = await world.plan(employees);
    expect(plan.actions).toMatchObject([
      {
        kind: 'update-profile',
        changes: [
          { field: 'businessPhones', before: ['+47 22 00 00 00'], after: null },
          { field: 'mobilePhone', before: '+47 400 00 000', after: null },
        ],
      },
    ]);

    const result = await applyPlan(plan, world.deps, {
      tenantId: world.tenantId,
      configRevision: REVISION,
      actor: 'test',
    });
    expect(result.failed).toEqual([]);
    expect(result.applied).toEqual({ 'update-profile': 1, 'set-photo': 0, 'set-signature': 0 });
    const user = world.sim.state.users.get(world.idOf(UPN))!;
    expect([user.businessPhones, user.mobilePhone]).toEqual([[], null]);
    expect((await world.plan(employees)).actions).toEqual([]);
  });
});
