import { loadDesiredConfig } from '../config/load-desired-config.js';
import type { DesiredConfig } from '../config/settings.js';
import { ConfigError } from '../errors/roster-error.js';
import { createMicrosoftAdapters, type MicrosoftAdapters } from '../adapters/create-microsoft-adapters.js';
import { hrDatabaseConfig, stateDatabaseConfig } from '../adapters/postgres/connect.js';
import { createPostgresHrSource } from '../adapters/postgres/hr-source.js';
import { createPostgresObservationCache } from '../adapters/postgres/observation-cache.js';
import { createPostgresPacingStore } from '../adapters/postgres/pacing-store.js';
import { createPostgresStateStore } from '../adapters/postgres/state-store.js';
import { createSafePhotoFetcher } from '../adapters/photo-fetch/safe-photo-fetcher.js';
import type { DebugLogger } from '../http/http-client.js';
import type { ApiMetrics } from '../http/api-metrics.js';
import { keepLearnedPacing, loadLearnedPacing } from '../http/pacing-memory.js';
import type { HrSource } from '../ports/hr-source.js';
import type { ObservationCache } from '../ports/observation-cache.js';
import type { StateStore } from '../ports/state-store.js';
import type { PlanDeps } from '../reconcile/make-plan.js';

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
    warnings: problems
      .filter((p) => p.severity === 'warning')
      .map((p) => `${p.file}:${p.line ?? ''} ${p.message}`),
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
): Promise<{ store: StateStore; cache: ObservationCache }> {
  const connection = stateDatabaseConfig(env, config.settings.source.ssl);
  const store = createPostgresStateStore({ connection });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return { store, cache: createPostgresObservationCache(connection) };
}

export interface Runtime extends PlanDeps {
  microsoft: MicrosoftAdapters;
  photoFetcher: NonNullable<PlanDeps['photoFetcher']>;
  close(): Promise<void>;
}

/**
 * The composition root: wires configuration, the HR source, the state store and the Microsoft
 * adapters from the environment. Every command builds what it needs through here.
 */
export async function openRuntime(options: {
  dir: string;
  env: Env;
  logger?: DebugLogger;
  metrics?: ApiMetrics;
  config?: DesiredConfig;
}): Promise<Runtime> {
  const config = options.config ?? (await loadConfigOrThrow(options.dir, options.env)).config;
  const hrSource = openHrSource(config, options.env);
  const { store, cache } = await openStateStore(config, options.env);
  const tenantId = config.settings.tenant.id;
  // What earlier runs learned of each API's pace, kept in the state database (docs/pacing.md).
  const pacing = createPostgresPacingStore(stateDatabaseConfig(options.env, config.settings.source.ssl));
  const microsoft = createMicrosoftAdapters({
    env: options.env,
    tenant: config.settings.tenant,
    rateLimits: config.settings.rateLimits,
    learnedPacing: await loadLearnedPacing(pacing, tenantId, options.logger),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const pacingMemory = keepLearnedPacing({
    store: pacing,
    tenantId,
    limiters: microsoft.limiters,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return {
    config,
    hrSource,
    store,
    cache,
    directory: microsoft.directory,
    photos: microsoft.photos,
    signatures: microsoft.signatures,
    orgSettings: microsoft.orgSettings,
    photoFetcher: createSafePhotoFetcher(config.settings.photos),
    microsoft,
    now: () => new Date(),
    async close() {
      await pacingMemory.stop();
      await Promise.allSettled([hrSource.close(), store.close(), cache.close(), pacing.close()]);
    },
  };
}
