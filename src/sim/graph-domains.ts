import { graphJson } from './graph-errors.js';
import type { SimContext, SimRequest, SimResponse, SimRoute, SimState } from './types.js';

/**
 * `GET /v1.0/domains`: the tenant's domains (docs/microsoft-365.md#graph-domains). Application
 * permission `Domain.Read.All`; `Domain.ReadWrite.All`, `Directory.Read.All` and
 * `Directory.ReadWrite.All` also grant it.
 * https://learn.microsoft.com/graph/api/domain-list · https://learn.microsoft.com/graph/api/resources/domain
 */
const READ_PERMISSIONS = [
  'Domain.Read.All',
  'Domain.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];

/** One domain resource with the properties the resource page lists. */
function domainObject(
  id: string,
  flags: { isInitial: boolean; isDefault: boolean; isVerified: boolean },
): Record<string, unknown> {
  return {
    authenticationType: 'Managed',
    availabilityStatus: null,
    id,
    isAdminManaged: true,
    isDefault: flags.isDefault,
    isInitial: flags.isInitial,
    isRoot: true,
    isVerified: flags.isVerified,
    manufacturer: null,
    model: null,
    passwordNotificationWindowInDays: 14,
    passwordValidityPeriodInDays: 2147483647,
    // An unverified domain supports no service until it is verified.
    supportedServices: flags.isVerified ? ['Email', 'OfficeCommunicationsOnline'] : [],
    state: null,
  };
}

/**
 * The initial domain (always verified), the verified `domains` and the `unverifiedDomains` of the
 * seed. The default domain (where new users' names go) is the first verified custom domain, else
 * the initial one: the seed has no say, a tenant has exactly one.
 */
export function tenantDomains(state: SimState): Record<string, unknown>[] {
  const defaultDomain = (state.domains[0] ?? state.tenantDomain).toLowerCase();
  const verified = [state.tenantDomain, ...state.domains].map((id) =>
    domainObject(id, {
      isInitial: id === state.tenantDomain,
      isDefault: id.toLowerCase() === defaultDomain,
      isVerified: true,
    }),
  );
  const unverified = (state.unverifiedDomains ?? []).map((id) =>
    domainObject(id, { isInitial: false, isDefault: false, isVerified: false }),
  );
  return [...verified, ...unverified];
}

function listDomains(req: SimRequest, _m: RegExpMatchArray, sim: SimContext): SimResponse {
  return graphJson(req, 200, {
    '@odata.context': `${sim.origin}/v1.0/$metadata#domains`,
    value: tenantDomains(sim.state),
  });
}

export const graphDomainRoutes: SimRoute[] = [
  {
    service: 'graph',
    method: 'GET',
    pattern: /^\/v1\.0\/domains$/,
    name: '/v1.0/domains',
    permissions: READ_PERMISSIONS,
    handle: listDomains,
  },
];
