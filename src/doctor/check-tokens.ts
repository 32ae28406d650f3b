import type { Settings } from '../config/settings.js';
import type { TenantAccessPort, TokenApi, TokenClaims } from '../ports/tenant-access.js';
import { errorText } from './error-text.js';
import { finding, ok, type Finding } from './finding.js';

/**
 * How Roster signs in, as the composition root found it in the environment: the credential it
 * chose, or why none could be chosen. Never a secret.
 */
export type CredentialInfo =
  | {
      ok: true;
      /** e.g. "client secret (AZURE_CLIENT_SECRET) of app … in tenant …". */
      description: string;
      /**
       * Set when the credential was chosen only because nothing else is configured (a managed
       * identity): a failed token then means no credential is set up, and this says which
       * variables to set instead of repeating the identity library's error.
       */
      fallback?: { message: string; fix: string };
    }
  | { ok: false; message: string; fix: string };

export function credentialFinding(credential: CredentialInfo): Finding {
  if (!credential.ok) return finding('credential', 'error', credential.message, credential.fix);
  return ok('credential', credential.description);
}

const TOKEN_CHECK = { graph: 'graph-token', exchange: 'exchange-token' } as const;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A token for `api`, with its claims when there is one. */
export async function checkToken(
  access: TenantAccessPort,
  api: TokenApi,
  credential: CredentialInfo,
  settings: Settings,
): Promise<{ finding: Finding; claims?: TokenClaims }> {
  const check = TOKEN_CHECK[api];
  let claims: TokenClaims;
  try {
    claims = await access.tokenClaims(api);
  } catch (error) {
    const fallback = credential.ok ? credential.fallback : undefined;
    if (fallback)
      return { finding: finding(check, 'error', `no ${api} token: ${fallback.message}`, fallback.fix) };
    return {
      finding: finding(
        check,
        'error',
        `no ${api} token: ${errorText(error)}`,
        'check AZURE_TENANT_ID, AZURE_CLIENT_ID and the credential against the app registration; the AADSTS code in the message names the problem',
      ),
    };
  }
  return { finding: tenantOfToken(check, api, claims, settings.tenant.id), claims };
}

/** The token must come from the tenant the settings name, or every call goes to the wrong one. */
function tenantOfToken(
  check: (typeof TOKEN_CHECK)[TokenApi],
  api: TokenApi,
  claims: TokenClaims,
  tenantId: string,
): Finding {
  const app = claims.appId ? ` for app ${claims.appId}` : '';
  const issued = claims.tenantId ? ` in tenant ${claims.tenantId}` : '';
  if (claims.tenantId && GUID.test(tenantId) && claims.tenantId.toLowerCase() !== tenantId.toLowerCase()) {
    return finding(
      check,
      'error',
      `the ${api} token was issued${issued}, but tenant.id in roster.yaml is ${tenantId}`,
      'set tenant.id in roster.yaml and AZURE_TENANT_ID to the same tenant id',
    );
  }
  return ok(check, `a token for ${api === 'graph' ? 'Microsoft Graph' : 'Exchange Online'}${app}${issued}`);
}
