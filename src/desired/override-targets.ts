import type { Override } from '../config/settings.js';
import { indexOverrides, unknownOverrideTargets } from './apply-overrides.js';
import type { EmployeeIssue } from './model.js';

/** Which override targets the source has shown so far, and at the end which it never did. */
export interface OverrideTargetTracker {
  seeEmployee(key: string): void;
  /** `officeKeys` of a row's office. */
  seeOffices(keys: readonly string[]): void;
  /** Overrides whose target never appeared among the rows seen: a typo or a departed employee. */
  unknown(): EmployeeIssue[];
}

/**
 * Remembers only the targets overrides name (a handful), not every email and office of the
 * source, so a run over any number of rows keeps no more than the override files do.
 */
export function createOverrideTargetTracker(overrides: readonly Override[]): OverrideTargetTracker {
  const index = indexOverrides(overrides);
  const emails = new Set<string>();
  const offices = new Set<string>();
  return {
    seeEmployee(key) {
      if (index.employees.has(key)) emails.add(key);
    },
    seeOffices(keys) {
      for (const k of keys) if (index.offices.has(k)) offices.add(k);
    },
    unknown: () => unknownOverrideTargets(overrides, emails, offices),
  };
}
