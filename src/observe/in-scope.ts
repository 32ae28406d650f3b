import type { ObservedUser } from './model.js';

/**
 * A user is in scope when its mail, userPrincipalName or one of its SMTP proxy addresses is in one
 * of the managed domains (case-insensitive). Users outside are never read into a plan.
 */
export function inDomains(user: ObservedUser, domains: readonly string[]): boolean {
  const wanted = new Set(domains.map((d) => d.toLowerCase()));
  const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  const addresses = [
    user.mail,
    user.userPrincipalName,
    ...user.proxyAddresses.filter((p) => /^smtp:/i.test(p)).map((p) => p.slice(5)),
  ];
  return addresses.some((a) => typeof a === 'string' && a.includes('@') && wanted.has(domainOf(a)));
}
