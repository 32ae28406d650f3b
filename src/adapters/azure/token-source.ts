import type { TokenCredential } from '@azure/identity';
import { RemoteApiError } from '../../errors/roster-error.js';
import type { Clock } from '../../http/clock.js';
import type { TokenProvider } from '../../http/http-client.js';

/** Scopes (exactly one resource + `/.default`, graph.md §1). They name audiences, not hosts: a fake serves them too. */
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const EXCHANGE_SCOPE = 'https://outlook.office365.com/.default';

/** Renew this long before expiry, so a token never expires mid-request. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Tokens for one audience, cached until shortly before they expire and fetched once however
 * many requests ask at the same time.
 */
export function createTokenSource(credential: TokenCredential, scope: string, clock: Clock): TokenProvider {
  let cached: { token: string; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function fetchToken(signal?: AbortSignal): Promise<string> {
    try {
      const token = await credential.getToken(scope, signal ? { abortSignal: signal } : {});
      if (!token) throw new Error('the credential returned no token');
      cached = { token: token.token, expiresAt: token.expiresOnTimestamp };
      return token.token;
    } catch (err) {
      throw toIdentityError(err, scope);
    }
  }

  return {
    getToken(signal) {
      if (cached && clock.now() < cached.expiresAt - REFRESH_MARGIN_MS) return Promise.resolve(cached.token);
      inFlight ??= fetchToken(signal).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}

/** @azure/identity errors carry the service's AADSTS text (no secrets); keep its first line. */
function toIdentityError(err: unknown, scope: string): RemoteApiError {
  const e = err as {
    statusCode?: unknown;
    errorResponse?: { error?: unknown };
    message?: unknown;
    name?: unknown;
  };
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const code =
    typeof e.errorResponse?.error === 'string'
      ? e.errorResponse.error
      : typeof e.name === 'string'
        ? e.name
        : undefined;
  const detail = typeof e.message === 'string' ? e.message.split('\n')[0]!.slice(0, 500) : 'unknown error';
  return new RemoteApiError(
    'identity',
    status,
    code,
    `could not get a token for ${scope}: ${detail}`,
    undefined,
    {
      cause: err,
    },
  );
}
