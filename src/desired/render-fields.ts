import { fieldSpec } from '../config/field-catalog.js';
import type { FieldMapping, ManagedField, Settings } from '../config/settings.js';
import type { ResolvedOverrides } from './apply-overrides.js';
import { checkFieldLength } from './field-limits.js';
import { formatPhone } from './format-phone.js';
import type { DesiredEmployee, EmployeeIssue } from './model.js';
import { collapseWhitespace, normalizeText } from './normalize-text.js';
import { renderTemplate } from './render-template.js';

/**
 * Stands in for a source value that was refused (control characters, invalid UTF-8). Control
 * characters never survive normalization, so this marker cannot occur in real data; a mapping
 * that renders it depends on a refused value and is left alone instead of being written or cleared.
 */
export const REFUSED_VALUE = '\u0000refused\u0000';

/** An issue about the current employee (the caller adds the employee key). */
export type Report = (issue: Omit<EmployeeIssue, 'employee'>) => void;

/** Inputs for rendering one employee's managed fields. */
export interface FieldInputs {
  settings: Settings;
  /** Mustache view: `employee.*`, `office.*` (normalized) and variables at the top level. */
  view: Record<string, unknown>;
  overrides: ResolvedOverrides;
  report: Report;
}

function plain(value: string): string {
  return value;
}

// Entra ID refuses to clear some fields (displayName), so an empty one means "leave it alone".
function neverCleared(field: ManagedField): boolean {
  return fieldSpec(field).clearing === 'never';
}

type Candidate = { kind: 'value'; value: string } | { kind: 'clear' } | { kind: 'leave' };

function fromOverride(field: ManagedField, inputs: FieldInputs): Candidate | undefined {
  const override = inputs.overrides.fields[field];
  if (!override) return undefined;
  const where = `${override.origin.file}:${override.origin.line}`;
  const normalized = normalizeText(override.value);
  if (!normalized.ok) {
    inputs.report({
      kind: 'invalid-value',
      severity: 'warning',
      field,
      message: `override ${field} (${where}) ${normalized.reason}; the field is left alone`,
    });
    return { kind: 'leave' };
  }
  if (normalized.value !== '') return { kind: 'value', value: normalized.value };
  if (neverCleared(field)) {
    inputs.report({
      kind: 'invalid-value',
      severity: 'warning',
      field,
      message: `override ${field} (${where}) clears a value Entra ID cannot clear; the field is left alone`,
    });
    return { kind: 'leave' };
  }
  return { kind: 'clear' };
}

function fromSource(field: ManagedField, mapping: FieldMapping, inputs: FieldInputs): Candidate | 'error' {
  let rendered: string;
  try {
    rendered = renderTemplate(mapping.from, inputs.view, plain);
  } catch (e) {
    inputs.report({
      kind: 'template-error',
      severity: 'error',
      field,
      message: `mapping for ${field} ("${mapping.from}") cannot be rendered: ${(e as Error).message}`,
    });
    return 'error';
  }
  if (rendered.includes(REFUSED_VALUE)) return { kind: 'leave' };
  const value = collapseWhitespace(rendered);
  if (value !== '') return { kind: 'value', value };
  return mapping.clearWhenEmpty && !neverCleared(field) ? { kind: 'clear' } : { kind: 'leave' };
}

/**
 * Managed fields of one employee: override > source mapping; an empty source value is left
 * alone unless the mapping says `clearWhenEmpty`; phones formatted; lengths checked.
 * Returns undefined when an error keeps the employee out of the run.
 */
export function renderFields(inputs: FieldInputs): DesiredEmployee['fields'] | undefined {
  const { settings } = inputs;
  const fields: DesiredEmployee['fields'] = {};
  const names = new Set([...Object.keys(settings.fields), ...Object.keys(inputs.overrides.fields)]);
  let failed = false;
  for (const field of names as Set<ManagedField>) {
    const mapping = settings.fields[field];
    const candidate =
      fromOverride(field, inputs) ?? (mapping ? fromSource(field, mapping, inputs) : undefined);
    if (candidate === 'error') {
      failed = true;
      continue;
    }
    if (!candidate || candidate.kind === 'leave') continue;
    if (candidate.kind === 'clear') {
      fields[field] = null;
      continue;
    }
    let value = candidate.value;
    if (mapping?.format === 'phone') {
      const phone = formatPhone(value, settings.phone);
      if (!phone.ok) {
        inputs.report({
          kind: 'invalid-value',
          severity: 'warning',
          field,
          message: `${field} "${value.slice(0, 40)}" ${phone.reason}; the field is left alone`,
        });
        continue;
      }
      value = phone.value;
    }
    const tooLong = checkFieldLength(field, value);
    if (tooLong) {
      inputs.report({ kind: 'too-long', severity: 'error', field, message: tooLong });
      failed = true;
      continue;
    }
    fields[field] = field === 'businessPhones' ? [value] : value;
  }
  return failed ? undefined : fields;
}
