import type { DesiredEmployee } from '../desired/model.js';
import type { ObservedUser } from '../observe/model.js';
import { userKeys } from './user-keys.js';
import type { MatchRule, UserLookup } from '../ports/observation-cache.js';
import type { PlanWarning } from './plan-model.js';

export interface Match {
  employee: DesiredEmployee;
  user: ObservedUser;
}

export interface MatchResult {
  /** In employee key order. */
  matches: Match[];
  warnings: PlanWarning[];
}

/** The users the first rule that finds any finds for an employee's key (absent: none). */
export type LookUpUsers = (key: string) => UserLookup | undefined;

/**
 * Users claimed by more than one employee (user id → those employees' emails): given when the
 * employees are matched a slice at a time and the claims were found over all of them.
 */
export type Claims = ReadonlyMap<string, readonly string[]>;

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * Users looked up in memory as the snapshot matcher looks them up in the database: by `mail`,
 * then `userPrincipalName`, then SMTP proxy address, lowercased; the first rule that finds any
 * decides. For small plans (tests, the in-memory planner).
 */
export function indexUsers(users: readonly ObservedUser[]): LookUpUsers {
  const rules: Array<[MatchRule, Map<string, ObservedUser[]>]> = [
    ['mail', new Map()],
    ['userPrincipalName', new Map()],
    ['proxyAddresses', new Map()],
  ];
  const add = (index: Map<string, ObservedUser[]>, key: string, user: ObservedUser) => {
    const found = index.get(key);
    if (found) found.push(user);
    else index.set(key, [user]);
  };
  for (const user of users) {
    const keys = userKeys(user);
    if (keys.mail) add(rules[0]![1], keys.mail, user);
    add(rules[1]![1], keys.userPrincipalName, user);
    for (const address of keys.addresses) add(rules[2]![1], address, user);
  }
  return (key) => {
    for (const [rule, index] of rules) {
      const found = index.get(key);
      if (found) return { rule, users: found };
    }
    return undefined;
  };
}

/** Users of `candidates` that more than one employee claims, with those employees' emails. */
function claimsAmong(candidates: readonly Match[]): Claims {
  const byUser = new Map<string, string[]>();
  for (const { employee, user } of candidates) {
    const emails = byUser.get(user.id);
    if (emails) emails.push(employee.email);
    else byUser.set(user.id, [employee.email]);
  }
  return new Map([...byUser].filter(([, emails]) => emails.length > 1));
}

/**
 * Employee ↔ user by `mail`, then `userPrincipalName`, then `proxyAddresses`, case-insensitive.
 * The first rule that finds anything decides: one user is a match, several are ambiguous; nothing is
 * guessed. A user claimed by two employees is matched to neither: `claims` says which users are
 * (found over every employee of the run); without it they are found among `employees`.
 */
export function matchEmployees(
  employees: readonly DesiredEmployee[],
  lookUp: LookUpUsers,
  scopeDomains: readonly string[],
  claims?: Claims,
): MatchResult {
  const scope = new Set(scopeDomains.map((d) => d.toLowerCase()));
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
    const found = lookUp(employee.key);
    const first = found?.users[0];
    if (!found || !first) {
      warnings.push({
        kind: 'unmatched',
        employee: employee.email,
        message: `no tenant user has ${employee.email} as mail, userPrincipalName or proxy address`,
      });
    } else if (found.users.length > 1) {
      const upns = found.users.map((u) => u.userPrincipalName).sort();
      warnings.push({
        kind: 'ambiguous',
        employee: employee.email,
        message: `${employee.email} matches ${found.users.length} users by ${found.rule} (${upns.join(', ')}); not guessed`,
      });
    } else {
      candidates.push({ employee, user: first });
    }
  }
  const claimed = claims ?? claimsAmong(candidates);
  const matches: Match[] = [];
  for (const match of candidates) {
    const emails = claimed.get(match.user.id);
    if (!emails) {
      matches.push(match);
      continue;
    }
    warnings.push({
      kind: 'ambiguous',
      employee: match.employee.email,
      message: `user ${match.user.userPrincipalName} is matched by several employees (${[...emails].sort().join(', ')}); not guessed`,
    });
  }
  matches.sort((a, b) => (a.employee.key < b.employee.key ? -1 : a.employee.key > b.employee.key ? 1 : 0));
  return { matches, warnings };
}
