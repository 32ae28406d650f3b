/** A managed field's value: a string, a list (businessPhones), or null (cleared). */
export type FieldValue = string | string[] | null;

/** The planner's comparison: arrays by value, and an empty list is the same as no value. */
export function sameFieldValue(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  const norm = (v: FieldValue | undefined) =>
    Array.isArray(v) ? (v.length > 0 ? v.join('\u0000') : null) : (v ?? null);
  return norm(a) === norm(b);
}
