import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigProblem } from '../errors/roster-error.js';
import { loadOverrides } from './load-overrides.js';
import type { ConfigFile, TemplateReference } from './load-overrides.js';
import { loadSettings } from './load-settings.js';
import { checkTemplateReferences, loadTemplates } from './load-templates.js';
import type { DesiredConfig } from './settings.js';
import { signatureLinkRule } from '../desired/url-policy.js';
import { loadCampaigns } from './load-campaigns.js';

export const SETTINGS_FILE = 'desired-state/roster.yaml';
export const OVERRIDES_DIR = 'desired-state/overrides';
export const TEMPLATES_DIR = 'templates';
export const CAMPAIGNS_DIR = 'desired-state/campaigns';

/** The raw inputs of a configuration: file texts keyed by their path relative to the config folder. */
export interface ConfigInputs {
  /** Undefined when `desired-state/roster.yaml` does not exist. */
  settings?: ConfigFile;
  overrides: ConfigFile[];
  templates: ConfigFile[];
  /** `desired-state/campaigns/*.yaml` (none when the folder does not exist). */
  campaigns?: ConfigFile[];
}

/** The JSON Schemas in `schemas/`, as objects. */
export interface ConfigSchemas {
  settings: object;
  overrides: object;
  /** Absent: campaign files are not read (callers that build configurations without campaigns). */
  campaign?: object;
}

export interface LoadResult {
  /** Present only when no problem is an error. */
  config?: DesiredConfig;
  /**
   * Errors and warnings of every file, in file and line order. An error in a campaign file leaves
   * that campaign out and the configuration loaded (a broken campaign blocks nothing else).
   */
  problems: ConfigProblem[];
}

/**
 * Reads `dir/desired-state/roster.yaml`, `dir/desired-state/overrides/*.yaml` and `dir/templates/`
 * and turns them into a validated `DesiredConfig`, reporting every problem at once.
 */
export async function loadDesiredConfig(
  dir: string,
  env: Record<string, string | undefined>,
): Promise<LoadResult> {
  const [inputs, schemas] = await Promise.all([readConfigInputs(dir), readConfigSchemas()]);
  return buildDesiredConfig(inputs, env, schemas);
}

/** The pure part of `loadDesiredConfig`: file texts in, configuration and problems out. */
export function buildDesiredConfig(
  inputs: ConfigInputs,
  env: Record<string, string | undefined>,
  schemas: ConfigSchemas,
): LoadResult {
  if (!inputs.settings) {
    return { problems: [{ file: SETTINGS_FILE, message: 'settings file not found', severity: 'error' }] };
  }
  const loaded = loadSettings(inputs.settings.file, inputs.settings.text, env, schemas.settings);
  const overrides = loadOverrides(inputs.overrides, schemas.overrides, loaded.settings);
  const templates = loadTemplates(
    inputs.templates,
    loaded.settings ? signatureLinkRule(loaded.settings) : undefined,
  );
  const campaigns =
    inputs.campaigns?.length && schemas.campaign
      ? loadCampaigns(
          inputs.campaigns,
          schemas.campaign,
          loaded.settings ? signatureLinkRule(loaded.settings) : undefined,
        )
      : { campaigns: [], problems: [] };
  const problems = [...loaded.problems, ...overrides.problems, ...templates.problems];

  const settings = loaded.settings;
  const references: TemplateReference[] = [...overrides.templateReferences];
  if (settings) {
    references.unshift({
      name: settings.signatures.defaultTemplate,
      file: inputs.settings.file,
      ...loaded.parsed.locate(['signatures', 'defaultTemplate']),
      key: '/signatures/defaultTemplate',
    });
  }
  const missing = checkTemplateReferences(references, templates.templates);
  // With signatures off nothing is rendered, so a missing template is only worth a warning.
  const severity: ConfigProblem['severity'] = settings?.signatures.enabled === false ? 'warning' : 'error';
  problems.push(...missing.map((p) => ({ ...p, severity })));
  const blocked = !settings || problems.some((p) => p.severity === 'error');
  problems.push(...campaigns.problems);
  problems.sort(byPlace);
  if (blocked) return { problems };

  const config: Omit<DesiredConfig, 'revision'> = {
    settings,
    overrides: overrides.overrides,
    templates: templates.templates,
    ...(campaigns.campaigns.length > 0 || campaigns.problems.length > 0
      ? { campaigns: campaigns.campaigns, campaignProblems: campaigns.problems }
      : {}),
  };
  return { config: { ...config, revision: revisionOf(config, inputs) }, problems };
}

/**
 * sha256 over the normalized configuration (so a changed environment variable changes it) and the
 * raw text of every input file (so any edit does).
 */
export function revisionOf(config: Omit<DesiredConfig, 'revision'>, inputs: ConfigInputs): string {
  const hash = createHash('sha256');
  hash.update(
    canonicalJson({
      settings: config.settings,
      overrides: config.overrides,
      templates: [...config.templates.values()],
      ...(config.campaigns ? { campaigns: config.campaigns } : {}),
    }),
  );
  const files = [
    inputs.settings,
    ...inputs.overrides,
    ...inputs.templates,
    ...(inputs.campaigns ?? []),
  ].filter((f) => f !== undefined);
  for (const f of files.sort((a, b) => (a.file < b.file ? -1 : 1))) {
    hash.update(`\u0000${f.file}\u0000${f.text}`);
  }
  return hash.digest('hex');
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function byPlace(a: ConfigProblem, b: ConfigProblem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

/** The one function here that touches the file system. */
export async function readConfigInputs(dir: string): Promise<ConfigInputs> {
  const read = async (file: string): Promise<ConfigFile> => ({
    file,
    text: await readFile(join(dir, file), 'utf8'),
  });
  const list = async (folder: string, pattern: RegExp): Promise<string[]> => {
    try {
      const entries = await readdir(join(dir, folder), { withFileTypes: true });
      return entries
        .filter((e) => e.isFile() && pattern.test(e.name))
        .map((e) => `${folder}/${e.name}`)
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  };
  let settings: ConfigFile | undefined;
  try {
    settings = await read(SETTINGS_FILE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const overrides = await Promise.all((await list(OVERRIDES_DIR, /\.ya?ml$/)).map(read));
  const templates = await Promise.all((await list(TEMPLATES_DIR, /\.mustache$/)).map(read));
  const campaigns = await Promise.all((await list(CAMPAIGNS_DIR, /\.ya?ml$/)).map(read));
  return { ...(settings ? { settings } : {}), overrides, templates, campaigns };
}

/** Reads the schemas shipped beside the code (`schemas/` is two levels up from both src/config and dist/config). */
export async function readConfigSchemas(): Promise<ConfigSchemas> {
  const load = async (name: string): Promise<object> =>
    JSON.parse(await readFile(new URL(`../../schemas/${name}`, import.meta.url), 'utf8')) as object;
  const [settings, overrides, campaign] = await Promise.all([
    load('settings.schema.json'),
    load('overrides.schema.json'),
    load('campaign.schema.json'),
  ]);
  return { settings, overrides, campaign };
}
