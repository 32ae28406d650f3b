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

/** One user, or several sharing a key (an array only then: most keys name one user). */
type Indexed = ObservedUser | ObservedUser[];

function indexBy(users: ObservedUser[], keysOf: (u: ObservedUser) => string[]): Map<string, Indexed> {
  const index = new Map<string, Indexed>();
  for (const user of users) {
    const keys = keysOf(user);
    for (const [i, raw] of keys.entries()) {
      const key = raw.toLowerCase();
      if (keys.length > 1 && keys.findIndex((k) => k.toLowerCase() === key) !== i) continue;
      const found = index.get(key);
      if (found === undefined) index.set(key, user);
      else if (Array.isArray(found)) found.push(user);
      else index.set(key, [found, user]);
    }
  }
  return index;
}

function usersOf(found: Indexed | undefined): ObservedUser[] {
  return found === undefined ? [] : Array.isArray(found) ? found : [found];
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
  // Each index is built when the first employee needs it: when every employee matches by mail
  // (the usual case), the other two are never built.
  const lazy = (keysOf: (u: ObservedUser) => string[]) => {
    let index: Map<string, Indexed> | undefined;
    return (key: string) => usersOf((index ??= indexBy(users, keysOf)).get(key));
  };
  const rules: Array<[string, (key: string) => ObservedUser[]]> = [
    ['mail', lazy((u) => (u.mail ? [u.mail] : []))],
    ['userPrincipalName', lazy((u) => [u.userPrincipalName])],
    ['proxyAddresses', lazy(smtpAliases)],
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
    for (const [name, lookUp] of rules) {
      found = lookUp(employee.key);
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
  const claims = new Map<string, Match | Match[]>();
  for (const m of candidates) {
    const claimed = claims.get(m.user.id);
    if (claimed === undefined) claims.set(m.user.id, m);
    else if (Array.isArray(claimed)) claimed.push(m);
    else claims.set(m.user.id, [claimed, m]);
  }
  const matches: Match[] = [];
  for (const [, claimants] of claims) {
    if (!Array.isArray(claimants)) {
      matches.push(claimants);
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
