import { loadDesiredConfig } from '../config/load-desired-config.js';
import type { DesiredConfig } from '../config/settings.js';
import { ConfigError } from '../errors/roster-error.js';
import { createMicrosoftAdapters, type MicrosoftAdapters } from '../adapters/create-microsoft-adapters.js';
import { hrDatabaseConfig, stateDatabaseConfig } from '../adapters/postgres/connect.js';
import { createPostgresHrSource } from '../adapters/postgres/hr-source.js';
import { createPostgresObservationCache } from '../adapters/postgres/observation-cache.js';
import { createApplyLock } from '../adapters/postgres/apply-lock.js';
import { createPostgresPacingStore } from '../adapters/postgres/pacing-store.js';
import { createPostgresCampaignAudienceStore } from '../adapters/postgres/campaign-audiences.js';
import { createPostgresStateStore } from '../adapters/postgres/state-store.js';
import type { ApplyLock } from '../ports/apply-lock.js';
import { createSafePhotoFetcher } from '../adapters/photo-fetch/safe-photo-fetcher.js';
import { createBannerImages } from '../adapters/photo-fetch/banner-images.js';
import type { SignatureMemo } from '../desired/signature-memo.js';
import type { Logger } from '../logging/logger.js';
import type { ApiMetrics } from '../http/api-metrics.js';
import { keepLearnedPacing, loadLearnedPacing } from '../http/pacing-memory.js';
import { createSystemClock, type Clock } from '../http/clock.js';
import type { HrSource } from '../ports/hr-source.js';
import type { ObservationCache } from '../ports/observation-cache.js';
import type { StateStore } from '../ports/state-store.js';
import type { TenantDomain } from '../ports/tenant-access.js';
import type { PlanDeps } from '../reconcile/make-plan.js';
import { environmentSecrets } from '../secrets/environment-secrets.js';
import { createScrubber, type SecretScrubber } from '../secrets/secret-scrubber.js';
import { scrubbingStateStore } from '../secrets/scrubbing-state-store.js';
import type { DoctorDeps } from '../doctor/run-doctor.js';
import { preflightPorts } from './preflight-ports.js';
import { meterSignatureWrites, SIGNATURE_WRITES_PACE } from './signature-write-meter.js';

export type Env = Record<string, string | undefined>;

/** Loads and validates the configuration of `dir`, or throws a `ConfigError` listing every problem. */
export async function loadConfigOrThrow(
  dir: string,
  env: Env,
): Promise<{ config: DesiredConfig; warnings: string[] }> {
  const { config, problems } = await loadDesiredConfig(dir, env);
  if (!config) throw new ConfigError(problems);
  return {
    config,
    // A campaign file's errors leave that campaign out; the run goes on, and says so.
    warnings: problems
      .filter((p) => p.severity === 'warning' || config.campaignProblems?.includes(p))
      .map(
        (p) => `${p.file}:${p.line ?? ''} ${p.severity === 'error' ? 'campaign left out: ' : ''}${p.message}`,
      ),
  };
}

export function openHrSource(config: DesiredConfig, env: Env): HrSource {
  const { source } = config.settings;
  return createPostgresHrSource({
    connection: hrDatabaseConfig(env, source.ssl),
    query: source.query,
    pageSize: source.pageSize,
  });
}

/** Roster's state store, migrated, and its observation cache (same database). */
export async function openStateStore(
  config: DesiredConfig,
  env: Env,
  scrubber: SecretScrubber = createScrubber(environmentSecrets(env)),
): Promise<{ store: StateStore; cache: ObservationCache }> {
  const connection = stateDatabaseConfig(env, config.settings.source.ssl);
  const store = createPostgresStateStore({ connection });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return { store: scrubbingStateStore(store, scrubber), cache: createPostgresObservationCache(connection) };
}

export interface Runtime extends PlanDeps {
  microsoft: MicrosoftAdapters;
  photoFetcher: NonNullable<PlanDeps['photoFetcher']>;
  /** The environment's secrets: kept out of the journal, and out of every value written to the tenant. */
  scrubber: SecretScrubber;
  /** One writer per tenant, on the state database. */
  applyLock: ApplyLock;
  /** `scrubber.find`: an apply refuses a write whose value holds a secret (`refuseSecrets`). */
  findSecret: SecretScrubber['find'];
  /** The runs' own log lines (the CLI's and the controller's logger). */
  logger?: Logger;
  /** The tenant's domains, for the `no-match` warning's cause. */
  tenantDomains: () => Promise<readonly TenantDomain[]>;
  /** What the controller's preflight reads through besides the run's ports. */
  preflight: Required<Pick<DoctorDeps, 'credential' | 'tenant'>>;
  /**
   * Signature writes per second achieved over the latest long stretch of writes, this process's
   * or one kept in the state database (`docs/pacing.md`); unknown before Roster wrote enough.
   */
  exchangeWriteRate(): number | undefined;
  close(): Promise<void>;
}

/**
 * The composition root: wires configuration, the HR source, the state store and the Microsoft
 * adapters from the environment. Every command builds what it needs through here.
 */
export async function openRuntime(options: {
  dir: string;
  env: Env;
  /** Every API call at debug level, and the runs' own lines (apply started, actions failed, …). */
  logger?: Logger;
  metrics?: ApiMetrics;
  config?: DesiredConfig;
  /** Kept by a caller that plans again and again (the controller): see `PlanDeps.signatureMemo`. */
  signatureMemo?: SignatureMemo;
  /** The clock of pacing, retries and runs' moments (default: the system's; the benchmark scales it). */
  clock?: Clock;
}): Promise<Runtime> {
  const config = options.config ?? (await loadConfigOrThrow(options.dir, options.env)).config;
  const hrSource = openHrSource(config, options.env);
  const scrubber = createScrubber(environmentSecrets(options.env));
  const { store, cache } = await openStateStore(config, options.env, scrubber);
  const tenantId = config.settings.tenant.id;
  // What earlier runs learned of each API's pace, kept in the state database (docs/pacing.md).
  const pacing = createPostgresPacingStore(stateDatabaseConfig(options.env, config.settings.source.ssl));
  const learnedPacing = await loadLearnedPacing(pacing, tenantId, options.logger);
  const microsoft = createMicrosoftAdapters({
    env: options.env,
    tenant: config.settings.tenant,
    rateLimits: config.settings.rateLimits,
    learnedPacing,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const campaignAudiences = createPostgresCampaignAudienceStore(
    stateDatabaseConfig(options.env, config.settings.source.ssl),
  );
  const clock = options.clock ?? createSystemClock();
  const now = () => new Date(clock.now());
  // The signature writes Exchange let through, kept beside the learned paces: what a campaign
  // switch predicts from (the pacer's rate is a ceiling, not what it achieves).
  const writes = meterSignatureWrites(
    microsoft.signatures,
    () => clock.now(),
    learnedPacing.find((p) => p.api === SIGNATURE_WRITES_PACE),
  );
  const pacingMemory = keepLearnedPacing({
    store: pacing,
    tenantId,
    limiters: microsoft.limiters,
    now,
    also: (at) => [writes.measured(at)].filter((p) => p !== undefined),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return {
    config,
    hrSource,
    store,
    cache,
    campaignAudiences,
    directory: microsoft.directory,
    groupMembers: microsoft.groupMembers,
    photos: microsoft.photos,
    signatures: writes.port,
    orgSettings: microsoft.orgSettings,
    photoFetcher: createSafePhotoFetcher(config.settings.photos),
    bannerImages: createBannerImages(config.settings),
    microsoft,
    scrubber,
    applyLock: createApplyLock(stateDatabaseConfig(options.env, config.settings.source.ssl)),
    findSecret: scrubber.find,
    ...(options.logger ? { logger: options.logger } : {}),
    preflight: preflightPorts(options.env, microsoft),
    tenantDomains: () => microsoft.tenantAccess.listDomains(),
    exchangeWriteRate: () => writes.achieved(),
    ...(options.signatureMemo ? { signatureMemo: options.signatureMemo } : {}),
    now,
    async close() {
      await pacingMemory.stop();
      await Promise.allSettled([
        hrSource.close(),
        store.close(),
        cache.close(),
        pacing.close(),
        campaignAudiences.close(),
      ]);
    },
  };
}
