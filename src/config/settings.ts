/**
 * The normalized settings Roster runs on (after parse → schema validation → defaults → env
 * references resolved). The file form is described by `schemas/settings.schema.json`.
 */

import type { ManagedField, SignatureFlags } from './field-catalog.js';
import type { Campaign } from '../desired/campaign-model.js';
import type { ConfigProblem } from '../errors/roster-error.js';

export type { ManagedField } from './field-catalog.js';

export interface FieldMapping {
  /** Mustache expression over `employee.*` and `office.*` (and override variables). */
  from: string;
  /** `phone` → formatted to one international format. */
  format?: 'phone';
  /** When the source value is empty: clear the tenant value (true) or leave it alone (false, default). */
  clearWhenEmpty: boolean;
}

export interface SourceSettings {
  /** SQL returning one row per active employee; office columns aliased `office_<column>`. */
  query: string;
  /** Rows fetched per round trip through a server-side cursor. */
  pageSize: number;
  /** Optional TLS settings for hosted databases (the URL comes from DATABASE_URL). */
  ssl?: { mode: 'disable' | 'require' | 'verify-ca' | 'verify-full'; caFile?: string };
}

export interface PhotoSettings {
  enabled: boolean;
  /** Mustache expression giving the photo URL (default `{{employee.profile_image_url}}`); always set by the loader. */
  from?: string;
  /** Hosts `profile_image_url` may point at (exact host or `*.suffix`). */
  allowedHosts: string[];
  /** Allow loopback/private/link-local addresses (only for local demos and tests). */
  allowPrivateAddresses: boolean;
  maxBytes: number;
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  /**
   * Directory role template ids assigned to Roster's app: photos are uploaded where the tenant
   * restricts cloud photo updates to roles (photoUpdateSettings.allowedRoles) only if one is allowed.
   */
  appRoles?: string[];
}

export interface SignatureSettings extends SignatureFlags {
  enabled: boolean;
  /** Template name under `templates/` (`<name>.html.mustache` + `<name>.txt.mustache`). */
  defaultTemplate: string;
  /** What to do when roaming signatures are enabled (Roster's signatures would not show). */
  whenRoamingEnabled: 'refuse' | 'warn';
  /** Largest campaign banner image, in bytes: checked by downloading it at each run (`docs/campaigns.md`). */
  maxBannerBytes: number;
  /** Company-wide template variables (logo URL, company name, …). */
  variables: Record<string, string>;
  /**
   * Hosts that home pages, logos and other URL values in signatures may point at (exact host or
   * `*.suffix`); unset: the scope domains and their subdomains (`signatureLinkHosts`).
   */
  allowedHosts?: string[];
}

export interface GuardrailSettings {
  /** Maximum actions per run: an absolute number or a percentage of managed users ("10%"). */
  maxChanges: { absolute?: number; percent?: number };
  /** Stop when active employees fell by more than this share since the last successful run. */
  maxSourceShrinkPercent: number;
}

/**
 * Optional ceilings on the pace Roster learns (`docs/pacing.md`): a ceiling that is set is never
 * exceeded; none sets the pace. Per-mailbox limits apply to each mailbox on its own.
 */
export interface RateLimitSettings {
  graphReadsPer10s?: number;
  graphWritesPer150s?: number;
  graphConcurrency?: number;
  photoConcurrencyPerMailbox: number;
  photoRequestsPer10min?: number;
  exchangeRequestsPerMinute?: number;
  exchangeConcurrency?: number;
  maxRetries: number;
  maxBackoffMs: number;
}

export interface ScheduleSettings {
  /** Cron expression (croner syntax) or undefined when `intervalSeconds` is used. */
  cron?: string;
  intervalSeconds?: number;
  jitterSeconds: number;
  mode: 'observe' | 'apply';
  /** Photos and signatures are read back from the tenant at most this often. */
  deepCheckIntervalSeconds: number;
}

export interface Settings {
  tenant: { id: string; domain: string };
  /** Managed mail domains: users outside them are never touched. */
  scope: { domains: string[] };
  source: SourceSettings;
  fields: Partial<Record<ManagedField, FieldMapping>>;
  phone: { defaultRegion: string; format: 'INTERNATIONAL' | 'E.164' };
  photos: PhotoSettings;
  signatures: SignatureSettings;
  guardrails: GuardrailSettings;
  rateLimits: RateLimitSettings;
  schedule: ScheduleSettings;
}

/** An override of one employee (by email) or one office (by office id or name). */
export interface Override {
  file: string;
  line: number;
  target: { kind: 'employee'; email: string } | { kind: 'office'; office: string };
  fields: Partial<Record<ManagedField, string | null>>;
  variables: Record<string, string>;
  template?: string;
  photoUrl?: string | null;
  exclude: boolean;
  /** Column of the override's entry in `file`. */
  column?: number;
  /** Why the override exists, as written in the file (shown in plans). */
  reason?: string;
}

/** A signature template pair as read from `templates/`. */
export interface SignatureTemplate {
  name: string;
  html: string;
  text: string;
  htmlFile: string;
  textFile: string;
}

/** Everything the pure core needs to build desired state, already validated. */
export interface DesiredConfig {
  settings: Settings;
  overrides: Override[];
  templates: Map<string, SignatureTemplate>;
  /** Signature campaigns that loaded (`desired-state/campaigns/`); absent or empty: none. */
  campaigns?: Campaign[];
  /** Errors of campaign files, each leaving its campaign out (shown in plans as warnings). */
  campaignProblems?: ConfigProblem[];
  /** Hash of settings + overrides + templates: a plan is bound to the revision it was made from. */
  revision: string;
}
