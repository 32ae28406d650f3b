import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPhotoServer, type DemoPhotoServer } from '../../src/local/photo-server.js';
import { smallHrFixture } from '../../src/local/seed-hr.js';
import { createTestWorld, type TestWorld } from '../support/roster-world.js';

const run = promisify(execFile);
const BIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built `roster` binary, as a user runs it (npm test builds it first). */
async function roster(world: TestWorld, args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run('node', [BIN, '-C', world.dir, ...args], {
      env: { ...process.env, ...world.env },
      maxBuffer: 10_000_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the roster binary: plan → apply → plan, history, rollback', () => {
  let photos: DemoPhotoServer;
  let world: TestWorld;

  beforeAll(async () => {
    const bare = smallHrFixture();
    photos = await startPhotoServer({ employees: bare.employees });
    world = await createTestWorld({
      hr: smallHrFixture({ photoBaseUrl: `${photos.url}/photos` }),
      settings: {
        photos: { enabled: true, allowedHosts: ['127.0.0.1'], allowPrivateAddresses: true },
        guardrails: { maxChanges: '100%', maxSourceShrinkPercent: 20 },
      },
      users: ({ hr }) =>
        [...new Set(hr.employees.filter((e) => e.status === 'active').map((e) => e.email.toLowerCase()))].map(
          (email) => ({
            userPrincipalName: email,
            mail: email,
            displayName: 'Old Name',
            jobTitle: 'Old title',
          }),
        ),
    });
  });
  afterAll(async () => {
    await world?.[Symbol.asyncDispose]();
    await photos?.close();
  });

  it('validate and render work against the seeded HR database', async () => {
    const validate = await roster(world, ['validate']);
    // The seeded HR data has two employees with errors: validate says so and exits 1.
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain('configuration: valid');
    expect(validate.stdout).toMatch(
      /source: query valid; 10 active employee\(s\), 7 usable, 1 excluded, 2 with errors/,
    );
    const html = await roster(world, ['render', '--email', 'ase.maeland@example.no']);
    expect(html.code).toBe(0);
    expect(html.stdout).toContain('Åse Mæland');
    expect(html.stdout).not.toContain('<style');
  });

  it('a plan file is written as it is planned: the same bytes as the plan printed whole', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'roster-plan-')), 'plan.json');
    // (--only: a restricted plan does not move the deep-check cadence the next test relies on.)
    const args = [
      'plan',
      '--deep-check',
      '--format',
      'json',
      '--only',
      'soren.aero@example.no',
      'goril.strom@example.no',
    ];
    const printed = await roster(world, args);
    const written = await roster(world, [...args, '--out', out]);
    expect(written.code, written.stderr).toBe(0);
    const plan = JSON.parse(printed.stdout) as { actions: Array<{ kind: string }> };
    expect(plan.actions.map((a) => a.kind)).toEqual([
      'update-profile',
      'set-photo',
      'set-signature',
      'update-profile',
      'set-photo',
      'set-signature',
    ]);
    expect(await readFile(out, 'utf8')).toBe(printed.stdout);
    expect(await readdir(dirname(out))).toEqual(['plan.json']);
  });

  it('a saved plan applies; the next plan is empty and makes no writes', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'roster-plan-')), 'plan.json');
    const planned = await roster(world, ['plan', '--format', 'json', '--out', out, '--detailed-exitcode']);
    expect(planned.code, planned.stderr).toBe(2);
    expect(planned.stdout).toContain('Plan written to');

    const noTty = await roster(world, ['apply']);
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toContain('refusing to apply without confirmation');
    // Refused before planning: the plan is not printed first.
    expect(noTty.stdout).toBe('');

    const applied = await roster(world, ['apply', out, '--no-progress']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    // Read action by action, journaled under the hash of the file's bytes.
    const runs = JSON.parse((await roster(world, ['history', '--json'])).stdout) as Array<{
      kind: string;
      planHash: string | null;
    }>;
    const hash = createHash('sha256')
      .update(await readFile(out))
      .digest('hex');
    expect(runs.find((r) => r.kind === 'apply')?.planHash).toBe(hash);
    const users = world.sim.stateSnapshot().users as Array<{
      userPrincipalName: string;
      jobTitle: string | null;
    }>;
    expect(users.find((u) => u.userPrincipalName === 'soren.aero@example.no')?.jobTitle).toBe(
      'Kontorsjef Oslo',
    );

    const writesBefore = JSON.stringify(world.sim.statsSnapshot().writesPerUser);
    const again = await roster(world, ['plan', '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes:');
    expect(again.code).toBe(0);
    expect(world.sim.statsSnapshot().writesPerUser).toEqual(JSON.parse(writesBefore));

    // Read back from the tenant: photos re-encoded, signature HTML rewritten, still nothing to do.
    const deep = await roster(world, ['plan', '--deep-check', '--detailed-exitcode']);
    expect(deep.stdout).toContain('No changes:');
    expect(deep.code).toBe(0);

    const stale = await roster(world, ['apply', out]);
    expect(stale.code).toBe(0);
    expect(stale.stdout).toMatch(/skipped.*stale|stale/i);
    expect(JSON.stringify(world.sim.statsSnapshot().writesPerUser)).toBe(writesBefore);
  });

  it('an out-of-band signature edit shows as exactly that drift at the next deep check', async () => {
    world.sim.patchMailbox('goril.strom@example.no', { SignatureHtml: '<p>Hand-made signature</p>' });
    const { stdout, code } = await roster(world, [
      'plan',
      '--deep-check',
      '--format',
      'json',
      '--detailed-exitcode',
    ]);
    expect(code).toBe(2);
    const plan = JSON.parse(stdout) as { actions: Array<{ key: string; signatureReason?: string }> };
    expect(plan.actions.map((a) => [a.key, a.signatureReason])).toEqual([
      ['goril.strom@example.no#signature', 'changed-out-of-band'],
    ]);
    expect((await roster(world, ['apply', '--auto-approve'])).code).toBe(0);
  });

  it('refuses a plan file of another tenant or an unknown format version', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-plan-'));
    const out = join(dir, 'plan.json');
    await roster(world, ['plan', '--format', 'json', '--out', out]);
    const plan = JSON.parse(await (await import('node:fs/promises')).readFile(out, 'utf8')) as Record<
      string,
      unknown
    >;
    await writeFile(join(dir, 'v2.json'), JSON.stringify({ ...plan, formatVersion: '2.0' }));
    const v2 = await roster(world, ['apply', join(dir, 'v2.json')]);
    expect(v2.code).toBe(1);
    expect(v2.stderr).toContain('plan format version "2.0" is not supported');
    await writeFile(join(dir, 'other.json'), JSON.stringify({ ...plan, tenantId: 'other-tenant' }));
    const other = await roster(world, ['apply', join(dir, 'other.json')]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('other-tenant');
  });

  it('history lists the apply run with its journal; rollback restores the before-values', async () => {
    const list = await roster(world, ['history', '--json']);
    const runs = JSON.parse(list.stdout) as Array<{ id: string; kind: string; outcome: string }>;
    // Newest first: the last one is the apply that wrote (later ones only skipped stale actions).
    const apply = runs.filter((r) => r.kind === 'apply' && r.outcome === 'succeeded').at(-1);
    expect(apply).toBeDefined();
    const detail = await roster(world, ['history', apply!.id]);
    expect(detail.stdout).toContain('soren.aero@example.no#profile');
    expect(detail.stdout).toContain('"Old title"');

    const rollback = await roster(world, ['rollback', apply!.id, '--apply', '--auto-approve']);
    expect(rollback.code).toBe(0);
    const users = world.sim.stateSnapshot().users as Array<{
      userPrincipalName: string;
      jobTitle: string | null;
    }>;
    expect(users.find((u) => u.userPrincipalName === 'soren.aero@example.no')?.jobTitle).toBe('Old title');
  });
});
