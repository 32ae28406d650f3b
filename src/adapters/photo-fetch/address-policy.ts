import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Whether a photo download may connect to one IP address, and if not, what the address is. */
export type AddressVerdict = { ok: true } | { ok: false; range: string };

/**
 * Checks one resolved or literal IP address. Only ordinary public unicast addresses pass: the
 * ranges are an allow-list (ipaddr.js calls them `unicast`), so loopback, link-local (with the
 * cloud metadata service at 169.254.169.254), private, unique-local, carrier-grade NAT,
 * multicast, broadcast, unspecified, reserved and the IPv6 forms that embed an IPv4 address
 * (mapped, NAT64, 6to4, Teredo) are refused. IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged
 * as the IPv4 address it carries. `allowPrivateAddresses` lifts the check for local demos and
 * tests only.
 */
export function checkAddress(address: string, allowPrivateAddresses: boolean): AddressVerdict {
  if (isIP(address) === 0) return { ok: false, range: 'not an IP address' };
  if (allowPrivateAddresses) return { ok: true };
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  return range === 'unicast' ? { ok: true } : { ok: false, range };
}

const LABELS: Readonly<Record<string, string>> = {
  linkLocal: 'link-local',
  uniqueLocal: 'unique-local (private IPv6)',
  carrierGradeNat: 'carrier-grade NAT',
  ipv4Mapped: 'IPv4-mapped',
  rfc6052: 'NAT64 (RFC 6052)',
  rfc6145: 'IPv4-translated (RFC 6145)',
  deprecatedSiteLocal: 'site-local',
};

/** The refused range in words for messages: "the photo host … is in the link-local range". */
export function describeRange(range: string): string {
  if (range === 'not an IP address') return 'is not an IP address';
  return `is in the ${LABELS[range] ?? range} range`;
}
