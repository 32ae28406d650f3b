import { describe, expect, it } from 'vitest';
import { runPlanCommand } from '../../src/cli/plan.js';
import { readPlanJson } from '../../src/plan/plan-file.js';
import type { Plan } from '../../src/plan/plan-model.js';
import { defaultBehaviourSettings } from '../../src/sim/seed.js';
import {
  createTestWorld,
  usersFromDesired,
  type TestWorld,
  type WorldOptions,
} from '../support/roster-world.js';

const ADMIN_ROLE = '62e90394-69f5-4237-9190-012177145e10';

async function plan(world: TestWorld): Promise<Plan> {
  const ctx = world.context();
  await runPlanCommand(ctx, { format: 'json' });
  return readPlanJson(ctx.output(), 'stdout');
}

function world(options: WorldOptions) {
  return createTestWorld({ users: async ({ desired }) => usersFromDesired(await desired()), ...options });
}

const photoSettings = (source: 'cloud' | 'onPremises', allowedRoles: string[] = []) => ({
  ...defaultBehaviourSettings(),
  photoUpdateSettings: { source, allowedRoles },
});

const photoActions = (p: Plan) => p.actions.filter((a) => a.kind === 'set-photo').length;
const warnings = (p: Plan, kind: string) => p.warnings.filter((w) => w.kind === kind);

describe('photo update settings, read once per plan', () => {
  it('a tenant whose photos are managed on-premises gets one warning instead of a photo action per user', async () => {
    await using w = await world({ behaviour: photoSettings('onPremises') });
    const p = await plan(w);
    expect(photoActions(p)).toBe(0);
    expect(p.summary.setPhoto).toBe(0);
    expect(warnings(p, 'photos-blocked')).toEqual([
      { kind: 'photos-blocked', message: expect.stringMatching(/^profile photos are managed on-premises/) },
    ]);
    // Everything else is planned as usual.
    expect(p.actions.some((a) => a.kind === 'set-signature')).toBe(true);
    expect(w.sim.statsSnapshot().requests['GET /beta/admin/people/photoUpdateSettings 200']).toBe(1);
  });

  it('roles: skipped unless photos.appRoles holds an allowed one; planned as usual in a cloud tenant', async () => {
    await using restricted = await world({ behaviour: photoSettings('cloud', [ADMIN_ROLE]) });
    const blocked = await plan(restricted);
    expect(photoActions(blocked)).toBe(0);
    expect(warnings(blocked, 'photos-blocked')[0]?.message).toContain(ADMIN_ROLE);

    await using allowed = await world({
      behaviour: photoSettings('cloud', [ADMIN_ROLE]),
      settings: { photos: { allowedHosts: ['hr.example.no'], appRoles: [ADMIN_ROLE.toUpperCase()] } },
    });
    const planned = await plan(allowed);
    expect(photoActions(planned)).toBeGreaterThan(0);
    expect(warnings(planned, 'photos-blocked')).toEqual([]);
    await using cloud = await world({});
    expect(photoActions(planned)).toBe(photoActions(await plan(cloud)));
  });

  it('settings that cannot be read are a warning, and photos are planned', async () => {
    await using w = await world({
      behaviour: photoSettings('onPremises'),
      graphPermissions: ['User.ReadWrite.All', 'ProfilePhoto.ReadWrite.All'],
    });
    const p = await plan(w);
    expect(photoActions(p)).toBeGreaterThan(0);
    expect(warnings(p, 'photos-blocked')).toEqual([]);
    expect(warnings(p, 'observation').map((x) => x.message)).toEqual([
      expect.stringMatching(
        /^photo update settings could not be read \(grant PeopleSettings\.Read\.All .*\): graph GET \/beta\/admin\/people\/photoUpdateSettings: 403 Authorization_RequestDenied/,
      ),
    ]);
  });
});
