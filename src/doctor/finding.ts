/**
 * The preflight's findings: one per check, each saying what was found, what to fix and where the
 * setup guide explains it. `roster doctor` prints them; the controller shows them on `/status`.
 */

/** Every check the preflight runs, in the order they are reported. */
export const CHECKS = [
  'configuration',
  'credential',
  'graph-token',
  'graph-permissions',
  'sample-user',
  'domains',
  'photo-settings',
  'campaign-groups',
  'exchange-token',
  'exchange-permission',
  'exchange-role',
  'exchange-address',
  'roaming-signatures',
  'hr-source',
  'hr-employees',
  'match-share',
] as const;

export type CheckId = (typeof CHECKS)[number];

/**
 * `ok`; `warning`: works, with a caveat worth reading; `error`: Roster cannot do (part of) its
 * job until it is fixed; `skipped`: not checked, because it does not apply or an earlier check
 * failed (the message says which).
 */
export type FindingStatus = 'ok' | 'warning' | 'error' | 'skipped';

export interface Finding {
  check: CheckId;
  status: FindingStatus;
  /** What was found, in a sentence; never a secret. */
  message: string;
  /** What to do about it (warnings and errors). */
  fix?: string;
  /** The setup guide's entry for this check, a path in the repository with its anchor. */
  link?: string;
}

/** The guide every finding links into. */
export const SETUP_GUIDE = 'docs/azure-setup.md';

/** The guide's entry for `check` (an `<a id="doctor-…">` anchor in the "roster doctor" section). */
export function linkFor(check: CheckId): string {
  return `${SETUP_GUIDE}#doctor-${check}`;
}

/**
 * Checks that say whether Roster can reach and act in the tenant at all. An error in one of these
 * makes the controller not ready (`/readyz`); the others (a setting of the tenant, the HR data, the
 * match share) show as its `Preflight` condition only, so its dashboard stays reachable.
 */
export const ACCESS_CHECKS: ReadonlySet<CheckId> = new Set<CheckId>([
  'credential',
  'graph-token',
  'graph-permissions',
  'sample-user',
  'exchange-token',
  'exchange-permission',
  'exchange-role',
  'exchange-address',
]);

/** Checks that read every HR row and list every tenant user (`DoctorOptions.deep`). */
export const DEEP_CHECKS: ReadonlySet<CheckId> = new Set<CheckId>(['hr-employees', 'match-share']);

export function finding(check: CheckId, status: FindingStatus, message: string, fix?: string): Finding {
  return {
    check,
    status,
    message,
    ...(fix !== undefined && status !== 'ok' && status !== 'skipped' ? { fix } : {}),
    link: linkFor(check),
  };
}

export const ok = (check: CheckId, message: string): Finding => finding(check, 'ok', message);
export const skipped = (check: CheckId, message: string): Finding => finding(check, 'skipped', message);

/** True when any finding is an error: `roster doctor` then exits 1. */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.status === 'error');
}

/** Findings in report order (the order of `CHECKS`). */
export function inReportOrder(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => CHECKS.indexOf(f.check);
  return [...findings].sort((a, b) => rank(a) - rank(b));
}
