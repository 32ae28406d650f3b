import type { ConfigProblem } from '../errors/roster-error.js';
import type { Override } from './settings.js';

/**
 * Overrides naming an employee or office the HR source does not have. Run once the source has
 * been read (the config loader cannot know); each problem points at the override's entry.
 * Employees match by email and offices by id or name, all case-insensitively.
 */
export function findUnknownOverrideTargets(
  overrides: readonly Override[],
  known: { emails: Iterable<string>; offices: Iterable<string> },
): ConfigProblem[] {
  const emails = new Set([...known.emails].map((e) => e.trim().toLowerCase()));
  const offices = new Set([...known.offices].map((o) => o.trim().toLowerCase()));
  const problems: ConfigProblem[] = [];
  for (const override of overrides) {
    const { target } = override;
    const missing =
      target.kind === 'employee'
        ? !emails.has(target.email.toLowerCase()) &&
          `no active employee with email '${target.email}' in the HR source`
        : !offices.has(target.office.toLowerCase()) &&
          `no office with id or name '${target.office}' in the HR source`;
    if (!missing) continue;
    problems.push({
      file: override.file,
      line: override.line,
      ...(override.column !== undefined ? { column: override.column } : {}),
      message: `override has no effect: ${missing}`,
      severity: 'warning',
    });
  }
  return problems;
}
