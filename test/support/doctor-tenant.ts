import { buildConfig, buildSettings, row } from './builders.js';
import type { Settings } from '../../src/config/settings.js';
import { RemoteApiError } from '../../src/errors/roster-error.js';
import { inDomains } from '../../src/observe/in-scope.js';
import type { ObservedUser } from '../../src/observe/model.js';
import { user } from '../../src/plan/test-builders.js';
import type { DirectoryPort } from '../../src/ports/directory.js';
import type { HrSource } from '../../src/ports/hr-source.js';
import type { PhotoUpdateSettings } from '../../src/ports/org-settings.js';
import type { TenantDomain, TokenClaims } from '../../src/ports/tenant-access.js';
import type { CredentialInfo } from '../../src/doctor/check-tokens.js';
import type { CheckId, Finding } from '../../src/doctor/finding.js';
import { runDoctor, type DoctorDeps } from '../../src/doctor/run-doctor.js';

/** In-memory ports for the preflight's unit tests: a tenant and an HR source, healthy by default. */

export const TENANT = '00000000-0000-0000-0000-000000000001';
export const GRAPH_ROLES = [
  'User.ReadWrite.All',
  'ProfilePhoto.ReadWrite.All',
  'PeopleSettings.Read.All',
  'Domain.Read.All',
];

/** A tenant as the ports see it: every knob a check reads, healthy by default. */
export interface FakeTenant {
  graph: TokenClaims | Error;
  exchange: TokenClaims | Error;
  domains: TenantDomain[] | Error;
  sample: ObservedUser | undefined | Error;
  users: ObservedUser[];
  roaming: boolean | Error;
  byDomain: Error | undefined;
  photo: PhotoUpdateSettings | Error;
  hr: 'ok' | Error;
  rows: ReturnType<typeof row>[];
}

export function healthy(): FakeTenant {
  return {
    graph: { roles: GRAPH_ROLES, tenantId: TENANT, appId: 'app-1' },
    exchange: { roles: ['Exchange.ManageAsApp'], tenantId: TENANT, appId: 'app-1' },
    domains: [
      { name: 'contoso.onmicrosoft.com', isVerified: true, isDefault: false, isInitial: true },
      { name: 'contoso.no', isVerified: true, isDefault: true, isInitial: false },
    ],
    sample: user('kari@contoso.no'),
    users: [user('kari@contoso.no'), user('ola@contoso.no'), user('admin@contoso.onmicrosoft.com')],
    roaming: true,
    byDomain: undefined,
    photo: { source: 'cloud', allowedRoles: [] },
    hr: 'ok',
    rows: [row({ id: '1', email: 'kari@contoso.no' }), row({ id: '2', email: 'ola@contoso.no' })],
  };
}

export const refused = (service: 'graph' | 'exchange', status = 403) =>
  new RemoteApiError(service, status, 'Denied', `${service}: ${status} refused`);

function value<T>(v: T | Error): Promise<T> {
  return v instanceof Error ? Promise.reject(v) : Promise.resolve(v);
}

export function deps(
  t: FakeTenant,
  settings: Partial<Settings> = {},
  credential?: CredentialInfo,
): DoctorDeps {
  const directory: Pick<DirectoryPort, 'listUsers'> = {
    async *listUsers(domains) {
      yield t.users.filter((u) => inDomains(u, domains));
    },
  };
  const hrSource: HrSource = {
    async *readActive() {
      if (t.hr instanceof Error) throw t.hr;
      yield t.rows;
    },
    checkQuery: () => value(t.hr).then(() => undefined),
    openSnapshot: () => Promise.reject(new Error('the doctor reads no snapshot')),
    close: async () => undefined,
  };
  return {
    config: buildConfig({
      settings: buildSettings({
        signatures: { ...buildSettings().signatures, enabled: true, whenRoamingEnabled: 'refuse' },
        ...settings,
      }),
    }),
    credential: credential ?? { ok: true, description: 'client secret (AZURE_CLIENT_SECRET)' },
    hrSource,
    tenant: {
      access: {
        tokenClaims: (api) => value(api === 'graph' ? t.graph : t.exchange),
        listDomains: () => value(t.domains),
        sampleUser: () => value(t.sample),
        checkExchangeByDomain: () => (t.byDomain ? Promise.reject(t.byDomain) : Promise.resolve()),
      },
      directory: directory as DirectoryPort,
      orgSettings: {
        getRoamingSignaturesPostponed: () => value(t.roaming),
        getPhotoUpdateSettings: () => value(t.photo),
      },
    },
    now: () => new Date('2025-03-01T12:00:00Z'),
  };
}

export async function doctor(
  change: Partial<FakeTenant> = {},
  settings: Partial<Settings> = {},
  credential?: CredentialInfo,
) {
  const report = await runDoctor(deps({ ...healthy(), ...change }, settings, credential), { deep: true });
  const of = (check: CheckId): Finding => report.findings.find((f) => f.check === check)!;
  return { report, of };
}
