import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/doctor/finding.js';
import { exampleHrData } from '../../src/local/example-hr.js';
import { createHrSchema, loadHrData } from '../../src/local/seed-hr.js';
import { defaultBehaviourSettings, loadSeedFile } from '../../src/sim/seed.js';
import { createSimulator } from '../../src/sim/simulator.js';
import { editSettings } from '../controller/controller-harness.js';
import { createTestDatabase } from '../support/database.js';
import { createTestWorld, TENANT_DOMAIN, usersFromDesired, type TestWorld } from '../support/roster-world.js';

const run = promisify(execFile);
const BIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

/** The built binary: `roster doctor` as a user runs it, its JSON report parsed. */
async function doctor(world: TestWorld, env: Record<string, string | undefined> = {}) {
  const merged = { ...process.env, ...world.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  const result = await run('node', [BIN, '-C', world.dir, 'doctor', '--format', 'json'], {
    env: merged,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  const report = JSON.parse(result.stdout) as { ok: boolean; findings: Finding[] };
  const of = (check: string) => report.findings.find((f) => f.check === check)!;
  const errors = report.findings.filter((f) => f.status === 'error').map((f) => f.check);
  return { code: result.code, stderr: result.stderr, report, of, errors };
}

describe('roster doctor against the simulator', () => {
  let world: TestWorld;
  const app = () => world.sim.state.apps[0]!;
  const granted = () => [...app().graphPermissions];

  beforeAll(async () => {
    world = await createTestWorld({
      pacing: 'fresh',
      users: async ({ desired }) => usersFromDesired(await desired()),
    });
  });
  afterAll(() => world?.[Symbol.asyncDispose]());

  it('a healthy tenant: every check passes, exit 0, and nothing is written', async () => {
    world.sim.resetStats();
    const text = await run('node', [BIN, '-C', world.dir, 'doctor'], {
      env: { ...process.env, ...world.env },
    });
    expect(text.stdout).toMatch(/^roster doctor: tenant 7d1c1f8e-.* \(example\.onmicrosoft\.com\)\n/);
    expect(text.stdout).toMatch(/^✓ exchange-role {2,}Get-OrganizationConfig ran/m);
    expect(text.stdout).toMatch(/^✓ match-share {2,}7 of 7 employees match a tenant user \(100 %\)$/m);
    // The seeded HR data has two employees with errors: a warning, not a failure.
    expect(text.stdout).toMatch(/^! hr-employees {2,}10 active employee\(s\) in HR, 7 usable/m);
    expect(text.stdout).toMatch(/\n\d+ ok, 1 warning, 0 errors, 0 skipped\n$/);

    const { code, report } = await doctor(world);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    // No campaign targets a group: the check does not apply, and is not shown.
    expect(report.findings.map((f) => f.check)).not.toContain('campaign-groups');
    const requests = Object.keys(world.sim.statsSnapshot().requests as Record<string, number>);
    expect(
      requests.filter((r) => !/^(GET|POST) /.test(r) || /^POST (?!.*(InvokeCommand|token))/.test(r)),
    ).toEqual([]);
    expect(world.sim.statsSnapshot().writesPerUser).toEqual({});
    // No state database was opened: the preflight saves nothing.
    const schema = await world.db.pool.query(
      `SELECT 1 FROM information_schema.schemata WHERE schema_name = 'roster'`,
    );
    expect(schema.rowCount).toBe(0);
  });

  it('a missing Graph permission', async () => {
    const before = granted();
    app().graphPermissions = before.filter((p) => p !== 'User.ReadWrite.All');
    try {
      const { code, of, errors } = await doctor(world);
      expect(code).toBe(1);
      expect(of('graph-permissions').message).toMatch(/^the graph token lacks User\.ReadWrite\.All/);
      expect(of('graph-permissions').fix).toContain('grant admin consent');
      expect(of('graph-permissions').link).toBe('docs/azure-setup.md#doctor-graph-permissions');
      expect(errors).toEqual(['graph-permissions', 'sample-user', 'match-share']);
    } finally {
      app().graphPermissions = before;
    }
  });

  it('no Exchange role', async () => {
    app().exchangeRole = false;
    try {
      const { code, of, errors } = await doctor(world);
      expect(code).toBe(1);
      expect(errors).toEqual(['exchange-role']);
      expect(of('exchange-role').message).toMatch(/isn't supported in this scenario.*so the role is missing/);
      expect(of('roaming-signatures').status).toBe('skipped');
    } finally {
      delete app().exchangeRole;
    }
  });

  it('no Exchange.ManageAsApp', async () => {
    app().exchangeManageAsApp = false;
    try {
      const { code, errors } = await doctor(world);
      expect(code).toBe(1);
      expect(errors).toEqual(['exchange-permission', 'exchange-role']);
    } finally {
      app().exchangeManageAsApp = true;
    }
  });

  it('a tenant.domain that does not address Exchange', async () => {
    await editSettings(world.dir, {
      tenant: { id: world.env.AZURE_TENANT_ID, domain: 'fabrikam.onmicrosoft.com' },
    });
    try {
      const { code, of, errors } = await doctor(world);
      expect(code).toBe(1);
      expect(errors).toEqual(['exchange-address']);
      expect(of('exchange-address').message).toMatch(
        /^Exchange does not know tenant.domain fabrikam\.onmicrosoft\.com/,
      );
      expect(of('exchange-address').fix).toContain(`this tenant's initial domain is ${TENANT_DOMAIN}`);
    } finally {
      await editSettings(world.dir, { tenant: { id: world.env.AZURE_TENANT_ID, domain: TENANT_DOMAIN } });
    }
  });

  it('a managed domain that is not in the tenant', async () => {
    await editSettings(world.dir, { scope: { domains: ['example.no', 'example.com'] } });
    try {
      const { code, of, errors } = await doctor(world);
      expect(code).toBe(1);
      expect(errors).toEqual(['domains']);
      expect(of('domains').message).toBe(
        "scope.domains in roster.yaml: example.com is not a domain of this tenant; the tenant's domains: " +
          'example.onmicrosoft.com (initial), example.no (default), partner.example',
      );
    } finally {
      await editSettings(world.dir, { scope: { domains: ['example.no'] } });
    }
  });

  it('roaming signatures on', async () => {
    world.sim.patchOrganizationConfig({ PostponeRoamingSignaturesUntilLater: false });
    try {
      const { code, of, errors } = await doctor(world);
      expect(code).toBe(1);
      expect(errors).toEqual(['roaming-signatures']);
      expect(of('roaming-signatures').fix).toContain('-PostponeRoamingSignaturesUntilLater $true');
    } finally {
      world.sim.patchOrganizationConfig({ PostponeRoamingSignaturesUntilLater: true });
    }
  });

  it('photos managed on-premises', async () => {
    world.sim.state.behaviour = {
      ...defaultBehaviourSettings(),
      photoUpdateSettings: { source: 'onPremises', allowedRoles: [] },
    };
    try {
      const { code, of, errors } = await doctor(world);
      expect(code).toBe(1);
      expect(errors).toEqual(['photo-settings']);
      expect(of('photo-settings').message).toMatch(/^profile photos are managed on-premises/);
    } finally {
      world.sim.state.behaviour = defaultBehaviourSettings();
    }
  });

  it('an HR database that cannot be reached', async () => {
    const { code, of, errors } = await doctor(world, {
      DATABASE_URL: 'postgres://roster:pw@127.0.0.1:1/hr',
    });
    expect(code).toBe(1);
    expect(errors).toEqual(['hr-source']);
    expect(of('hr-source').message).toMatch(/^the HR source could not be read: .*127\.0\.0\.1:1/);
    expect(of('hr-employees').status).toBe('skipped');
  });

  it('nobody matching: the managed domain holds none of the employees', async () => {
    await editSettings(world.dir, { scope: { domains: ['partner.example'] } });
    try {
      const { code, of, errors } = await doctor(world);
      expect(code).toBe(1);
      expect(errors).toEqual(['match-share']);
      expect(of('match-share').message).toMatch(
        /^0 of 7 employees match a tenant user \(0 %\): 7 outside scope.domains, .* scope.domains is partner.example; the tenant's domains are example.onmicrosoft.com \(initial\), example.no \(default\), partner.example; HR emails by domain: example.no 7; tenant users by domain: example.no 7$/,
      );
    } finally {
      await editSettings(world.dir, { scope: { domains: ['example.no'] } });
    }
  });

  it('no credential variables: names them, without the identity library’s error', async () => {
    const { code, of, report } = await doctor(world, { AZURE_CLIENT_SECRET: undefined });
    expect(code).toBe(1);
    expect(of('graph-token').message).toMatch(
      /^no graph token: AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH and AZURE_FEDERATED_TOKEN_FILE are not set, so Roster asked for a managed identity/,
    );
    expect(of('graph-token').fix).toMatch(
      /^set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH/,
    );
    expect(JSON.stringify(report)).not.toMatch(/ManagedIdentityCredential|Network unreachable/);
    expect(of('hr-source').status).toBe('ok');
  });

  it('a credential variable missing its partner is named', async () => {
    const { code, of } = await doctor(world, { AZURE_TENANT_ID: undefined });
    expect(code).toBe(1);
    expect(of('credential')).toMatchObject({ status: 'error' });
    expect(of('credential').message).toContain('AZURE_TENANT_ID is required with AZURE_CLIENT_SECRET');
    expect(of('graph-token').status).toBe('skipped');
  });
});

describe('roster doctor with a campaign that targets an Entra ID group', () => {
  const SALES = '11111111-2222-4333-8444-555555555555';
  const NORTH = '66666666-7777-4888-8999-000000000000';
  const MISSING = '99999999-2222-4333-8444-555555555555';
  let world: TestWorld;
  const app = () => world.sim.state.apps[0]!;

  const campaignFile = (group: string) =>
    writeFile(
      join(world.dir, 'desired-state/campaigns/sales.yaml'),
      `id: sales\nname: Sales\nbanner:\n  image: https://www.example.no/sales.png\n  width: 480\n  alt: Sales\n` +
        `  link: https://www.example.no/sales\nstart: { at: '2020-01-01T00:00', timeZone: UTC }\n` +
        `end: { at: '2099-01-01T00:00', timeZone: UTC }\ntarget: { group: ${group} }\n`,
    );

  beforeAll(async () => {
    world = await createTestWorld({
      pacing: 'fresh',
      users: async ({ desired }) => usersFromDesired(await desired()),
      graphPermissions: [
        'User.ReadWrite.All',
        'ProfilePhoto.ReadWrite.All',
        'PeopleSettings.Read.All',
        'Domain.Read.All',
        'GroupMember.Read.All',
      ],
      groups: [
        { id: SALES, displayName: 'Sales', members: ['ase.maeland@example.no', NORTH] },
        { id: NORTH, displayName: 'Sales north', members: ['kare.saether@example.no'] },
      ],
    });
    await mkdir(join(world.dir, 'desired-state/campaigns'), { recursive: true });
  });
  afterAll(() => world?.[Symbol.asyncDispose]());

  it('with GroupMember.Read.All: the group is read through Graph, nested members included', async () => {
    await campaignFile(SALES);
    const { code, of } = await doctor(world);
    expect(of('campaign-groups')).toMatchObject({
      status: 'ok',
      link: 'docs/azure-setup.md#doctor-campaign-groups',
    });
    const read = of('campaign-groups').message.match(
      /^every targeted group is readable \(11111111-2222-4333-8444-555555555555: (\d+) member address\(es\)\)$/,
    );
    // Åse directly, Kåre through the nested group: at least one address each.
    expect(Number(read?.[1])).toBeGreaterThanOrEqual(2);
    expect(code).toBe(0);
  });

  it('without GroupMember.Read.All: an error naming the group and the campaign, with the grant as the fix', async () => {
    await campaignFile(SALES);
    const before = [...app().graphPermissions];
    app().graphPermissions = before.filter((p) => p !== 'GroupMember.Read.All');
    try {
      const { code, of, errors } = await doctor(world);
      expect(code).toBe(1);
      expect(errors).toEqual(['campaign-groups']);
      expect(of('campaign-groups').message).toBe(
        `campaigns target the Entra ID groups ${SALES} (campaign sales), but the graph token lacks GroupMember.Read.All: those groups select nobody`,
      );
      expect(of('campaign-groups').fix).toMatch(
        /^grant the Microsoft Graph application permission GroupMember\.Read\.All .* grant admin consent \(docs\/azure-setup\.md, step 2\)$/,
      );
    } finally {
      app().graphPermissions = before;
    }
  });

  it('a group id that is not in the tenant is an error', async () => {
    await campaignFile(MISSING);
    const { code, of } = await doctor(world);
    expect(code).toBe(1);
    expect(of('campaign-groups')).toMatchObject({ status: 'error' });
    expect(of('campaign-groups').message).toBe(
      `group ${MISSING} (campaign sales) could not be read: no such group in this tenant; such a group selects nobody`,
    );
    expect(of('campaign-groups').fix).toMatch(/object id of an Entra ID group/);
  });
});

describe('the shipped example configuration against a tenant it was not made for', () => {
  it('plan names the cause (not "No changes") and exits 1 with --detailed-exitcode; doctor fails on the domains', async () => {
    const repo = new URL('../../', import.meta.url).pathname;
    await using db = await createTestDatabase();
    await createHrSchema(db.pool);
    await loadHrData(db.pool, exampleHrData());
    // The bundled seed, moved to another tenant's domains: what a configuration copied from the
    // example meets in a real tenant.
    const example = await loadSeedFile(join(repo, 'src/sim/seeds/example.yaml'));
    const seed = {
      ...example,
      tenant: { ...example.tenant, domain: 'contoso.onmicrosoft.com', domains: ['contoso.com'] },
      users: example.users!.map((u) => ({
        ...u,
        userPrincipalName: u.userPrincipalName.replace(/@.*$/, '@contoso.com'),
        ...(u.mail ? { mail: u.mail.replace(/@.*$/, '@contoso.com') } : {}),
        ...(u.proxyAddresses ? { proxyAddresses: [] } : {}),
      })),
    };
    await using sim = await createSimulator({ seed });
    const dir = await mkdtemp(join(tmpdir(), 'roster-example-'));
    try {
      await cp(join(repo, 'desired-state'), join(dir, 'desired-state'), { recursive: true });
      await cp(join(repo, 'templates'), join(dir, 'templates'), { recursive: true });
      const app = seed.apps![0]!;
      const env = {
        ...process.env,
        DATABASE_URL: db.url,
        AZURE_TENANT_ID: seed.tenant.id,
        AZURE_CLIENT_ID: app.clientId,
        AZURE_CLIENT_SECRET: app.clientSecret,
        AZURE_AUTHORITY_HOST: sim.origin,
        ROSTER_GRAPH_URL: sim.origin,
        ROSTER_EXCHANGE_URL: sim.origin,
      };
      const failing = (e: { code: number; stdout: string; stderr: string }) => e;
      const plan = await run('node', [BIN, '-C', dir, 'plan', '--detailed-exitcode'], { env }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        failing,
      );
      expect(plan.code, plan.stderr).toBe(1);
      expect(plan.stdout).not.toContain('No changes');
      expect(plan.stdout).toContain(
        '! no-match: 0 of 8 employees matched a tenant user, so nothing was compared: scope.domains (example.no) names no domain of this tenant, ' +
          'whose domains are contoso.onmicrosoft.com (initial), contoso.com (default); set scope.domains in roster.yaml to the mail domains your employees use in this tenant',
      );
      expect(plan.stdout).toContain(
        'No employee matched a tenant user: 8 employees, 0 matched, 0 in sync; 9 warnings (see no-match).',
      );
      const markdown = await run('node', [BIN, '-C', dir, 'plan', '--format', 'markdown'], { env });
      expect(markdown.stdout).toContain('- **no-match**: 0 of 8 employees matched a tenant user');
      const json = JSON.parse(
        (await run('node', [BIN, '-C', dir, 'plan', '--format', 'json'], { env })).stdout,
      ) as { formatVersion: string; warnings: { kind: string }[] };
      expect(json.formatVersion).toBe('1.3');
      expect(json.warnings[0]?.kind).toBe('no-match');

      const failed = await run('node', [BIN, '-C', dir, 'doctor'], { env }).then(() => undefined, failing);
      expect(failed?.code).toBe(1);
      const errors = failed!.stdout.split('\n').filter((l) => l.startsWith('✗'));
      expect(errors.map((l) => l.split(/\s+/)[1])).toEqual(['domains', 'exchange-address', 'match-share']);
      expect(failed!.stdout).toContain(
        "scope.domains is example.no; the tenant's domains are contoso.onmicrosoft.com (initial), contoso.com (default)",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
