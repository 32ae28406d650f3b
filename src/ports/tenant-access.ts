import type { ObservedUser } from '../observe/model.js';

/** Which API a token is for. */
export type TokenApi = 'graph' | 'exchange';

/** What an access token says about Roster's app: read from its claims, not verified. */
export interface TokenClaims {
  /** The app roles (`roles` claim): the application permissions granted with admin consent. */
  roles: string[];
  /** The tenant it was issued in (`tid`). */
  tenantId?: string;
  /** The app it was issued to (`appid`, else `azp`). */
  appId?: string;
}

/** A domain of the tenant (Graph `GET /v1.0/domains`, docs/microsoft-365.md#graph-domains). */
export interface TenantDomain {
  name: string;
  isVerified: boolean;
  isDefault: boolean;
  isInitial: boolean;
}

/**
 * Read-only questions about Roster's access to the tenant, asked by the preflight checks
 * (`roster doctor`, the controller's preflight). Nothing here writes, and nothing is saved.
 */
export interface TenantAccessPort {
  /** The claims of the access token the adapters use for `api`; throws when no token can be had. */
  tokenClaims(api: TokenApi): Promise<TokenClaims>;
  /** The tenant's domains (needs `Domain.Read.All`). */
  listDomains(): Promise<TenantDomain[]>;
  /**
   * Runs the read-only `Get-OrganizationConfig` with the tenant addressed by `tenant.domain`
   * rather than `tenant.id`: it answers only when that domain names this tenant for Exchange.
   */
  checkExchangeByDomain(): Promise<void>;
  /** One user (`GET /users?$top=1`), or undefined when the tenant lists none. */
  sampleUser(): Promise<ObservedUser | undefined>;
}
