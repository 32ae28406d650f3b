import { ConfigError } from '../../errors/roster-error.js';

/** Where Graph and the Exchange admin API are reached (a faithful fake may stand in for either). */
export interface MicrosoftEndpoints {
  /** Graph's version root, e.g. `https://graph.microsoft.com/v1.0`. */
  graphUrl: string;
  /** Graph's beta root, e.g. `https://graph.microsoft.com/beta`, for settings only beta serves. */
  graphBetaUrl: string;
  /** Exchange's origin, e.g. `https://outlook.office365.com`. */
  exchangeUrl: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * `ROSTER_GRAPH_URL` and `ROSTER_EXCHANGE_URL`. Tokens are sent there, so only https is accepted
 * (plain http only on loopback, for local fakes).
 */
export function readMicrosoftEndpoints(env: Record<string, string | undefined>): MicrosoftEndpoints {
  const graph = baseUrl(env, 'ROSTER_GRAPH_URL', 'https://graph.microsoft.com');
  return {
    graphUrl: `${graph}/v1.0`,
    graphBetaUrl: `${graph}/beta`,
    exchangeUrl: baseUrl(env, 'ROSTER_EXCHANGE_URL', 'https://outlook.office365.com'),
  };
}

function baseUrl(env: Record<string, string | undefined>, key: string, fallback: string): string {
  const raw = env[key]?.trim() || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw problem(key, 'is not a URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw problem(key, 'must be an https:// URL (http:// only for a loopback address)');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw problem(key, 'must not carry credentials, a query or a fragment');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function problem(key: string, message: string): ConfigError {
  return new ConfigError([{ file: 'environment', key, message: `${key} ${message}`, severity: 'error' }]);
}
