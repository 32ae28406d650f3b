import type { TenantDomain } from '../ports/tenant-access.js';
import { count, NOUNS } from './plan-counts.js';
import type { PlanHead, PlanWarning } from './plan-model.js';

/** The tenant's domains as a list for messages: `a (initial), b (default), c (not verified)`. */
export function describeDomains(domains: readonly TenantDomain[]): string {
  if (domains.length === 0) return 'none';
  return domains
    .map((d) => {
      const notes = [
        ...(d.isInitial ? ['initial'] : []),
        ...(d.isDefault ? ['default'] : []),
        ...(d.isVerified ? [] : ['not verified']),
      ];
      return notes.length > 0 ? `${d.name} (${notes.join(', ')})` : d.name;
    })
    .join(', ');
}

/** The tenant's domains as read for the message, or why they could not be read. */
export type TenantDomainsRead = { domains: readonly TenantDomain[] } | { error: string };

const SET_SCOPE = 'set scope.domains in roster.yaml to the mail domains your employees use in this tenant';

/**
 * Why no employee matched a tenant user, as far as the plan and the tenant's domains tell: the
 * managed domains are not the tenant's (the usual cause: a configuration made for another
 * tenant), every employee is outside them, or the tenant simply has none of the addresses.
 */
function likelyCause(
  head: Pick<PlanHead, 'warnings'>,
  scopeDomains: readonly string[],
  tenant: TenantDomainsRead,
): string {
  const scope = scopeDomains.join(', ');
  if ('domains' in tenant) {
    const names = new Set(tenant.domains.map((d) => d.name.toLowerCase()));
    if (!scopeDomains.some((d) => names.has(d.toLowerCase()))) {
      return `scope.domains (${scope}) names no domain of this tenant, whose domains are ${describeDomains(tenant.domains)}; ${SET_SCOPE}`;
    }
  }
  const of = (kind: PlanWarning['kind']) =>
    new Set(head.warnings.filter((w) => w.kind === kind).map((w) => w.employee)).size;
  const outOfScope = of('out-of-scope');
  const unmatched = of('unmatched');
  const ambiguous = of('ambiguous');
  const domainsNote =
    'error' in tenant
      ? `; the tenant's domains could not be read (${tenant.error}), so compare scope.domains (${scope}) with them in the Microsoft 365 admin center`
      : '';
  if (unmatched === 0 && ambiguous === 0 && outOfScope > 0) {
    return `every employee's email is outside scope.domains (${scope}); ${SET_SCOPE}${domainsNote}`;
  }
  const parts = [
    unmatched > 0 ? `${unmatched} without a tenant user` : undefined,
    ambiguous > 0 ? `${ambiguous} ambiguous` : undefined,
    outOfScope > 0 ? `${outOfScope} outside scope.domains (${scope})` : undefined,
  ].filter((p): p is string => p !== undefined);
  return (
    `no tenant user has an employee's email as mail, userPrincipalName or SMTP proxy address (${parts.join(', ')}); ` +
    `check that the HR emails are the users' addresses (roster doctor shows employees and users by domain)${domainsNote}`
  );
}

/** The `no-match` warning of a plan in which no employee matched a tenant user. */
export function noMatchWarning(
  head: Pick<PlanHead, 'warnings' | 'summary'>,
  scopeDomains: readonly string[],
  tenant: TenantDomainsRead,
): PlanWarning {
  const employees = count(head.summary.employees, NOUNS.employee);
  return {
    kind: 'no-match',
    message: `0 of ${employees} matched a tenant user, so nothing was compared: ${likelyCause(head, scopeDomains, tenant)}`,
  };
}

/** The head with `warning` first among its warnings, and counted. */
export function withLeadingWarning<H extends Pick<PlanHead, 'warnings' | 'summary'>>(
  head: H,
  warning: PlanWarning,
): H {
  return {
    ...head,
    warnings: [warning, ...head.warnings],
    summary: { ...head.summary, warnings: head.summary.warnings + 1 },
  };
}
