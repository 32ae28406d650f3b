import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlanCommand } from '../../src/cli/plan.js';
import { generateHrData } from '../../src/local/seed-hr.js';
import { readPlanJson } from '../../src/plan/plan-file.js';
import type { Plan, UpdateProfileAction } from '../../src/plan/plan-model.js';
import { createTestWorld, usersFromDesired, type TestWorld } from '../support/roster-world.js';

async function plan(
  world: TestWorld,
  extra: Record<string, unknown> = {},
): Promise<{ plan: Plan; code: number }> {
  const ctx = world.context();
  const code = await runPlanCommand(ctx, { format: 'json', detailedExitcode: true, ...extra });
  return { plan: readPlanJson(ctx.output(), 'stdout'), code };
}

const PROFILE_ONLY = { photos: { enabled: false }, signatures: { enabled: false } };

describe('roster plan against the simulator and PostgreSQL', () => {
  it('fresh tenant: every matched employee gets its profile, photo and signature; problems are warnings', async () => {
    await using world = await createTestWorld({
      users: ({ hr }) => [
        ...[...new Set(hr.employees.filter((e) => e.status === 'active').map((e) => e.email.toLowerCase()))]
          .filter((email) => email !== 'froydis.odegard@example.no')
          .map((email) => ({ userPrincipalName: email, mail: email, displayName: 'x' })),
        { userPrincipalName: 'guest@partner.example', jobTitle: 'Never touched' },
      ],
    });
    const { plan: p, code } = await plan(world);
    expect(code).toBe(2);
    const soren = p.actions.find((a): a is UpdateProfileAction => a.key === 'soren.aero@example.no#profile');
    expect(soren?.changes).toEqual([
      { field: 'department', before: null, after: 'Oslo Sentrum' },
      { field: 'displayName', before: 'x', after: 'Søren Ærø' },
      { field: 'givenName', before: null, after: 'Søren' },
      { field: 'jobTitle', before: null, after: 'Kontorsjef Oslo' },
      { field: 'mobilePhone', before: null, after: '+47 91 23 45 67' },
      { field: 'officeLocation', before: null, after: 'Oslo' },
      { field: 'surname', before: null, after: 'Ærø' },
    ]);
    const employees = new Set(p.actions.map((a) => a.employee));
    expect([...employees].sort()).toEqual([
      'ase.maeland@example.no',
      'bjorn.okland@example.no',
      'goril.strom@example.no',
      'kare.saether@example.no',
      'oystein.lovas@example.no',
      'soren.aero@example.no',
    ]);
    expect(
      p.actions
        .filter((a) => a.kind === 'set-photo')
        // Not read: a photo Roster never set is one it will upload whatever the tenant holds.
        .every(
          (a) =>
            a.kind === 'set-photo' && a.photoReason === 'not-set-by-roster' && a.expectedEtag === undefined,
        ),
    ).toBe(true);
    expect(p.summary).toMatchObject({ updateProfile: 6, setPhoto: 5, setSignature: 6 });
    expect(p.warnings.map((w) => `${w.kind} ${w.employee ?? ''}`)).toEqual([
      'employee-error ola.nordmann@example.no',
      'employee-error ola.nordmann@example.no',
      'guardrail ',
      'unmatched froydis.odegard@example.no',
    ]);
    // The example configuration allows 10% of the managed users per run: a fresh tenant trips it.
    expect(p.guardrails.find((g) => g.name === 'max-changes')).toMatchObject({ tripped: true });
    expect(JSON.stringify(p)).not.toContain('guest@partner.example');
    expect(JSON.stringify(p)).not.toContain('stale.krakenes');
  });

  it('tenant equal to desired: empty plan, exit 0; an out-of-band change shows as exactly that drift', async () => {
    await using world = await createTestWorld({
      settings: PROFILE_ONLY,
      users: async ({ desired }) => usersFromDesired(await desired()),
    });
    const first = await plan(world);
    expect(first.plan.actions).toEqual([]);
    expect(first.code).toBe(0);

    world.sim.patchUser('bjorn.okland@example.no', { department: 'Gammel avdeling' });
    world.sim.resetStats();
    const second = await plan(world);
    expect(second.code).toBe(2);
    expect(second.plan.actions).toEqual([
      expect.objectContaining({
        key: 'bjorn.okland@example.no#profile',
        changes: [{ field: 'department', before: 'Gammel avdeling', after: 'Bergen Bryggen' }],
      }),
    ]);
    // The re-plan continued from the snapshot with one delta round, not a full listing.
    const requests = world.sim.statsSnapshot().requests as Record<string, number>;
    expect(requests['GET /v1.0/users/delta 200']).toBe(1);
    expect(requests['GET /v1.0/users 200']).toBeUndefined();
  });

  it('writes text, JSON and markdown; markdown goes to the step summary too', async () => {
    await using world = await createTestWorld({
      settings: PROFILE_ONLY,
      users: async ({ desired }) =>
        usersFromDesired(await desired()).map((u) =>
          u.userPrincipalName === 'ase.maeland@example.no' ? { ...u, jobTitle: 'Gammel tittel' } : u,
        ),
    });
    const dir = await mkdtemp(join(tmpdir(), 'roster-out-'));
    const summary = join(dir, 'summary.md');
    const ctx = world.context();
    ctx.env.GITHUB_STEP_SUMMARY = summary;
    expect(await runPlanCommand(ctx, { format: 'markdown', out: join(dir, 'plan.md') })).toBe(0);
    const md = await readFile(join(dir, 'plan.md'), 'utf8');
    expect(md).toContain('| Profile updates | 1 |');
    expect(md).toContain('<code>Gammel tittel</code> | <code>Prosjektleder</code>');
    expect(await readFile(summary, 'utf8')).toBe(md);
    expect(ctx.output()).toContain('Plan written to');

    const text = world.context();
    await runPlanCommand(text, { format: 'text' });
    expect(text.output()).toContain('~ jobTitle: "Gammel tittel" → "Prosjektleder"');
    expect(text.output()).not.toContain('\x1b[');
  });

  it('1,000+ users: one paged list, no read of a photo or mailbox Roster never set (unless --deep-check: batched photo reads, one read per mailbox); the re-plan is a handful of requests', async () => {
    const hr = generateHrData({ employees: 1_100, offices: 6, seed: 7 });
    await using world = await createTestWorld({
      hr,
      overrides: false,
      settings: {
        photos: { enabled: true, allowedHosts: ['hr.example.no'] },
        rateLimits: { exchangeRequestsPerMinute: 100_000, exchangeConcurrency: 8 },
      },
      users: async ({ desired }) => usersFromDesired(await desired()),
    });
    const first = await plan(world);
    const r1 = world.sim.statsSnapshot().requests as Record<string, number>;
    const count = (prefix: string) =>
      Object.entries(r1)
        .filter(([k]) => k.startsWith(prefix))
        .reduce((n, [, v]) => n + v, 0);
    expect(count('GET /v1.0/users ')).toBe(2); // 999 + the rest
    expect(count('GET /v1.0/users/{id} ')).toBe(0); // never one GET per employee
    const matched = first.plan.summary.matched;
    // No photo Roster never set is read either: the plan knows it will upload each.
    expect(count('POST /v1.0/$batch ')).toBe(0);
    // The organization config only: every mailbox is one Roster never set, so its signature
    // "will be set" without being read (one Exchange call per signature on the first sync).
    expect(count('POST /adminapi/beta/{tenant}/InvokeCommand ')).toBe(1);
    const signatures = first.plan.actions.filter((a) => a.kind === 'set-signature');
    expect(signatures).toHaveLength(matched);
    expect(
      signatures.every((a) => a.signatureReason === 'never-applied' && a.expectedFingerprint === undefined),
    ).toBe(true);
    // --deep-check reads every mailbox: one Get-MailboxMessageConfiguration each.
    world.sim.resetStats();
    await plan(world, { deepCheck: true });
    const forced = world.sim.statsSnapshot().requests as Record<string, number>;
    const forcedCount = (prefix: string) =>
      Object.entries(forced)
        .filter(([k]) => k.startsWith(prefix))
        .reduce((n, [, v]) => n + v, 0);
    expect(forcedCount('POST /adminapi/beta/{tenant}/InvokeCommand ')).toBe(matched + 1);
    // And every photo, 20 to a `$batch`.
    expect(forcedCount('POST /v1.0/$batch ')).toBe(
      Math.ceil(first.plan.actions.filter((a) => a.kind === 'set-photo').length / 20),
    );

    world.sim.resetStats();
    const second = await plan(world);
    const r2 = world.sim.statsSnapshot().requests as Record<string, number>;
    const total = Object.values(r2).reduce((n, v) => n + v, 0);
    expect(total).toBeLessThanOrEqual(15);
    expect(second.plan.summary.matched).toBe(matched);
  });
});
