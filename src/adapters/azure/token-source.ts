import type { TokenCredential } from '@azure/identity';
import { RemoteApiError } from '../../errors/roster-error.js';
import type { Clock } from '../../http/clock.js';
import { isTransientNetworkError } from '../../http/retry-policy.js';
import type { TokenProvider } from '../../http/http-client.js';

/**
 * Scopes (exactly one resource + `/.default`, docs/microsoft-365.md#token-scopes). They name
 * audiences, not hosts: a fake serves them too.
 */
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const EXCHANGE_SCOPE = 'https://outlook.office365.com/.default';

/** Renew this long before expiry, so a token never expires mid-request. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** How a token source survives an identity platform outage and a token the service stopped accepting. */
export interface TokenSourceOptions {
  /**
   * A fresh credential (with an empty token cache) for when the service refuses a token the
   * caches still consider valid (clock skew, revocation): reusing the old one would hand back
   * the same refused token.
   */
  renewCredential?: () => TokenCredential;
  /** How long transient token failures (5xx, 429, network) are retried before the call fails. */
  outageBudgetMs?: number;
  /**
   * Wall-clock epoch milliseconds, the time base of a token's `expiresOnTimestamp` (the identity
   * library computes it from `Date.now()`). Not `clock`: that one paces requests and may run
   * faster than the wall (the benchmark's time-scaled clock), which would make every cached
   * token look expired and send each request through the credential again.
   */
  wallNow?: () => number;
  /**
   * Says what a failed token request means for the credential in use, around the identity
   * library's own text: a managed identity that does not answer usually means that no credential
   * variable was set, and the library's "Network unreachable" does not say so.
   */
  explainFailure?: (detail: string) => string;
}

/** Long enough to ride out a short identity platform outage, short enough that a run fails clearly. */
const DEFAULT_OUTAGE_BUDGET_MS = 120_000;

/**
 * Tokens for one audience, cached until shortly before they expire and fetched once however
 * many requests ask at the same time.
 */
export function createTokenSource(
  initialCredential: TokenCredential,
  scope: string,
  clock: Clock,
  options: TokenSourceOptions = {},
): TokenProvider {
  let credential = initialCredential;
  let cached: { token: string; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;
  const budgetMs = options.outageBudgetMs ?? DEFAULT_OUTAGE_BUDGET_MS;
  const wallNow = options.wallNow ?? Date.now;

  async function fetchOnce(signal?: AbortSignal): Promise<string> {
    try {
      const token = await credential.getToken(scope, signal ? { abortSignal: signal } : {});
      if (!token) throw new Error('the credential returned no token');
      cached = { token: token.token, expiresAt: token.expiresOnTimestamp };
      return token.token;
    } catch (err) {
      throw toIdentityError(err, scope, options.explainFailure);
    }
  }

  // @azure/identity retries a few times within seconds; an outage of the token endpoint lasting
  // longer would otherwise fail every request of the run at once.
  async function fetchToken(signal?: AbortSignal): Promise<string> {
    const deadline = clock.now() + budgetMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fetchOnce(signal);
      } catch (err) {
        const wait = Math.min(1_000 * 2 ** attempt, 15_000);
        if (!isTransientIdentityError(err) || signal?.aborted || clock.now() + wait > deadline) throw err;
        await clock.sleep(wait, signal);
        // MSAL refuses every token request for 60 s after a 5xx (it misses the lowercase
        // Retry-After); a fresh credential asks again on our own, gentler backoff.
        if (options.renewCredential) credential = options.renewCredential();
      }
    }
  }

  return {
    getToken(signal) {
      if (cached && wallNow() < cached.expiresAt - REFRESH_MARGIN_MS) return Promise.resolve(cached.token);
      inFlight ??= fetchToken(signal).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate(rejected) {
      // Many requests may be refused with the same token at once: renew only for the first.
      if (cached?.token !== rejected) return;
      cached = undefined;
      if (options.renewCredential) credential = options.renewCredential();
    },
  };
}

/** 429, 5xx or no answer at all: worth asking again. A refused secret (400/401) is not. */
function isTransientIdentityError(err: unknown): boolean {
  if (!(err instanceof RemoteApiError)) return false;
  // MSAL's own errors carry no status, only the OAuth error code in the message (AADSTS90033).
  if (err.errorCode === 'temporarily_unavailable' || /temporarily_unavailable|AADSTS90033/.test(err.message))
    return true;
  if (err.status === undefined) return isTransientNetworkError(err.cause);
  return err.status === 429 || err.status >= 500;
}

/** @azure/identity errors carry the service's AADSTS text (no secrets); keep its first line. */
function toIdentityError(
  err: unknown,
  scope: string,
  explain: (detail: string) => string = (detail) => detail,
): RemoteApiError {
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
    `could not get a token for ${scope}: ${explain(detail)}`,
    undefined,
    {
      cause: err,
    },
  );
}
