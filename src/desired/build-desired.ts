import type { DesiredConfig } from '../config/settings.js';
import { indexOverrides, officeKeys, resolveOverrides, unknownOverrideTargets } from './apply-overrides.js';
import type { OverrideIndex, ResolvedOverrides } from './apply-overrides.js';
import type { DesiredEmployee, DesiredState, EmployeeIssue, SourceRow } from './model.js';
import { normalizeText } from './normalize-text.js';
import { REFUSED_VALUE, renderFields } from './render-fields.js';
import { renderTemplate } from './render-template.js';
import type { Report } from './render-fields.js';
import { renderSignature } from './render-signature.js';
import { signatureView } from './signature-view.js';
import { checkUrl, isValidEmail } from './validate-url.js';

/** Feeds rows one at a time (e.g. page by page from a database cursor) and builds at the end. */
export interface DesiredBuilder {
  add(row: SourceRow): void;
  finish(): DesiredState;
}

const DEFAULT_PHOTO_FROM = '{{employee.profile_image_url}}';

function plain(value: string): string {
  return value;
}

interface Normalized {
  /** For mapping templates: refused values replaced by REFUSED_VALUE. */
  mapping: Record<string, string>;
  /** For signatures and photo: refused values replaced by "". */
  display: Record<string, string>;
}

function normalizeRecord(record: Record<string, string | null>, prefix: string, report: Report): Normalized {
  const mapping: Record<string, string> = {};
  const display: Record<string, string> = {};
  for (const [column, raw] of Object.entries(record)) {
    const result = normalizeText(raw);
    if (result.ok) {
      mapping[column] = display[column] = result.value;
      continue;
    }
    report({
      kind: 'invalid-value',
      severity: 'warning',
      field: `${prefix}.${column}`,
      message: `${prefix}.${column} ${result.reason}; fields using it are left alone`,
    });
    mapping[column] = REFUSED_VALUE;
    display[column] = '';
  }
  return { mapping, display };
}

function photoUrlOf(
  overrides: ResolvedOverrides,
  from: string,
  view: Record<string, unknown>,
  report: Report,
): string | undefined {
  // Override `photoUrl` > the `photos.from` expression over the source row.
  const raw =
    overrides.photoUrl !== undefined ? (overrides.photoUrl ?? '') : renderTemplate(from, view, plain);
  if (raw.includes(REFUSED_VALUE)) return undefined;
  const normalized = normalizeText(raw);
  if (!normalized.ok || normalized.value === '') return undefined;
  // The photo fetcher enforces the host allow-list and address rules; here only the shape.
  const checked = checkUrl(normalized.value, ['https:', 'http:']);
  if (checked.ok) return checked.value;
  report({
    kind: 'invalid-url',
    severity: 'warning',
    field: 'photo',
    message: `photo URL ${checked.reason}; the photo is left alone`,
  });
  return undefined;
}

function buildEmployee(
  key: string,
  row: SourceRow,
  overrides: ResolvedOverrides,
  config: DesiredConfig,
  report: Report,
): DesiredEmployee | undefined {
  const { settings } = config;
  const employee = normalizeRecord(row.employee, 'employee', report);
  const office = normalizeRecord(row.office, 'office', report);
  const variables = { ...settings.signatures.variables, ...overrides.variables };
  const view = { ...variables, employee: employee.mapping, office: office.mapping };
  const fields = renderFields({ settings, view, overrides, report });
  if (!fields) return undefined;
  const email = employee.display['email'] ?? key;
  let photoUrl: string | undefined;
  try {
    photoUrl = photoUrlOf(overrides, settings.photos.from ?? DEFAULT_PHOTO_FROM, view, report);
  } catch (e) {
    report({
      kind: 'template-error',
      severity: 'error',
      field: 'photo',
      message: `photos.from cannot be rendered: ${(e as Error).message}`,
    });
    return undefined;
  }
  const desired: DesiredEmployee = {
    key,
    email,
    sourceId: employee.display['id'] ?? '',
    officeName: office.display['name'] || null,
    fields,
  };
  if (photoUrl && settings.photos.enabled) desired.photoUrl = photoUrl;
  if (!settings.signatures.enabled) return desired;

  const name = overrides.template ?? settings.signatures.defaultTemplate;
  const template = config.templates.get(name);
  if (!template) {
    const known = [...config.templates.keys()].sort().join(', ') || 'none';
    report({
      kind: 'template-error',
      severity: 'error',
      message: `signature template "${name}" does not exist (known: ${known})`,
    });
    return undefined;
  }
  const signatureSource = { email, fields, office: office.display, variables, phone: settings.phone, report };
  const rendered = renderSignature(
    template,
    signatureView(photoUrl?.startsWith('https:') ? { ...signatureSource, photoUrl } : signatureSource),
  );
  if ('error' in rendered) {
    report({ kind: rendered.error.kind, severity: 'error', message: rendered.error.message });
    return undefined;
  }
  for (const w of rendered.warnings) {
    report({
      kind: 'invalid-url',
      severity: 'warning',
      field: `signature.${w.variable}`,
      message: w.message,
    });
  }
  const s = settings.signatures;
  desired.signature = {
    template: template.name,
    html: rendered.html,
    text: rendered.text,
    autoAddSignature: s.autoAddSignature,
    autoAddSignatureOnReply: s.autoAddSignatureOnReply,
    autoAddSignatureOnMobile: s.autoAddSignatureOnMobile,
    useDefaultSignatureOnMobile: s.useDefaultSignatureOnMobile,
  };
  return desired;
}

// Code-unit order, not localeCompare: the output must not depend on the machine's locale.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rowLabel(row: SourceRow): string {
  return `source id ${row.employee['id'] ?? '(none)'}`;
}

/**
 * Desired state from HR rows and configuration, pure and linear in the number of rows. Rules:
 * override (employee > office) > source > leave alone; duplicate emails (case-insensitive) are
 * reported and neither row is used; one bad employee never affects another.
 */
export function createDesiredBuilder(config: DesiredConfig): DesiredBuilder {
  const index: OverrideIndex = indexOverrides(config.overrides);
  const byKey = new Map<string, SourceRow[]>();
  const seenOffices = new Set<string>();
  const issues: EmployeeIssue[] = [];
  let sourceCount = 0;

  function add(row: SourceRow): void {
    sourceCount++;
    for (const k of officeKeys(row.office)) seenOffices.add(k);
    const email = normalizeText(row.employee['email']);
    if (!email.ok || !isValidEmail(email.value)) {
      issues.push({
        employee: email.ok && email.value ? email.value : rowLabel(row),
        kind: 'invalid-email',
        severity: 'error',
        field: 'employee.email',
        message: email.ok
          ? `${rowLabel(row)}: email ${email.value ? 'is not a valid address' : 'is empty'}`
          : `${rowLabel(row)}: email ${email.reason}`,
      });
      return;
    }
    const key = email.value.toLowerCase();
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }

  function finish(): DesiredState {
    const employees: DesiredEmployee[] = [];
    const excluded: string[] = [];
    for (const [key, rows] of byKey) {
      const resolved = rows.map((row) => resolveOverrides(index, key, officeKeys(row.office)));
      if (resolved.every((r) => r.exclude)) {
        excluded.push(key);
        continue;
      }
      const report: Report = (issue) => issues.push({ employee: key, ...issue });
      const [row, overrides] = [rows[0], resolved[0]];
      if (rows.length > 1 || !row || !overrides) {
        const ids = rows.map((r) => r.employee['id'] ?? '(none)');
        for (const [i, id] of ids.entries()) {
          const others = ids.filter((_, j) => j !== i).join(', ');
          report({
            kind: 'duplicate-email',
            severity: 'error',
            field: 'employee.email',
            message: `source id ${id} shares the email ${key} with source id ${others}; none of these rows is used`,
          });
        }
        continue;
      }
      const built = buildEmployee(key, row, overrides, config, report);
      if (built) employees.push(built);
    }
    employees.sort((a, b) => compare(a.key, b.key));
    excluded.sort(compare);
    const ordered = issues
      .map((issue, i) => ({ issue, i }))
      .sort((a, b) => compare(a.issue.employee ?? '', b.issue.employee ?? '') || a.i - b.i)
      .map((x) => x.issue);
    ordered.push(...unknownOverrideTargets(config.overrides, new Set(byKey.keys()), seenOffices));
    return { employees, excluded, issues: ordered, sourceCount };
  }

  return { add, finish };
}

export function buildDesired(rows: Iterable<SourceRow>, config: DesiredConfig): DesiredState {
  const builder = createDesiredBuilder(config);
  for (const row of rows) builder.add(row);
  return builder.finish();
}
