import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CountryCode } from 'libphonenumber-js';
import type { Settings } from '../config/settings.js';

/** A formatted phone number, or why the input is not one. */
export type FormattedPhone = { ok: true; value: string } | { ok: false; reason: string };

/**
 * One international format for every phone number, so the tenant never holds the same number
 * spelled two ways (and the plan never shows a perpetual diff between them). Numbers without a
 * country code are read in the configured default region.
 */
export function formatPhone(raw: string, options: Settings['phone']): FormattedPhone {
  const parsed = parsePhoneNumberFromString(raw, options.defaultRegion.toUpperCase() as CountryCode);
  if (!parsed || !parsed.isValid()) {
    return {
      ok: false,
      reason: `is not a valid phone number (default region ${options.defaultRegion.toUpperCase()})`,
    };
  }
  return { ok: true, value: options.format === 'E.164' ? parsed.number : parsed.formatInternational() };
}
