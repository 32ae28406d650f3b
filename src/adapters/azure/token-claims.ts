import { decodeJwt } from 'jose';
import { RemoteApiError } from '../../errors/roster-error.js';
import type { TokenProvider } from '../../http/http-client.js';
import type { TokenClaims } from '../../ports/tenant-access.js';

/**
 * The claims of the access token `tokens` hands out, decoded without checking the signature: the
 * token is Roster's own, fresh from the identity platform, and only the resource may verify it.
 * App-only tokens carry the granted application permissions in `roles`
 * (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
 * A token that is not a JWT (Microsoft keeps the right to encrypt or change them) fails clearly.
 */
export async function readTokenClaims(
  tokens: TokenProvider,
  service: 'graph' | 'exchange',
): Promise<TokenClaims> {
  const token = await tokens.getToken();
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(token);
  } catch {
    throw new RemoteApiError(
      'identity',
      undefined,
      'UnreadableToken',
      `the ${service} access token is not a readable JWT, so its roles cannot be listed`,
    );
  }
  const roles = Array.isArray(payload.roles)
    ? payload.roles.filter((r): r is string => typeof r === 'string')
    : [];
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const tenantId = text(payload.tid);
  const appId = text(payload.appid) ?? text(payload.azp);
  return { roles, ...(tenantId ? { tenantId } : {}), ...(appId ? { appId } : {}) };
}
