import { DateTime } from 'luxon';
import { UsageError } from '../errors/roster-error.js';

/**
 * `--at`: a date-time with its offset (`2026-12-14T09:00+01:00`, `…Z`); a time without one would
 * depend on the machine's zone, so it is refused.
 */
export function parseMoment(value: string): Date {
  const parsed = DateTime.fromISO(value, { setZone: true });
  if (!parsed.isValid || !/(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value.trim())) {
    throw new UsageError(
      `--at ${value}: not a date-time with a time zone offset (e.g. 2026-12-14T09:00+01:00 or 2026-12-14T08:00Z)`,
    );
  }
  return parsed.toJSDate();
}
