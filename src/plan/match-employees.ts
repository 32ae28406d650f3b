import type { DesiredEmployee } from '../desired/model.js';
import type { ObservedUser } from '../observe/model.js';
import type { PlanWarning } from './plan-model.js';

export interface Match {
  employee: DesiredEmployee;
  user: ObservedUser;
}

export interface MatchResult {
  matches: Match[];
  warnings: PlanWarning[];
}

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

function indexBy(users: ObservedUser[], keysOf: (u: ObservedUser) => string[]): Map<string, ObservedUser[]> {
  const index = new Map<string, ObservedUser[]>();
  for (const user of users) {
    for (const key of new Set(keysOf(user).map((k) => k.toLowerCase()))) {
      const list = index.get(key);
      if (list) list.push(user);
      else index.set(key, [user]);
    }
  }
  return index;
}

/** Only SMTP addresses (primary `SMTP:` or secondary `smtp:`) are mail aliases. */
function smtpAliases(user: ObservedUser): string[] {
  return user.proxyAddresses.filter((p) => /^smtp:/i.test(p)).map((p) => p.slice(5));
}

/**
 * Employee ↔ user by `mail`, then `userPrincipalName`, then `proxyAddresses`, case-insensitive.
 * The first rule that finds anything decides: one user is a match, several are ambiguous; nothing is
 * guessed. A user claimed by two employees is matched to neither.
 */
export function matchEmployees(
  employees: DesiredEmployee[],
  users: ObservedUser[],
  scopeDomains: string[],
): MatchResult {
  const scope = new Set(scopeDomains.map((d) => d.toLowerCase()));
  const rules: Array<[string, Map<string, ObservedUser[]>]> = [
    ['mail', indexBy(users, (u) => (u.mail ? [u.mail] : []))],
    ['userPrincipalName', indexBy(users, (u) => [u.userPrincipalName])],
    ['proxyAddresses', indexBy(users, smtpAliases)],
  ];
  const warnings: PlanWarning[] = [];
  const candidates: Match[] = [];
  for (const employee of employees) {
    if (!scope.has(domainOf(employee.email))) {
      warnings.push({
        kind: 'out-of-scope',
        employee: employee.email,
        message: `${employee.email} is outside the managed domains (${scopeDomains.join(', ')}); not managed`,
      });
      continue;
    }
    let found: ObservedUser[] = [];
    let rule = '';
    for (const [name, index] of rules) {
      found = index.get(employee.key) ?? [];
      rule = name;
      if (found.length > 0) break;
    }
    const [first] = found;
    if (!first) {
      warnings.push({
        kind: 'unmatched',
        employee: employee.email,
        message: `no tenant user has ${employee.email} as mail, userPrincipalName or proxy address`,
      });
    } else if (found.length > 1) {
      const upns = found.map((u) => u.userPrincipalName).sort();
      warnings.push({
        kind: 'ambiguous',
        employee: employee.email,
        message: `${employee.email} matches ${found.length} users by ${rule} (${upns.join(', ')}); not guessed`,
      });
    } else {
      candidates.push({ employee, user: first });
    }
  }
  const claims = new Map<string, Match[]>();
  for (const m of candidates) claims.set(m.user.id, [...(claims.get(m.user.id) ?? []), m]);
  const matches: Match[] = [];
  for (const [, claimants] of claims) {
    const [only] = claimants;
    if (only && claimants.length === 1) {
      matches.push(only);
      continue;
    }
    const emails = claimants.map((c) => c.employee.email).sort();
    for (const c of claimants) {
      warnings.push({
        kind: 'ambiguous',
        employee: c.employee.email,
        message: `user ${c.user.userPrincipalName} is matched by several employees (${emails.join(', ')}); not guessed`,
      });
    }
  }
  matches.sort((a, b) => (a.employee.key < b.employee.key ? -1 : a.employee.key > b.employee.key ? 1 : 0));
  return { matches, warnings };
}
