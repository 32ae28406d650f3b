import { referencedColumns } from '../config/referenced-columns.js';
import type { Settings } from '../config/settings.js';
import type { HrSource } from '../ports/hr-source.js';
import type { TenantDomain } from '../ports/tenant-access.js';
import { describeDomains } from '../plan/no-match.js';
import type { HrCounts, MatchCounts } from './employee-match.js';
import { errorText } from './error-text.js';
import { finding, ok, type Finding } from './finding.js';

/**
 * Below this share of employees matched, the match share is an error: the settings point at the
 * wrong users (most often `scope.domains` against the tenant's domains, or HR emails that are not
 * the users' addresses). Some employees without a Microsoft 365 account are normal (new hires,
 * staff without a licence), so the bar is low.
 */
export const MATCH_ERROR_BELOW = 0.1;
/** Below this share, a warning: worth a look, but Roster manages the employees it finds. */
export const MATCH_WARNING_BELOW = 0.9;

const HR_FIX =
  'check DATABASE_URL and source.query in roster.yaml; roster validate lists every problem with the source';

/** The source query runs and returns every column the settings use (one query, no rows read). */
export async function checkHrSource(hrSource: HrSource, settings: Settings): Promise<Finding> {
  try {
    await hrSource.checkQuery(referencedColumns(settings));
    return ok(
      'hr-source',
      'the HR database answers, and the source query returns every column the settings use',
    );
  } catch (error) {
    return finding('hr-source', 'error', `the HR source could not be read: ${errorText(error)}`, HR_FIX);
  }
}

export function hrEmployeesFinding(counts: HrCounts): Finding {
  const text =
    `${counts.active} active employee(s) in HR, ${counts.usable} usable, ${counts.excluded} excluded by overrides, ` +
    `${counts.withErrors} error(s) in their data leaving employees out`;
  if (counts.usable === 0) {
    return finding('hr-employees', 'error', `${text}: a run has nobody to manage`, HR_FIX);
  }
  if (counts.withErrors > 0) {
    return finding(
      'hr-employees',
      'warning',
      text,
      "run roster validate to see each employee's problem, and fix it in HR or with an override",
    );
  }
  return ok('hr-employees', text);
}

function percent(part: number, whole: number): string {
  return `${Math.floor((part / whole) * 100)} %`;
}

function perDomain(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.length === 0 ? 'none' : entries.map(([d, n]) => `${d} ${n}`).join(', ');
}

/** How many employees match a tenant user, and, when too few, the likely cause with both domain lists. */
export function matchShareFinding(
  counts: MatchCounts,
  settings: Settings,
  domains: readonly TenantDomain[] | undefined,
): Finding {
  if (counts.employees === 0)
    return finding('match-share', 'skipped', 'no usable employees (see hr-employees)');
  const share = counts.matched / counts.employees;
  const headline = `${counts.matched} of ${counts.employees} employees match a tenant user (${percent(counts.matched, counts.employees)})`;
  if (share >= MATCH_WARNING_BELOW) return ok('match-share', headline);
  const parts = [
    `${counts.outOfScope} outside scope.domains`,
    `${counts.unmatched} without a tenant user${counts.unmatchedExamples.length > 0 ? ` (e.g. ${counts.unmatchedExamples.join(', ')})` : ''}`,
    `${counts.ambiguous} ambiguous`,
  ];
  const context =
    `scope.domains is ${settings.scope.domains.join(', ')}; ` +
    `the tenant's domains are ${domains ? describeDomains(domains) : 'unknown (see domains)'}; ` +
    `HR emails by domain: ${perDomain(counts.employeeDomains)}; tenant users by domain: ${perDomain(counts.userDomains)}`;
  const fix =
    'set scope.domains to the mail domain(s) your employees use in this tenant, and make sure the HR emails are ' +
    "the users' mail, userPrincipalName or an SMTP alias (matching uses those, in that order)";
  const status = share < MATCH_ERROR_BELOW ? 'error' : 'warning';
  return finding('match-share', status, `${headline}: ${parts.join(', ')}. ${context}`, fix);
}
