import type { ManagedField, Override } from '../config/settings.js';
import type { EmployeeIssue } from './model.js';

/** Overrides looked up by target: employee email (lowercased) and office id or name (lowercased). */
export interface OverrideIndex {
  employees: Map<string, Override[]>;
  offices: Map<string, Override[]>;
}

/** An overridden field value and the override it came from (for messages). */
export interface FieldOverride {
  /** `null` clears the tenant value explicitly, whatever `clearWhenEmpty` says. */
  value: string | null;
  origin: Override;
}

/** The overrides of one employee folded together: employee > office (> source, applied later). */
export interface ResolvedOverrides {
  fields: Partial<Record<ManagedField, FieldOverride>>;
  variables: Record<string, string>;
  template?: string;
  /** Undefined: not overridden; null: explicitly no photo. */
  photoUrl?: string | null;
  exclude: boolean;
}

function officeKey(value: string): string {
  return value.normalize('NFC').trim().toLowerCase();
}

function push(map: Map<string, Override[]>, key: string, override: Override): void {
  const list = map.get(key);
  if (list) list.push(override);
  else map.set(key, [override]);
}

export function indexOverrides(overrides: readonly Override[]): OverrideIndex {
  const index: OverrideIndex = { employees: new Map(), offices: new Map() };
  for (const o of overrides) {
    if (o.target.kind === 'employee') push(index.employees, o.target.email.trim().toLowerCase(), o);
    else push(index.offices, officeKey(o.target.office), o);
  }
  return index;
}

/** The keys an office is known by (id and name), as `indexOverrides` stores them. */
export function officeKeys(office: Record<string, string | null>): string[] {
  return [office['id'], office['name']].filter((v): v is string => !!v && !!v.trim()).map(officeKey);
}

function fold(into: ResolvedOverrides, o: Override): void {
  for (const [field, value] of Object.entries(o.fields) as [ManagedField, string | null | undefined][]) {
    if (value !== undefined) into.fields[field] = { value, origin: o };
  }
  Object.assign(into.variables, o.variables);
  if (o.template !== undefined) into.template = o.template;
  if (o.photoUrl !== undefined) into.photoUrl = o.photoUrl;
  into.exclude ||= o.exclude;
}

/**
 * Fold the overrides that apply to one employee: office overrides first, then employee overrides,
 * each in file order, so the most specific and latest one wins. Exclusion is sticky: any
 * matching override with `exclude: true` excludes.
 */
export function resolveOverrides(
  index: OverrideIndex,
  email: string,
  officeKeyList: string[],
): ResolvedOverrides {
  const resolved: ResolvedOverrides = { fields: {}, variables: {}, exclude: false };
  const officeOverrides = new Set<Override>();
  for (const key of officeKeyList) for (const o of index.offices.get(key) ?? []) officeOverrides.add(o);
  for (const o of officeOverrides) fold(resolved, o);
  for (const o of index.employees.get(email) ?? []) fold(resolved, o);
  return resolved;
}

/** Overrides whose target never appeared among the source rows: a typo or a departed employee. */
export function unknownOverrideTargets(
  overrides: readonly Override[],
  seenEmails: ReadonlySet<string>,
  seenOffices: ReadonlySet<string>,
): EmployeeIssue[] {
  const issues: EmployeeIssue[] = [];
  for (const o of overrides) {
    const where = `${o.file}:${o.line}`;
    if (o.target.kind === 'employee') {
      if (seenEmails.has(o.target.email.trim().toLowerCase())) continue;
      issues.push({
        kind: 'unknown-override-target',
        severity: 'warning',
        message: `${where}: override for employee "${o.target.email}" matches no active employee in the source`,
      });
    } else if (!seenOffices.has(officeKey(o.target.office))) {
      issues.push({
        kind: 'unknown-override-target',
        severity: 'warning',
        message: `${where}: override for office "${o.target.office}" matches no office (by id or name) of an active employee`,
      });
    }
  }
  return issues;
}
