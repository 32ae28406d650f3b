import { fieldSpec, type ManagedField } from '../config/field-catalog.js';

/**
 * A message when `value` is longer than Graph accepts for `field` (the maximum lengths Microsoft
 * documents, from the field catalog); undefined when it fits. A longer value is an error for that
 * employee: Graph would refuse it, and cutting it silently would publish a title or name nobody
 * wrote.
 */
export function checkFieldLength(field: ManagedField, value: string): string | undefined {
  const max = fieldSpec(field).maxLength;
  // Counted in UTF-16 code units (String.length): the stricter reading for emoji and rare scripts.
  if (max === undefined || value.length <= max) return undefined;
  return `${field} is ${value.length} characters long; Microsoft Graph accepts at most ${max} (the value is not cut)`;
}
