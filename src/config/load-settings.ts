import { Cron } from 'croner';
import { isSupportedCountry } from 'libphonenumber-js';
import type { CountryCode } from 'libphonenumber-js';
import type { ConfigProblem } from '../errors/roster-error.js';
import { mustacheSyntaxError } from './load-templates.js';
import { parseDuration } from './parse-duration.js';
import { parseYaml, pathToPointer } from './parse-yaml.js';
import type { ParsedYaml, ValuePath } from './parse-yaml.js';
import { resolveEnvReferences, unresolvedMessage } from './resolve-env.js';
import type { FieldMapping, ManagedField, Settings } from './settings.js';
import { compileSchema, validateAgainstSchema } from './validate-schema.js';
import { URL_VARIABLE } from '../desired/signature-variables.js';
import { checkSourceUrl, signatureLinkRule } from '../desired/url-policy.js';

/** The settings file after parsing, with errors and warnings found on the way. */
export interface LoadedSettings {
  /** Present only when there is no error. */
  settings?: Settings;
  problems: ConfigProblem[];
  /** For placing later problems (such as an unknown template) at the right line. */
  parsed: ParsedYaml;
}

/**
 * Settings file text → `Settings`: parse, resolve `${ENV}` references from `env`, validate against
 * `schemas/settings.schema.json` (which supplies every default), check the rules a schema cannot
 * express, normalize (durations to seconds, string field mappings to objects).
 */
export function loadSettings(
  file: string,
  text: string,
  env: Record<string, string | undefined>,
  schema: object,
): LoadedSettings {
  const parsed = parseYaml(file, text);
  if (parsed.value === undefined) return { problems: parsed.problems, parsed };
  const problems = [...parsed.problems];
  const at = (
    path: ValuePath,
    message: string,
    severity: 'error' | 'warning' = 'error',
    where?: 'key',
  ): void => {
    problems.push({ file, ...parsed.locate(path, where), key: pathToPointer(path), message, severity });
  };

  const raw = parsed.value ?? {};
  const resolved = resolveEnvReferences(raw, env);
  for (const ref of resolved.unresolved) at(ref.path, unresolvedMessage(ref));
  const data = resolved.value;
  problems.push(...validateAgainstSchema(compileSchema(schema), data, parsed));
  checkRules(raw, data, at);
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));

  if (problems.some((p) => p.severity === 'error')) return { problems, parsed };
  return { settings: normalize(data as SettingsFile), problems, parsed };
}

type Report = (path: ValuePath, message: string, severity?: 'error' | 'warning', where?: 'key') => void;

/** Rules beyond the schema. They run even when the schema failed, so they guard every type they read. */
function checkRules(raw: unknown, data: unknown, at: Report): void {
  const rawSchedule = field(raw, 'schedule');
  if (field(rawSchedule, 'cron') !== undefined && field(rawSchedule, 'interval') !== undefined) {
    at(['schedule', 'cron'], 'give either cron or interval, not both', 'error', 'key');
  }
  const schedule = field(data, 'schedule');
  const cron = field(schedule, 'cron');
  if (typeof cron === 'string') {
    try {
      new Cron(cron, { paused: true });
    } catch (error) {
      at(
        ['schedule', 'cron'],
        `invalid cron expression: ${(error as Error).message.replace(/^CronPattern: /, '')}`,
      );
    }
  }
  const interval = field(schedule, 'interval');
  if (
    field(rawSchedule, 'cron') === undefined &&
    typeof interval === 'string' &&
    parseDuration(interval) === 0
  ) {
    at(['schedule', 'interval'], 'must be longer than 0s');
  }

  const fields = field(data, 'fields');
  if (fields && typeof fields === 'object') {
    for (const [name, mapping] of Object.entries(fields)) {
      const from = typeof mapping === 'string' ? mapping : field(mapping, 'from');
      if (typeof from !== 'string') continue;
      const path = typeof mapping === 'string' ? ['fields', name] : ['fields', name, 'from'];
      const error = mustacheSyntaxError(from);
      if (error) at(path, error.message);
    }
  }
  const photoFrom = field(field(data, 'photos'), 'from');
  if (typeof photoFrom === 'string') {
    const error = mustacheSyntaxError(photoFrom);
    if (error) at(['photos', 'from'], error.message);
  }

  const region = field(field(data, 'phone'), 'defaultRegion');
  if (typeof region === 'string' && /^[A-Z]{2}$/.test(region) && !isSupportedCountry(region as CountryCode)) {
    at(['phone', 'defaultRegion'], `unknown phone region '${region}'`);
  }

  const maxChanges = field(field(data, 'guardrails'), 'maxChanges');
  if (typeof maxChanges === 'string' && /^\d+(\.\d+)?%$/.test(maxChanges) && parseFloat(maxChanges) > 100) {
    at(['guardrails', 'maxChanges'], 'a percentage must be at most 100%');
  }

  checkSignatureUrls(data, at);

  // Only when photos are configured: the default (enabled, no hosts) must not warn on every minimal file.
  const photos = field(data, 'photos');
  const hosts = field(photos, 'allowedHosts');
  if (
    field(raw, 'photos') !== undefined &&
    field(photos, 'enabled') === true &&
    Array.isArray(hosts) &&
    hosts.length === 0
  ) {
    at(
      ['photos'],
      'photos are enabled but photos.allowedHosts is empty: no photo will be fetched',
      'warning',
      'key',
    );
  }
}

/**
 * A URL variable of the settings file that the signature URL policy would refuse would vanish
 * from every signature, with a warning per employee: said once here, at its line, instead.
 */
function checkSignatureUrls(data: unknown, at: Report): void {
  const signatures = field(data, 'signatures');
  const variables = field(signatures, 'variables');
  const domains = field(field(data, 'scope'), 'domains');
  const hosts = field(signatures, 'allowedHosts');
  if (!variables || typeof variables !== 'object' || !Array.isArray(domains)) return;
  const rule = signatureLinkRule({
    scope: { domains: domains.filter((d): d is string => typeof d === 'string') },
    signatures: Array.isArray(hosts) ? { allowedHosts: hosts.map(String) } : {},
  });
  for (const [name, value] of Object.entries(variables)) {
    // An invalid name is the schema's to report.
    if (!/^\w+$/.test(name) || !URL_VARIABLE.test(name) || typeof value !== 'string' || !value) continue;
    const checked = checkSourceUrl(value, rule);
    if (!checked.ok) at(['signatures', 'variables', name], `${name} ${checked.reason}`);
  }
}

function field(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[key];
}

/** The settings file as the schema guarantees it after defaults were filled in. */
type SettingsFile = Omit<Settings, 'fields' | 'guardrails' | 'schedule'> & {
  fields: Partial<Record<ManagedField, string | { from: string; format?: 'phone'; clearWhenEmpty: boolean }>>;
  guardrails: { maxChanges: number | string; maxSourceShrinkPercent: number };
  schedule: {
    cron?: string;
    interval: string;
    jitter: string;
    mode: 'observe' | 'apply';
    deepCheckInterval: string;
  };
};

function normalize(file: SettingsFile): Settings {
  const fields: Partial<Record<ManagedField, FieldMapping>> = {};
  for (const [name, mapping] of Object.entries(file.fields) as [
    ManagedField,
    SettingsFile['fields'][ManagedField],
  ][]) {
    if (mapping === undefined) continue;
    fields[name] =
      typeof mapping === 'string'
        ? { from: mapping, clearWhenEmpty: false }
        : {
            from: mapping.from,
            ...(mapping.format ? { format: mapping.format } : {}),
            clearWhenEmpty: mapping.clearWhenEmpty,
          };
  }
  const { maxChanges } = file.guardrails;
  const { cron, interval, jitter, mode, deepCheckInterval } = file.schedule;
  const { $schema: _schema, ...rest } = file as SettingsFile & { $schema?: string };
  return {
    ...rest,
    scope: { domains: file.scope.domains.map((d) => d.toLowerCase()) },
    fields,
    guardrails: {
      maxChanges:
        typeof maxChanges === 'number' ? { absolute: maxChanges } : { percent: parseFloat(maxChanges) },
      maxSourceShrinkPercent: file.guardrails.maxSourceShrinkPercent,
    },
    schedule: {
      ...(cron === undefined ? { intervalSeconds: parseDuration(interval) ?? 900 } : { cron }),
      jitterSeconds: parseDuration(jitter) ?? 0,
      mode,
      deepCheckIntervalSeconds: parseDuration(deepCheckInterval) ?? 86_400,
    },
  };
}
