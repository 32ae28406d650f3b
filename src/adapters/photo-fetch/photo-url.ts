import type { RejectedPhoto } from '../../ports/photo-fetcher.js';
import { normalizeHost } from '../../desired/host-allow-list.js';
import { checkSourceUrl } from '../../desired/url-policy.js';

/** A URL that passed the checks every hop must pass, or why it did not. */
export type CheckedPhotoUrl = { ok: true; url: URL } | RejectedPhoto;

const SCHEMES: readonly string[] = ['http:', 'https:'];

/**
 * The checks made before any name is resolved: the URL policy the desired state was built with
 * (`checkSourceUrl`: an absolute http(s) URL without credentials whose host is on the
 * allow-list), checked again here because a plan file may come from anywhere.
 */
export function checkPhotoUrl(raw: string, allowedHosts: readonly string[]): CheckedPhotoUrl {
  const checked = checkSourceUrl(raw, { schemes: SCHEMES, allowedHosts, setting: 'photos.allowedHosts' });
  if (checked.ok) return { ok: true, url: checked.url };
  const { code, url } = checked;
  const message =
    code === 'scheme'
      ? `the photo URL uses the scheme "${url?.protocol ?? ''}"; only http: and https: are allowed`
      : code === 'host-not-allowed'
        ? `the photo host "${normalizeHost(url?.hostname ?? '')}" is not on photos.allowedHosts`
        : `the photo URL ${checked.reason}`;
  return { ok: false, reason: code, message };
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
