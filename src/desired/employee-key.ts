import type { SourceRow } from './model.js';
import { normalizeText } from './normalize-text.js';
import { isValidEmail } from './validate-url.js';

/** A row's match key (its email, normalized and lowercased), or why it has none. */
export type EmployeeKey =
  { ok: true; key: string; email: string } | { ok: false; label: string; message: string };

export function rowLabel(row: SourceRow): string {
  return `source id ${row.employee['id'] ?? '(none)'}`;
}

/**
 * The email of a row as Roster matches it: NFC-normalized, trimmed and lowercased; only a valid
 * address (ASCII, see `isValidEmail`) has a key. A row without one is reported under `label`.
 */
export function employeeKeyOf(row: SourceRow): EmployeeKey {
  const email = normalizeText(row.employee['email']);
  if (!email.ok || !isValidEmail(email.value)) {
    return {
      ok: false,
      label: email.ok && email.value ? email.value : rowLabel(row),
      message: email.ok
        ? `${rowLabel(row)}: email ${email.value ? 'is not a valid address' : 'is empty'}`
        : `${rowLabel(row)}: email ${email.reason}`,
    };
  }
  return { ok: true, key: email.value.toLowerCase(), email: email.value };
}

/** Code-unit order, not localeCompare: output must not depend on the machine's locale. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
