import type { DesiredConfig } from '../config/settings.js';
import { createDesiredBuilder } from '../desired/build-desired.js';
import type { DesiredEmployee } from '../desired/model.js';
import type { ObservedUser } from '../observe/model.js';
import { indexUsers, matchEmployees } from '../plan/match-employees.js';
import type { DirectoryPort } from '../ports/directory.js';
import type { HrSource } from '../ports/hr-source.js';

/**
 * The preflight's only use of the plan pipeline: HR rows through the merge rules, and employees
 * matched to users by the planner's own rules. Kept here, in two small functions, so a change of
 * the pipeline's interfaces touches this file alone.
 */

/** What the HR source holds, through the merge rules. */
export interface HrCounts {
  /** Active rows the source query returned. */
  active: number;
  /** Employees a run acts on. */
  usable: number;
  /** Left out by an override (`exclude`). */
  excluded: number;
  /** Errors in the data that leave employees out (a duplicate email, an over-long title…). */
  withErrors: number;
}

/** How the usable employees match the tenant's users. */
export interface MatchCounts {
  employees: number;
  matched: number;
  /** Employees whose email is outside `scope.domains`. */
  outOfScope: number;
  /** In scope, but no tenant user has the address. */
  unmatched: number;
  /** Several users (or several employees) share the address: not guessed. */
  ambiguous: number;
  /** Employees per email domain. */
  employeeDomains: Record<string, number>;
  /** Listed users per domain of their mail (else userPrincipalName). */
  userDomains: Record<string, number>;
  /** A few unmatched in-scope employees, for the message. */
  unmatchedExamples: string[];
}

const EXAMPLES = 3;

/** Reads every active HR row and builds the desired employees, as a run does. */
export async function readEmployees(
  config: DesiredConfig,
  hrSource: HrSource,
): Promise<{ counts: HrCounts; employees: DesiredEmployee[] }> {
  const builder = createDesiredBuilder(config);
  for await (const page of hrSource.readActive()) for (const row of page) builder.add(row);
  const desired = builder.finish();
  // Counted as `roster validate` counts them: one per problem (two rows sharing an email are two).
  const withErrors = desired.issues.filter((i) => i.severity !== 'warning').length;
  return {
    counts: {
      active: desired.sourceCount,
      usable: desired.employees.length,
      excluded: desired.excluded.length,
      withErrors,
    },
    employees: desired.employees,
  };
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

function tally(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * Lists the users of `domains` (the managed domains and the tenant's own, so the message can say
 * where the users are) and matches the employees to them. Only the match keys of each user are
 * kept, and nothing is saved: the listing is not the plan's snapshot.
 */
export async function matchTenantUsers(
  employees: readonly DesiredEmployee[],
  directory: DirectoryPort,
  scopeDomains: readonly string[],
  domains: readonly string[],
): Promise<MatchCounts> {
  const users: ObservedUser[] = [];
  const userDomains: Record<string, number> = {};
  for await (const page of directory.listUsers([...new Set([...scopeDomains, ...domains])])) {
    for (const u of page) {
      const { id, userPrincipalName, mail, proxyAddresses, onPremisesSyncEnabled } = u;
      users.push({ id, userPrincipalName, mail, proxyAddresses, onPremisesSyncEnabled, fields: {} });
      tally(userDomains, domainOf(mail ?? userPrincipalName));
    }
  }
  const employeeDomains: Record<string, number> = {};
  for (const e of employees) tally(employeeDomains, domainOf(e.email));
  const result = matchEmployees([...employees], indexUsers(users), [...scopeDomains]);
  const kinds = (kind: string) => result.warnings.filter((w) => w.kind === kind);
  return {
    employees: employees.length,
    matched: result.matches.length,
    outOfScope: kinds('out-of-scope').length,
    unmatched: kinds('unmatched').length,
    ambiguous: new Set(kinds('ambiguous').map((w) => w.employee)).size,
    employeeDomains,
    userDomains,
    unmatchedExamples: kinds('unmatched')
      .slice(0, EXAMPLES)
      .map((w) => w.employee ?? ''),
  };
}
