import type { PlanHead } from './plan-model.js';

/**
 * The one vocabulary of a plan's counts. Every view (the terminal, the markdown comment, the
 * dashboard) says the same four things with the same words, in the same order:
 *
 * - **employees**: the employees a plan is made for: active in HR, not excluded by an override,
 *   without errors in their data (and, with `--only`, those named);
 * - **matched**: those of them matched to exactly one tenant user in scope;
 * - **in sync**: matched employees the plan changes nothing for;
 * - **changes**: the plan's actions (profile updates, photos, signatures).
 *
 * Each is a field of the plan's `summary` (`employees`, `matched`, `inSync`, and the three action
 * counts), so JSON readers count the same way.
 */
export interface PlanCounts {
  /** Active employees the HR source returned (`sourceCount`), before exclusions and data errors. */
  active: number;
  employees: number;
  matched: number;
  inSync: number;
  /** Matched employees the plan changes something for (`matched − inSync`). */
  withChanges: number;
  changes: number;
  profileUpdates: number;
  photos: number;
  signatures: number;
  warnings: number;
}

export function planCountsOf(head: Pick<PlanHead, 'summary' | 'sourceCount'>): PlanCounts {
  const s = head.summary;
  return {
    active: head.sourceCount,
    employees: s.employees,
    matched: s.matched,
    inSync: s.inSync,
    withChanges: s.matched - s.inSync,
    changes: s.updateProfile + s.setPhoto + s.setSignature,
    profileUpdates: s.updateProfile,
    photos: s.setPhoto,
    signatures: s.setSignature,
    warnings: s.warnings,
  };
}

/** A noun's two English forms. */
export interface Noun {
  one: string;
  other: string;
}

const englishPlurals = new Intl.PluralRules('en-US');

/** `1 warning`, `2 warnings`, `0 warnings`: the form `Intl.PluralRules` picks for `n`. */
export function count(n: number, noun: Noun): string {
  return `${n} ${englishPlurals.select(n) === 'one' ? noun.one : noun.other}`;
}

/** The nouns of the vocabulary, for views that label counts on their own (tables, tiles). */
export const NOUNS = {
  employee: { one: 'employee', other: 'employees' },
  change: { one: 'change', other: 'changes' },
  profileUpdate: { one: 'profile update', other: 'profile updates' },
  photo: { one: 'photo', other: 'photos' },
  signature: { one: 'signature', other: 'signatures' },
  warning: { one: 'warning', other: 'warnings' },
  user: { one: 'user', other: 'users' },
} as const satisfies Record<string, Noun>;

/** `3 changes (1 profile update, 2 signatures)`: the kinds that occur, in plan order. */
export function describeChanges(c: PlanCounts): string {
  const kinds = [
    c.profileUpdates > 0 ? count(c.profileUpdates, NOUNS.profileUpdate) : undefined,
    c.photos > 0 ? count(c.photos, NOUNS.photo) : undefined,
    c.signatures > 0 ? count(c.signatures, NOUNS.signature) : undefined,
  ].filter((k): k is string => k !== undefined);
  const total = count(c.changes, NOUNS.change);
  return kinds.length > 0 ? `${total} (${kinds.join(', ')})` : total;
}

/** `8 employees, 7 matched, 6 in sync`. */
export function describeMatching(c: PlanCounts): string {
  return `${count(c.employees, NOUNS.employee)}, ${c.matched} matched, ${c.inSync} in sync`;
}

/**
 * The plan's one-line summary. A plan in which no employee matched a tenant user is not "No
 * changes": the tenant was not compared at all, and the `no-match` warning says why.
 */
export function summarySentence(head: Pick<PlanHead, 'summary' | 'sourceCount'>): string {
  const c = planCountsOf(head);
  const warnings = count(c.warnings, NOUNS.warning);
  if (c.employees > 0 && c.matched === 0) {
    return `No employee matched a tenant user: ${describeMatching(c)}; ${warnings} (see no-match).`;
  }
  if (c.changes === 0) return `No changes: ${describeMatching(c)}; ${warnings}.`;
  return `Plan: ${describeChanges(c)}; ${describeMatching(c)}; ${warnings}.`;
}

/** The plan found no employee a tenant user matched (while it had employees to match). */
export function noEmployeeMatched(head: Pick<PlanHead, 'summary'>): boolean {
  return head.summary.employees > 0 && head.summary.matched === 0;
}
