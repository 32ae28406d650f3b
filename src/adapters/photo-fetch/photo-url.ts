import type { RejectedPhoto } from '../../ports/photo-fetcher.js';
import { isHostAllowed, normalizeHost } from '../../desired/host-allow-list.js';

/** A URL that passed the checks every hop must pass, or why it did not. */
export type CheckedPhotoUrl = { ok: true; url: URL } | RejectedPhoto;

const SCHEMES: readonly string[] = ['http:', 'https:'];

/**
 * The checks made before any name is resolved: an absolute http(s) URL without credentials
 * (they would end up in logs and plans) whose host is on the allow-list.
 */
export function checkPhotoUrl(raw: string, allowedHosts: readonly string[]): CheckedPhotoUrl {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: 'invalid-url', message: 'the photo URL is not an absolute URL' };
  }
  if (!SCHEMES.includes(url.protocol)) {
    return {
      ok: false,
      reason: 'scheme',
      message: `the photo URL uses the scheme "${url.protocol}"; only http: and https: are allowed`,
    };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      reason: 'invalid-url',
      message: 'the photo URL must not carry a user name or password',
    };
  }
  if (!isHostAllowed(url.hostname, allowedHosts)) {
    return {
      ok: false,
      reason: 'host-not-allowed',
      message: `the photo host "${normalizeHost(url.hostname)}" is not on photos.allowedHosts`,
    };
  }
  return { ok: true, url };
}

/**
 * A redirect may only stay on the same host, at the same port unless it upgrades http: to
 * https:, and never downgrade to http:. Following a redirect to another host would let any
 * allowed host launder a request to one that is not (or to an internal address by name).
 */
export function checkRedirect(
  from: URL,
  location: string | undefined,
  allowedHosts: readonly string[],
): CheckedPhotoUrl {
  if (!location) {
    return {
      ok: false,
      reason: 'http-status',
      message: 'the photo server redirected without a Location header',
    };
  }
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    return {
      ok: false,
      reason: 'redirect-not-allowed',
      message: 'the photo server redirected to an invalid URL',
    };
  }
  const fromHost = normalizeHost(from.hostname);
  const toHost = normalizeHost(to.hostname);
  if (!SCHEMES.includes(to.protocol) || (from.protocol === 'https:' && to.protocol === 'http:')) {
    return refuse(`a redirect from ${from.protocol} to ${to.protocol} is not allowed`);
  }
  if (to.username || to.password)
    return refuse('a redirect to a URL with a user name or password is not allowed');
  if (toHost !== fromHost) {
    return refuse(
      `a redirect from host "${fromHost}" to host "${toHost}" is not allowed (only the same host)`,
    );
  }
  if (to.protocol === from.protocol && to.port !== from.port) {
    return refuse(`a redirect to another port of "${toHost}" is not allowed`);
  }
  // Same host, so still on the allow-list; checked again so this never depends on that reasoning.
  return checkPhotoUrl(to.href, allowedHosts);
}

function refuse(message: string): RejectedPhoto {
  return { ok: false, reason: 'redirect-not-allowed', message };
}
