import type { ManagedField } from '../config/settings.js';

/**
 * Maximum lengths Microsoft documents for the user resource
 * (https://learn.microsoft.com/graph/api/resources/user#properties). A longer value is an
 * error for that employee: Graph would refuse it, and cutting it silently would publish a
 * title or name nobody wrote.
 */
export const FIELD_MAX_LENGTH: Partial<Record<ManagedField, number>> = {
  givenName: 64,
  surname: 64,
  displayName: 256,
  jobTitle: 128,
  department: 64,
  companyName: 64,
  employeeId: 16,
  mobilePhone: 64,
  officeLocation: 128,
  streetAddress: 1024,
  city: 128,
  postalCode: 40,
  country: 128,
};

/** A message when `value` is longer than Graph accepts for `field`; undefined when it fits. */
export function checkFieldLength(field: ManagedField, value: string): string | undefined {
  const max = FIELD_MAX_LENGTH[field];
  // Counted in UTF-16 code units (String.length): the stricter reading for emoji and rare scripts.
  if (max === undefined || value.length <= max) return undefined;
  return `${field} is ${value.length} characters long; Microsoft Graph accepts at most ${max} (the value is not cut)`;
}
