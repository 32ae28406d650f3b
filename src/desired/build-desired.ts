import { pickSignatureFlags } from '../config/field-catalog.js';
import type { DesiredConfig } from '../config/settings.js';
import { indexOverrides, officeKeys, resolveOverrides } from './apply-overrides.js';
import type { OverrideIndex, ResolvedOverrides } from './apply-overrides.js';
import { makeDesiredSignature } from './desired-signature.js';
import { compareKeys, employeeKeyOf } from './employee-key.js';
import type { DesiredEmployee, DesiredState, EmployeeIssue, SourceRow } from './model.js';
import { normalizeText, removedMessage } from './normalize-text.js';
import { createOverrideTargetTracker } from './override-targets.js';
import { REFUSED_VALUE, renderFields } from './render-fields.js';
import { renderTemplate } from './render-template.js';
import type { Report } from './render-fields.js';
import type { SignatureMemo } from './signature-memo.js';
import { createSignatureRenderer, type SignatureRenderer } from './signature-renderer.js';
import { officeSignatureView, signatureView } from './signature-view.js';
import { checkSourceUrl, photoUrlRule, signatureUrlPolicy, type UrlRule } from './url-policy.js';
import {
  createCampaignAudience,
  signatureCampaignOf,
  type CampaignAudience,
  type CampaignOutlook,
} from './campaign-audience.js';
import type { SignatureCampaign } from './render-signature.js';
import type { CampaignSubject } from './campaign-model.js';

/** The employees of some keys, built: a slice of the desired state. */
export interface DesiredSlice {
  /** In key order. */
  employees: DesiredEmployee[];
  /** Emails excluded by an override: never acted on. */
  excluded: string[];
  /** Ordered by employee, each employee's in the order they were found. */
  issues: EmployeeIssue[];
}

/**
 * Builds desired employees from rows fed one at a time. Rows are grouped by email: `takeSlice`
 * builds what was added since the last slice, so every row of an email must be added before the
 * slice that holds it is taken (a source read in key order gives that). `finish` takes the rest
 * and adds what needs the whole source: the source count and overrides whose target never came.
 */
export interface DesiredBuilder {
  add(row: SourceRow): void;
  takeSlice(): DesiredSlice;
  finish(): DesiredState;
  /** The campaigns at the build's moment and their audiences so far (none without campaigns). */
  campaigns(): CampaignOutlook | undefined;
}

export interface DesiredBuilderOptions {
  /** Signatures made by earlier builds (see `SignatureMemo`); none: every signature is rendered. */
  memo?: SignatureMemo;
  /** Renders the signatures (default: one made for this builder from the configuration's templates). */
  renderer?: SignatureRenderer;
  /**
   * The moment (epoch ms) the signatures are of: the campaigns running then are in them. Unset:
   * no campaign is (the builder reads no clock).
   */
  at?: number;
  /** The member addresses (lower-case) of the groups campaigns target, by group id (lower-case). */
  groupMembers?: ReadonlyMap<string, ReadonlySet<string>>;
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
 * Values many employees share, made once per builder and shared: an office's normalized row and
 * signature view, a set of signature variables (a handful of each, however many employees).
 * Warnings raised while making a value are reported again to every employee that uses it.
 */
function createSharedValues(settings: DesiredConfig['settings']) {
  const made = new Map<unknown, { value: unknown; issues: Parameters<Report>[0][] }>();
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
  };
}

type SharedValues = ReturnType<typeof createSharedValues>;

interface BuildContext {
  config: DesiredConfig;
  memo: SignatureMemo | undefined;
  renderer: SignatureRenderer;
  sharedValues: SharedValues;
  audience: CampaignAudience | undefined;
  banners: Map<string, SignatureCampaign>;
  groupMembers: ReadonlyMap<string, ReadonlySet<string>> | undefined;
}

/** What campaigns look at of an employee (the title the directory will show, else the HR one). */
function subjectOf(
  key: string,
  fields: DesiredEmployee['fields'],
  row: SourceRow,
  groupMembers: BuildContext['groupMembers'],
): CampaignSubject {
  const title = fields.jobTitle;
  const groups = [...(groupMembers ?? [])].filter(([, members]) => members.has(key)).map(([id]) => id);
  return {
    key,
    title: typeof title === 'string' ? title : (row.employee['title'] ?? ''),
    officeName: row.office['name'] ?? null,
    officeId: row.office['id'] ?? null,
    ...(groups.length > 0 ? { groups: new Set(groups) } : {}),
  };
}

/** The banner this employee's signature shows at the build's moment, if any. */
function bannerOf(subject: CampaignSubject, context: BuildContext): SignatureCampaign | undefined {
  const campaign = context.audience?.pick(subject);
  if (!campaign) return undefined;
  let banner = context.banners.get(campaign.id);
  if (!banner) context.banners.set(campaign.id, (banner = signatureCampaignOf(campaign)));
  return banner;
}

function buildEmployee(
  key: string,
  row: SourceRow,
  overrides: ResolvedOverrides,
  report: Report,
  context: BuildContext,
  subject: (s: CampaignSubject) => void,
): DesiredEmployee | undefined {
  const { config, sharedValues } = context;
  const { settings } = config;
  const employee = normalizeRecord(row.employee, 'employee', report);
  const office = sharedValues.office(row.office, report);
  const variables = sharedValues.variables({ ...settings.signatures.variables, ...overrides.variables });
  const view = { ...variables, employee: employee.mapping, office: office.mapping };
  const fields = renderFields({ settings, view, overrides, report });
  if (!fields) return undefined;
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
  const campaignSubject = context.audience ? subjectOf(key, fields, row, context.groupMembers) : undefined;
  if (campaignSubject) subject(campaignSubject);
  const campaign = campaignSubject && bannerOf(campaignSubject, context);
  const signatureSource = {
    email,
    fields,
    office: sharedValues.officeView(office, report),
    variables,
    urls: signatureUrlPolicy(settings),
    ...(campaign ? { campaign } : {}),
  };
  const shown = signatureView(
    photoUrl?.startsWith('https:') ? { ...signatureSource, photoUrl } : signatureSource,
  );
  const s = settings.signatures;
  const flags = pickSignatureFlags(s);
  const made = makeDesiredSignature({ template, view: shown, flags }, context);
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

/** What the builder keeps per email between rows. */
interface KeyEntry {
  /** Source ids of every row with this email (more than one: a duplicate, none used). */
  ids: string[];
  /** Every row with this email is excluded by an override. */
  excludeAll: boolean;
  built?: DesiredEmployee;
  /** What campaigns saw of it: counted in their audiences once the employee is taken whole. */
  subject?: CampaignSubject;
  issues: EmployeeIssue[];
}

/**
 * Desired state from HR rows and configuration, pure and linear in the number of rows. Rules:
 * override (employee > office) > source > leave alone; duplicate emails (case-insensitive) are
 * reported and neither row is used; one bad employee never affects another.
 */
export function createDesiredBuilder(
  config: DesiredConfig,
  options: DesiredBuilderOptions = {},
): DesiredBuilder {
  const index: OverrideIndex = indexOverrides(config.overrides);
  const context: BuildContext = {
    config,
    memo: options.memo,
    renderer: options.renderer ?? createSignatureRenderer(config.templates),
    sharedValues: createSharedValues(config.settings),
    audience:
      config.campaigns?.length && options.at !== undefined
        ? createCampaignAudience(config.campaigns, options.at)
        : undefined,
    banners: new Map(),
    groupMembers: options.groupMembers,
  };
  const targets = createOverrideTargetTracker(config.overrides);
  /**
   * Per email of the current slice, in first-seen order. Each row is built as it arrives (a slice
   * holds compact desired employees, never raw rows); a second row with the same email throws the
   * first one's result away again, because neither row of a duplicate is used.
   */
  let byKey = new Map<string, KeyEntry>();
  /** Issues of rows without a usable email, in the current slice. */
  let loose: EmployeeIssue[] = [];
  let sourceCount = 0;

  function add(row: SourceRow): void {
    sourceCount++;
    const offices = officeKeys(row.office);
    targets.seeOffices(offices);
    const found = employeeKeyOf(row);
    if (!found.ok) {
      loose.push({
        employee: found.label,
        kind: 'invalid-email',
        severity: 'error',
        field: 'employee.email',
        message: found.message,
      });
      return;
    }
    const { key } = found;
    targets.seeEmployee(key);
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
    fresh.built = buildEmployee(key, row, overrides, report, context, (s) => (fresh.subject = s));
  }

  function takeSlice(): DesiredSlice {
    const employees: DesiredEmployee[] = [];
    const excluded: string[] = [];
    const issues = loose;
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
      if (!entry.built) continue;
      employees.push(entry.built);
      if (entry.subject && entry.built.signature) context.audience?.count(entry.subject);
    }
    byKey = new Map();
    loose = [];
    employees.sort((a, b) => compareKeys(a.key, b.key));
    excluded.sort(compareKeys);
    const ordered = issues
      .map((issue, i) => ({ issue, i }))
      .sort((a, b) => compareKeys(a.issue.employee ?? '', b.issue.employee ?? '') || a.i - b.i)
      .map((x) => x.issue);
    return { employees, excluded, issues: ordered };
  }

  function finish(): DesiredState {
    const { employees, excluded, issues } = takeSlice();
    issues.push(...targets.unknown());
    return { employees, excluded, issues, sourceCount };
  }

  return { add, takeSlice, finish, campaigns: () => context.audience?.outlook() };
}

export function buildDesired(
  rows: Iterable<SourceRow>,
  config: DesiredConfig,
  options?: DesiredBuilderOptions,
): DesiredState {
  const builder = createDesiredBuilder(config, options);
  for (const row of rows) builder.add(row);
  return builder.finish();
}
