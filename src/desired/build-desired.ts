import { createHash } from 'node:crypto';
import { pickSignatureFlags } from '../config/field-catalog.js';
import type { DesiredConfig, ManagedField, SignatureTemplate } from '../config/settings.js';
import { indexOverrides, officeKeys, resolveOverrides, unknownOverrideTargets } from './apply-overrides.js';
import type { OverrideIndex, ResolvedOverrides } from './apply-overrides.js';
import type { DesiredEmployee, DesiredSignature, DesiredState, EmployeeIssue, SourceRow } from './model.js';
import { lazySignature } from './lazy-signature.js';
import { normalizeText, removedMessage } from './normalize-text.js';
import { REFUSED_VALUE, renderFields } from './render-fields.js';
import { renderTemplate } from './render-template.js';
import type { Report } from './render-fields.js';
import { renderSignature, type SignatureView, type SignatureWarning } from './render-signature.js';
import { desiredSignatureHash, flagString, type SignatureFlagValues } from './signature-hash.js';
import { officeSignatureView, signatureView } from './signature-view.js';
import { checkSourceUrl, photoUrlRule, signatureUrlPolicy, type UrlRule } from './url-policy.js';
import { isValidEmail } from './validate-url.js';

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
      if (result.removed) {
        const field = `${prefix}.${column}`;
        report({
          kind: 'invalid-value',
          severity: 'warning',
          field,
          message: removedMessage(field, result.removed),
        });
      }
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
  rule: UrlRule,
): string | undefined {
  // Override `photoUrl` > the `photos.from` expression over the source row.
  const raw =
    overrides.photoUrl !== undefined ? (overrides.photoUrl ?? '') : renderTemplate(from, view, plain);
  if (raw.includes(REFUSED_VALUE)) return undefined;
  const normalized = normalizeText(raw);
  if (!normalized.ok || normalized.value === '') return undefined;
  // The same URL policy the photo fetcher applies (it also checks the addresses a name resolves to).
  const checked = checkSourceUrl(normalized.value, rule);
  if (checked.ok) return checked.value;
  report({
    kind: 'invalid-url',
    severity: 'warning',
    field: 'photo',
    message: `photo URL ${checked.reason}; the photo is left alone`,
  });
  return undefined;
}

/**
 * Values many employees share, made once per build and shared: an office's normalized row and
 * signature view, a set of signature variables. Desired state keeps what signatures are rendered
 * from, so sharing these is most of what it holds per employee beyond its own fields. Warnings
 * raised while making a value are reported again to every employee that uses it.
 */
function createSharedValues(settings: DesiredConfig['settings']) {
  const made = new Map<unknown, { value: unknown; issues: Parameters<Report>[0][] }>();
  const texts = new Map<string, string>();
  function shared<T>(key: unknown, make: (report: Report) => T, report: Report): T {
    let entry = made.get(key);
    if (!entry) {
      const issues: Parameters<Report>[0][] = [];
      entry = { value: make((issue) => issues.push(issue)), issues };
      made.set(key, entry);
    }
    for (const issue of entry.issues) report(issue);
    return entry.value as T;
  }
  return {
    office: (row: SourceRow['office'], report: Report): Normalized =>
      shared(`office ${JSON.stringify(row)}`, (r) => normalizeRecord(row, 'office', r), report),
    officeView: (office: Normalized, report: Report) =>
      shared(office, (r) => officeSignatureView(office.display, settings.phone, r), report),
    variables: (variables: Record<string, string>): Record<string, string> =>
      shared(
        `variables ${JSON.stringify(variables)}`,
        () => variables,
        () => undefined,
      ),
    /** Field values by content: departments, titles, locations and first names repeat. */
    fields(fields: DesiredEmployee['fields']): DesiredEmployee['fields'] {
      for (const [field, value] of Object.entries(fields) as [ManagedField, string | string[] | null][]) {
        if (typeof value !== 'string') continue;
        let one = texts.get(value);
        if (one === undefined) texts.set(value, (one = value));
        fields[field] = one;
      }
      return fields;
    },
  };
}

type SharedValues = ReturnType<typeof createSharedValues>;

function buildEmployee(
  key: string,
  row: SourceRow,
  overrides: ResolvedOverrides,
  config: DesiredConfig,
  report: Report,
  memo: SignatureMemo,
  sharedValues: SharedValues,
): DesiredEmployee | undefined {
  const { settings } = config;
  const employee = normalizeRecord(row.employee, 'employee', report);
  const office = sharedValues.office(row.office, report);
  const variables = sharedValues.variables({ ...settings.signatures.variables, ...overrides.variables });
  const view = { ...variables, employee: employee.mapping, office: office.mapping };
  const rendered = renderFields({ settings, view, overrides, report });
  if (!rendered) return undefined;
  const fields = sharedValues.fields(rendered);
  const email = employee.display['email'] ?? key;
  let photoUrl: string | undefined;
  try {
    const from = settings.photos.from ?? DEFAULT_PHOTO_FROM;
    photoUrl = photoUrlOf(overrides, from, view, report, photoUrlRule(settings));
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
  const signatureSource = {
    email,
    fields,
    office: sharedValues.officeView(office, report),
    variables,
    urls: signatureUrlPolicy(settings),
  };
  const shown = signatureView(
    photoUrl?.startsWith('https:') ? { ...signatureSource, photoUrl } : signatureSource,
  );
  const s = settings.signatures;
  const flags = pickSignatureFlags(s);
  const made = memo.signature(key, template, shown, flags);
  if ('error' in made) {
    report({ kind: made.error.kind, severity: 'error', message: made.error.message });
    return undefined;
  }
  for (const w of made.warnings) {
    report({
      kind: 'invalid-url',
      severity: 'warning',
      field: `signature.${w.variable}`,
      message: w.message,
    });
  }
  desired.signature = made.signature;
  return desired;
}

/** What rendering a signature left to keep: its hash and the warnings it raised. */
type MadeSignature =
  | { hash: string; warnings: SignatureWarning[] }
  | { error: { kind: 'template-error' | 'signature-too-long'; message: string } };

/** Shared by every signature that rendered without a warning (most of them). */
const NO_WARNINGS: SignatureWarning[] = [];

function makeSignature(
  template: SignatureTemplate,
  view: SignatureView,
  flags: SignatureFlagValues,
): MadeSignature {
  const rendered = renderSignature(template, view);
  if ('error' in rendered) return rendered;
  // Hashed now, while the html is at hand; the html itself is rendered again only if read.
  const { warnings } = rendered;
  return {
    hash: desiredSignatureHash(rendered.html, rendered.text, flags),
    warnings: warnings.length > 0 ? warnings : NO_WARNINGS,
  };
}

interface MemoEntry {
  template: SignatureTemplate;
  /** Digest of the view and flags the signature was rendered from. */
  input: string;
  made: MadeSignature;
}

/**
 * Signatures rendered by the previous build over the same configuration, per employee. Rendering
 * and hashing is most of a re-plan's CPU; an employee whose view, flags and template are
 * unchanged gets the same hash and warnings back without rendering. Keyed by the configuration's
 * template map, so a reloaded configuration starts afresh and an unused one is collected.
 */
const signatureMemos = new WeakMap<DesiredConfig['templates'], Map<string, MemoEntry>>();

type SignatureMemo = ReturnType<typeof createSignatureMemo>;

function createSignatureMemo(config: DesiredConfig) {
  const previous = signatureMemos.get(config.templates);
  const next = new Map<string, MemoEntry>();
  return {
    signature(
      key: string,
      template: SignatureTemplate,
      view: SignatureView,
      flags: SignatureFlagValues,
    ):
      | { signature: DesiredSignature; warnings: SignatureWarning[] }
      | Extract<MadeSignature, { error: unknown }> {
      const input = createHash('sha256')
        .update(JSON.stringify(view))
        .update(flagString(flags))
        .digest('base64');
      const old = previous?.get(key);
      const entry =
        old && old.template === template && old.input === input
          ? old
          : { template, input, made: makeSignature(template, view, flags) };
      next.set(key, entry);
      const { made } = entry;
      if ('error' in made) return made;
      return { signature: lazySignature(template, view, flags, made.hash), warnings: made.warnings };
    },
    /** The next build starts from this one's signatures (only employees seen in it). */
    keep(): void {
      signatureMemos.set(config.templates, next);
    },
  };
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
  /**
   * Per email, in first-seen order. Each row is built as it arrives and let go (a run holds
   * compact desired employees, never the raw rows); a second row with the same email throws
   * the first one's result away again, because neither row of a duplicate is used.
   */
  const byKey = new Map<string, KeyEntry>();
  const memo = createSignatureMemo(config);
  const sharedValues = createSharedValues(config.settings);
  const seenOffices = new Set<string>();
  const issues: EmployeeIssue[] = [];
  let sourceCount = 0;

  function add(row: SourceRow): void {
    sourceCount++;
    const offices = officeKeys(row.office);
    for (const k of offices) seenOffices.add(k);
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
    const overrides = resolveOverrides(index, key, offices);
    const id = row.employee['id'] ?? '(none)';
    const entry = byKey.get(key);
    if (entry) {
      entry.ids.push(id);
      entry.excludeAll &&= overrides.exclude;
      entry.built = undefined;
      entry.issues = [];
      return;
    }
    const fresh: KeyEntry = { ids: [id], excludeAll: overrides.exclude, issues: [] };
    byKey.set(key, fresh);
    if (overrides.exclude) return;
    const report: Report = (issue) => fresh.issues.push({ employee: key, ...issue });
    fresh.built = buildEmployee(key, row, overrides, config, report, memo, sharedValues);
  }

  function finish(): DesiredState {
    const employees: DesiredEmployee[] = [];
    const excluded: string[] = [];
    for (const [key, entry] of byKey) {
      if (entry.excludeAll) {
        excluded.push(key);
        continue;
      }
      if (entry.ids.length > 1) {
        for (const [i, id] of entry.ids.entries()) {
          const others = entry.ids.filter((_, j) => j !== i).join(', ');
          issues.push({
            employee: key,
            kind: 'duplicate-email',
            severity: 'error',
            field: 'employee.email',
            message: `source id ${id} shares the email ${key} with source id ${others}; none of these rows is used`,
          });
        }
        continue;
      }
      issues.push(...entry.issues);
      if (entry.built) employees.push(entry.built);
    }
    employees.sort((a, b) => compare(a.key, b.key));
    excluded.sort(compare);
    const ordered = issues
      .map((issue, i) => ({ issue, i }))
      .sort((a, b) => compare(a.issue.employee ?? '', b.issue.employee ?? '') || a.i - b.i)
      .map((x) => x.issue);
    ordered.push(...unknownOverrideTargets(config.overrides, new Set(byKey.keys()), seenOffices));
    memo.keep();
    return { employees, excluded, issues: ordered, sourceCount };
  }

  return { add, finish };
}

/** What the builder keeps per email between rows. */
interface KeyEntry {
  /** Source ids of every row with this email (more than one: a duplicate, none used). */
  ids: string[];
  /** Every row with this email is excluded by an override. */
  excludeAll: boolean;
  built?: DesiredEmployee;
  issues: EmployeeIssue[];
}

export function buildDesired(rows: Iterable<SourceRow>, config: DesiredConfig): DesiredState {
  const builder = createDesiredBuilder(config);
  for (const row of rows) builder.add(row);
  return builder.finish();
}
