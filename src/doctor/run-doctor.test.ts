import { describe, expect, it } from 'vitest';
import { buildSettings } from '../../test/support/builders.js';
import { RemoteApiError } from '../errors/roster-error.js';
import type { TenantDomain } from '../ports/tenant-access.js';
import { CHECKS, hasErrors } from './finding.js';
import { runDoctor } from './run-doctor.js';
import { deps, doctor, GRAPH_ROLES, healthy, refused, TENANT } from '../../test/support/doctor-tenant.js';

describe('runDoctor', () => {
  it('finds a healthy setup healthy: every check ok, in report order, each linking its guide entry', async () => {
    const { report } = await doctor();
    expect(report.findings.map((f) => `${f.check} ${f.status}`)).toEqual(
      // campaign-groups is shown only when a campaign targets a group.
      CHECKS.filter((c) => c !== 'configuration' && c !== 'campaign-groups').map((c) => `${c} ok`),
    );
    expect(hasErrors(report.findings)).toBe(false);
    expect(report.findings.every((f) => f.link === `docs/azure-setup.md#doctor-${f.check}`)).toBe(true);
    expect(report.checkedAt).toBe('2025-03-01T12:00:00.000Z');
  });

  it('without deep checks, reads no HR rows and lists no users', async () => {
    const t = { ...healthy(), hr: 'ok' as const };
    let listed = false;
    const d = deps(t);
    d.tenant!.directory.listUsers = () => {
      listed = true;
      throw new Error('listed');
    };
    d.hrSource.readActive = () => {
      throw new Error('read');
    };
    const report = await runDoctor(d, { deep: false });
    expect(listed).toBe(false);
    expect(report.findings.map((f) => f.check)).not.toContain('match-share');
    expect(report.findings.map((f) => f.check)).not.toContain('hr-employees');
    expect(hasErrors(report.findings)).toBe(false);
  });

  it.each([
    [
      'User.ReadWrite.All missing',
      ['Domain.Read.All', 'PeopleSettings.Read.All', 'ProfilePhoto.ReadWrite.All'],
      'error',
      /lacks User\.ReadWrite\.All/,
    ],
    [
      'Domain.Read.All missing',
      ['User.ReadWrite.All', 'PeopleSettings.Read.All'],
      'error',
      /lacks Domain\.Read\.All/,
    ],
    [
      'only PeopleSettings.Read.All missing',
      ['User.ReadWrite.All', 'Domain.Read.All'],
      'warning',
      /lacks PeopleSettings\.Read\.All/,
    ],
    [
      'higher permissions',
      ['User.ReadWrite.All', 'Directory.Read.All', 'PeopleSettings.ReadWrite.All'],
      'ok',
      /carries what the settings need/,
    ],
  ])('graph permissions: %s', async (_name, roles, status, message) => {
    const { of } = await doctor({ graph: { roles, tenantId: TENANT } });
    expect(of('graph-permissions')).toMatchObject({ status });
    expect(of('graph-permissions').message).toMatch(message);
    if (status !== 'ok') expect(of('graph-permissions').fix).toMatch(/grant admin consent/);
  });

  it('asks for no photo permission when photos are off', async () => {
    const { of } = await doctor(
      { graph: { roles: ['User.Read.All', 'Directory.ReadWrite.All'], tenantId: TENANT } },
      { photos: { ...buildSettings().photos, enabled: false } },
    );
    expect(of('graph-permissions').status).toBe('ok');
    expect(of('photo-settings').status).toBe('skipped');
  });

  it('a token from another tenant than tenant.id is an error', async () => {
    const { of } = await doctor({
      graph: { roles: GRAPH_ROLES, tenantId: '99999999-0000-0000-0000-000000000009' },
    });
    expect(of('graph-token')).toMatchObject({ status: 'error' });
    expect(of('graph-token').message).toContain(`but tenant.id in roster.yaml is ${TENANT}`);
  });

  it('a credential chosen as the fallback names the variables to set, not the library error', async () => {
    const failure = new RemoteApiError(
      'identity',
      undefined,
      'CredentialUnavailableError',
      'ManagedIdentityCredential: Network unreachable',
    );
    const { report, of } = await doctor(
      { graph: failure, exchange: failure },
      {},
      {
        ok: true,
        description: 'managed identity',
        fallback: { message: 'AZURE_CLIENT_SECRET is not set', fix: 'set AZURE_CLIENT_SECRET' },
      },
    );
    expect(of('graph-token')).toMatchObject({
      status: 'error',
      message: 'no graph token: AZURE_CLIENT_SECRET is not set',
      fix: 'set AZURE_CLIENT_SECRET',
    });
    expect(JSON.stringify(report)).not.toContain('Network unreachable');
    expect(of('sample-user').status).toBe('skipped');
    expect(of('exchange-role').status).toBe('skipped');
    expect(of('match-share').status).toBe('skipped');
  });

  it('no credential at all: the tenant checks are skipped, the HR checks still run', async () => {
    const d = deps(healthy(), {}, { ok: false, message: 'AZURE_TENANT_ID is required', fix: 'set it' });
    delete d.tenant;
    const report = await runDoctor(d, { deep: true });
    const status = Object.fromEntries(report.findings.map((f) => [f.check, f.status]));
    expect(status).toMatchObject({
      credential: 'error',
      'graph-token': 'skipped',
      'exchange-role': 'skipped',
      'hr-source': 'ok',
      'hr-employees': 'ok',
      'match-share': 'skipped',
    });
  });

  it('Exchange refusing the app: the role is missing when the token has Exchange.ManageAsApp', async () => {
    const { of } = await doctor({ roaming: refused('exchange', 401) });
    expect(of('exchange-permission').status).toBe('ok');
    expect(of('exchange-role')).toMatchObject({ status: 'error' });
    expect(of('exchange-role').message).toMatch(/so the role is missing/);
    expect(of('exchange-role').fix).toMatch(/Exchange Administrator/);
    expect(of('exchange-address').status).toBe('skipped');
    expect(of('roaming-signatures').status).toBe('skipped');
  });

  it('Exchange refusing an app without Exchange.ManageAsApp points at the permission', async () => {
    const { of } = await doctor({
      exchange: { roles: [], tenantId: TENANT },
      roaming: refused('exchange', 401),
    });
    expect(of('exchange-permission')).toMatchObject({ status: 'error' });
    expect(of('exchange-permission').message).toMatch(/lacks Exchange\.ManageAsApp/);
    expect(of('exchange-role').message).toMatch(/no Exchange\.ManageAsApp/);
  });

  it('a tenant.domain Exchange does not know is an error naming the initial domain', async () => {
    const { of } = await doctor({
      byDomain: new RemoteApiError('exchange', 404, 'NotFound', "Tenant 'x' was not found"),
    });
    expect(of('exchange-address')).toMatchObject({ status: 'error' });
    expect(of('exchange-address').message).toMatch(/^Exchange does not know tenant.domain contoso.no/);
    expect(of('exchange-address').fix).toContain("this tenant's initial domain is contoso.onmicrosoft.com");
  });

  it.each([
    ['refuse', 'error'],
    ['warn', 'warning'],
  ] as const)('roaming signatures on with whenRoamingEnabled %s: %s', async (when, status) => {
    const { of } = await doctor(
      { roaming: false },
      { signatures: { ...buildSettings().signatures, enabled: true, whenRoamingEnabled: when } },
    );
    expect(of('roaming-signatures')).toMatchObject({ status });
    expect(of('roaming-signatures').fix).toContain('PostponeRoamingSignaturesUntilLater $true');
  });

  it('signatures off: no Exchange check runs', async () => {
    const { of } = await doctor(
      { exchange: new Error('must not be asked') },
      { signatures: { ...buildSettings().signatures, enabled: false } },
    );
    for (const c of [
      'exchange-token',
      'exchange-permission',
      'exchange-role',
      'exchange-address',
      'roaming-signatures',
    ] as const) {
      expect(of(c)).toMatchObject({ status: 'skipped', message: 'signatures are off (signatures.enabled)' });
    }
  });

  it('managed domains absent from the tenant or not verified are errors listing the tenant domains', async () => {
    expect((await doctor()).of('domains').status).toBe('ok');
    const t = healthy();
    const domains = [
      ...(t.domains as TenantDomain[]),
      { name: 'contoso.dev', isVerified: false, isDefault: false, isInitial: false },
    ];
    const broken = await doctor(
      { domains },
      { scope: { domains: ['contoso.no', 'example.no', 'contoso.dev'] } },
    );
    expect(broken.of('domains')).toMatchObject({ status: 'error' });
    expect(broken.of('domains').message).toBe(
      "scope.domains in roster.yaml: example.no is not a domain of this tenant; contoso.dev is not verified; the tenant's domains: contoso.onmicrosoft.com (initial), contoso.no (default), contoso.dev (not verified)",
    );
  });

  it('the domains need Domain.Read.All', async () => {
    const { of } = await doctor({ domains: refused('graph') });
    expect(of('domains')).toMatchObject({ status: 'error' });
    expect(of('domains').fix).toContain('Domain.Read.All');
  });

  it.each([
    [{ source: 'onPremises', allowedRoles: [] }, 'error', /managed on-premises/],
    [{ source: 'cloud', allowedRoles: ['role-a'] }, 'error', /restricted to the directory roles role-a/],
    [refused('graph'), 'warning', /could not be read/],
  ] as const)('photo update settings %j: %s', async (photo, status, message) => {
    const { of } = await doctor({
      photo: photo instanceof Error ? photo : { ...photo, allowedRoles: [...photo.allowedRoles] },
    });
    expect(of('photo-settings')).toMatchObject({ status });
    expect(of('photo-settings').message).toMatch(message);
  });

  it('allowed roles Roster holds (photos.appRoles) are fine', async () => {
    const { of } = await doctor(
      { photo: { source: 'cloud', allowedRoles: ['role-a'] } },
      { photos: { ...buildSettings().photos, appRoles: ['ROLE-A'] } },
    );
    expect(of('photo-settings').status).toBe('ok');
  });

  it('a sample user refused is an error; an empty tenant a warning', async () => {
    expect((await doctor({ sample: refused('graph') })).of('sample-user')).toMatchObject({ status: 'error' });
    expect((await doctor({ sample: undefined })).of('sample-user')).toMatchObject({ status: 'warning' });
  });
});
