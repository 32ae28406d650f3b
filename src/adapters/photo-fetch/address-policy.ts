import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Whether a photo download may connect to one IP address, and if not, what the address is. */
export type AddressVerdict = { ok: true } | { ok: false; range: string };

/**
 * Checks one resolved or literal IP address. Only ordinary public unicast addresses pass: the
 * ranges are an allow-list (ipaddr.js calls them `unicast`), so loopback, link-local (with the
 * cloud metadata service at 169.254.169.254), private, unique-local, carrier-grade NAT,
 * multicast, broadcast, unspecified, reserved and the IPv6 forms that embed an IPv4 address
 * (mapped, IPv4-compatible, NAT64, 6to4, Teredo) are refused. IPv4-mapped IPv6
 * (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries. `allowPrivateAddresses` lifts
 * the check for local demos and tests only.
 */
export function checkAddress(address: string, allowPrivateAddresses: boolean): AddressVerdict {
  if (isIP(address) === 0) return { ok: false, range: 'not an IP address' };
  if (allowPrivateAddresses) return { ok: true };
  const canonical = canonicalIPv6(address) ?? address;
  if (isIPv4Compatible(canonical)) return { ok: false, range: 'ipv4Compatible' };
  const parsed = ipaddr.process(canonical);
  const range = parsed.range();
  return range === 'unicast' ? { ok: true } : { ok: false, range };
}

/**
 * An IPv6 address in hex groups only, as the WHATWG URL parser writes it. ipaddr.js reads a
 * dotted tail after `::` as IPv4-mapped (`::127.0.0.1` as `::ffff:7f00:1`), which would hide the
 * IPv4-compatible form below.
 */
function canonicalIPv6(address: string): string | undefined {
  if (isIP(address) !== 6) return undefined;
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/**
 * `::/96` (RFC 4291's deprecated IPv4-compatible form, `::127.0.0.1` = `::7f00:1`): ipaddr.js
 * calls most of it unicast, and some stacks still route it to the IPv4 address it carries.
 * `::` and `::1` are left to their own (refused) ranges.
 */
function isIPv4Compatible(address: string): boolean {
  if (isIP(address) !== 6) return false;
  const parts = ipaddr.IPv6.parse(address).parts;
  const low = (parts[6] ?? 0) * 65_536 + (parts[7] ?? 0);
  return parts.slice(0, 6).every((p) => p === 0) && low > 1;
}

const LABELS: Readonly<Record<string, string>> = {
  linkLocal: 'link-local',
  uniqueLocal: 'unique-local (private IPv6)',
  carrierGradeNat: 'carrier-grade NAT',
  ipv4Mapped: 'IPv4-mapped',
  ipv4Compatible: 'IPv4-compatible IPv6 (::/96)',
  rfc6052: 'NAT64 (RFC 6052)',
  rfc6145: 'IPv4-translated (RFC 6145)',
  deprecatedSiteLocal: 'site-local',
};

/** The refused range in words for messages: "the photo host … is in the link-local range". */
export function describeRange(range: string): string {
  if (range === 'not an IP address') return 'is not an IP address';
  return `is in the ${LABELS[range] ?? range} range`;
}
