import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import { isHostAllowed } from '../desired/host-allow-list.js';
import { sendError } from './send-error.js';

/**
 * The host name of a `Host` header value (`name`, `name:port`, `[v6]:port`), lower-cased, or
 * undefined when it is not a bare authority (no scheme, path, user info or spaces).
 */
function hostnameOf(hostHeader: string): string | undefined {
  if (!/^[^\s/?#@\\]+$/.test(hostHeader)) return undefined;
  try {
    const url = new URL(`http://${hostHeader}`);
    return url.host === '' ? undefined : url.hostname;
  } catch {
    return undefined;
  }
}

/**
 * Whether a request's `Host` names this server: any IP literal (Kubernetes probes and Prometheus
 * come by the pod's address, the Docker health check by 127.0.0.1), `localhost`, or a name on
 * `allowedHosts` (exact or `*.suffix`). Any other name is what DNS rebinding looks like: a page
 * on `attacker.example` whose name now resolves to this server reads it as same-origin.
 */
export function isAllowedHostHeader(
  hostHeader: string | undefined,
  allowedHosts: readonly string[],
): boolean {
  if (!hostHeader) return false;
  const hostname = hostnameOf(hostHeader);
  if (hostname === undefined) return false;
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(bare) !== 0) return true;
  if (bare === 'localhost' || bare === 'localhost.') return true;
  return isHostAllowed(bare, allowedHosts);
}

/**
 * Whether an `Origin` is the origin the request was addressed to (same host and port as `Host`;
 * the scheme's default port counts as given). `null` (sandboxed frames, `file:` pages) is not.
 */
export function isSameOrigin(origin: string, hostHeader: string): boolean {
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    return false;
  }
  if (from.protocol !== 'http:' && from.protocol !== 'https:') return false;
  if (hostnameOf(hostHeader) === undefined) return false;
  try {
    return new URL(`${from.protocol}//${hostHeader}`).host === from.host;
  } catch {
    return false;
  }
}

/**
 * Refuses, before any route runs (the dashboard's included), a request whose `Host` is not this
 * server's (421) and a browser request sent from another origin (403). Browsers send `Origin`
 * on every cross-origin request that could act or stream (POSTs, `EventSource`, `fetch`), so
 * checking it wherever it is present covers the mutating routes and the event stream; tools
 * such as curl send none and pass.
 */
export function checkHostAndOrigin(allowedHosts: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const host = req.headers.host;
    if (!isAllowedHostHeader(host, allowedHosts)) {
      sendError(
        res,
        421,
        'misdirected_request',
        'this server does not answer to that host name; add it to ROSTER_ALLOWED_HOSTS',
      );
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !isSameOrigin(origin, host ?? '')) {
      sendError(res, 403, 'cross_origin', 'requests from another origin are refused');
      return;
    }
    next();
  };
}

/** `ROSTER_ALLOWED_HOSTS` entries: host names or `*.suffix`, without scheme or port. */
export function parseAllowedHosts(raw: string | undefined): { hosts: string[]; invalid: string[] } {
  const entries = (raw ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const valid = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i;
  return {
    hosts: entries.filter((e) => valid.test(e)),
    invalid: entries.filter((e) => !valid.test(e)),
  };
}
