/**
 * URL and email checks for values that end up in `src`/`href` attributes or in Graph. Only the
 * schemes a signature or photo fetch legitimately needs pass; `javascript:`, `data:`, `file:`
 * and everything else are refused, as are URLs carrying credentials (they would leak into
 * signatures and plans).
 */

/** Why a URL was refused, for callers that word their own messages (the photo fetcher). */
export type UrlRefusal = 'invalid-url' | 'scheme' | 'host-not-allowed';

/** A checked URL (normalized by the WHATWG parser), or why it was refused. */
export type CheckedUrl =
  { ok: true; value: string; url: URL } | { ok: false; reason: string; code: UrlRefusal; url?: URL };

/** Accept `raw` only when it is an absolute URL with one of `schemes` (e.g. `['https:']`). */
export function checkUrl(raw: string, schemes: readonly string[]): CheckedUrl {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, code: 'invalid-url', reason: 'is not an absolute URL' };
  }
  if (!schemes.includes(url.protocol)) {
    return {
      ok: false,
      code: 'scheme',
      url,
      reason: `uses the scheme "${url.protocol}"; only ${schemes.map((s) => `"${s}"`).join(' or ')} is allowed`,
    };
  }
  if (url.username || url.password) {
    return { ok: false, code: 'invalid-url', url, reason: 'must not carry a user name or password' };
  }
  if (!url.hostname) return { ok: false, code: 'invalid-url', url, reason: 'has no host' };
  return { ok: true, value: url.href, url };
}

// Deliberately narrower than RFC 5322: quoted local parts and IP-literal domains never occur in
// an HR system, and a narrow alphabet keeps `mailto:` links and Graph filters trivially safe.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** A plausible mailbox address (ASCII local part, dotted host name, at most 254 characters). */
export function isValidEmail(value: string): boolean {
  if (value.length > 254 || !EMAIL.test(value)) return false;
  const local = value.slice(0, value.indexOf('@'));
  return local.length <= 64 && !local.startsWith('.') && !local.endsWith('.') && !local.includes('..');
}

/** Display form of a homepage: host and path without the scheme or a trailing slash. */
export function urlLabel(href: string): string {
  const url = new URL(href);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.host}${path}${url.search}`.replace(/\/$/, '');
}
