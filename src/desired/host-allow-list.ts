import { domainToASCII } from 'node:url';

/**
 * Normalizes a host the way the WHATWG URL parser does for URLs (lower case, IDNA to punycode,
 * no brackets around IPv6, no trailing dot), so an allow-list entry and a URL's host compare
 * as equals whatever case or script they were written in.
 */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h.includes(':')) return h;
  return domainToASCII(h) || h;
}

/**
 * Whether `host` is on `allowedHosts`. An entry is an exact host (`hr.example.no`, or an IP
 * literal such as `127.0.0.1`) or `*.suffix`, which matches any subdomain of the suffix at any
 * depth but not the suffix itself: list the apex separately when it serves photos too. Matching
 * is case-insensitive. An empty list allows nothing.
 */
export function isHostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  const candidate = normalizeHost(host);
  if (candidate === '') return false;
  return allowedHosts.some((entry) => {
    const pattern = entry.trim();
    if (pattern.startsWith('*.')) {
      const suffix = normalizeHost(pattern.slice(2));
      return suffix !== '' && candidate.endsWith(`.${suffix}`);
    }
    return normalizeHost(pattern) === candidate;
  });
}
