import { Router, type RequestHandler } from 'express';
import { createDatabasePing } from '../adapters/postgres/database-ping.js';
import { stateDatabaseConfig } from '../adapters/postgres/connect.js';
import { createLeaderLock } from '../adapters/postgres/leader-lock.js';
import { createNotifier, webhookSettingsFromEnv } from '../adapters/webhook/notify-webhook.js';
import { loadDesiredConfig } from '../config/load-desired-config.js';
import { createController, type Controller, type ControllerOptions } from '../controller/controller.js';
import type { Clock } from '../http/clock.js';
import type { ControllerRuntime } from '../controller/controller-runs.js';
import type { DesiredConfig } from '../config/settings.js';
import type { Logger } from '../logging/logger.js';
import { environmentSecrets } from '../secrets/environment-secrets.js';
import {
  createStatusApp,
  startStatusServer,
  statusServerSettingsFromEnv,
} from '../server/create-status-server.js';
import { createControllerDashboardSource } from '../server/dashboard/controller-dashboard-source.js';
import { createDashboardRouter } from '../server/dashboard/create-dashboard-router.js';
import { createControllerCampaignSource } from '../server/dashboard/campaign-source.js';
import { createCampaignsRouter } from '../server/dashboard/create-campaigns-router.js';
import { createMetrics, type RosterMetrics } from '../server/metrics.js';
import { requireBearer } from '../server/require-bearer.js';
import { openRuntime, type Env } from './open-runtime.js';

/** What the controller is built from: the configuration folder and the environment. */
export interface ControllerFromEnvOptions {
  dir: string;
  env: Env;
  logger: Logger;
  metrics: RosterMetrics;
  identity?: string;
  /** Replaces the runtime (tests that break a port on purpose). */
  openRuntime?: (config: DesiredConfig) => Promise<ControllerRuntime>;
  /** The clock of runs, pacing and the schedule, with its timer (the benchmark's scaled one). */
  clock?: { clock: Clock; setTimer: NonNullable<ControllerOptions['setTimer']> };
}

/**
 * The controller wired to real adapters: configuration from `dir`, the runtime, the leader lock
 * and readiness ping on the state database, and the webhook notifier, all from `env`.
 */
export function createControllerFromEnv(options: ControllerFromEnvOptions): Controller {
  const { dir, env, logger, metrics, clock } = options;
  const webhook = webhookSettingsFromEnv(env);
  const ping = createDatabasePing();
  return createController({
    loadConfig: () => loadDesiredConfig(dir, env),
    openRuntime:
      options.openRuntime ??
      ((config) =>
        openRuntime({
          dir,
          env,
          logger,
          metrics: metrics.api,
          config,
          ...(clock ? { clock: clock.clock } : {}),
        })),
    leaderLock: (config, identity) =>
      createLeaderLock({ connection: stateDatabaseConfig(env, config?.settings.source.ssl), identity }),
    databasePing: {
      check: (config) => ping.check(stateDatabaseConfig(env, config?.settings.source.ssl)),
      close: () => ping.close(),
    },
    logger,
    metrics,
    ...(webhook
      ? { notifier: createNotifier({ ...webhook, logger, secrets: environmentSecrets(env) }) }
      : {}),
    ...(options.identity ? { identity: options.identity } : {}),
    ...(clock ? { now: () => new Date(clock.clock.now()), setTimer: clock.setTimer } : {}),
  });
}

export interface ControllerServerOptions {
  dir: string;
  env: Env;
  logger: Logger;
  /** Default: `ROSTER_STATUS_HOST` or 127.0.0.1. */
  host?: string;
  /** Default: `ROSTER_STATUS_PORT` or 8080; 0 = any free port. */
  port?: number;
  identity?: string;
  metrics?: RosterMetrics;
  openRuntime?: ControllerFromEnvOptions['openRuntime'];
  dashboard?: RequestHandler;
}

/** A running controller and its status server. */
export interface ControllerServer {
  url: string;
  controller: Controller;
  metrics: RosterMetrics;
  /** Stops the loop (a run in progress finishes), frees the leader lock, closes the server. */
  close(): Promise<void>;
}

/**
 * The controller with its status API, as `roster controller` and the demo run it: the server
 * listens first (so `/healthz` answers during the first run), then the loop starts.
 */
export async function startControllerServer(options: ControllerServerOptions): Promise<ControllerServer> {
  const { env, logger } = options;
  const fromEnv = statusServerSettingsFromEnv(env);
  const metrics = options.metrics ?? createMetrics();
  const controller = createControllerFromEnv({
    dir: options.dir,
    env,
    logger,
    metrics,
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.openRuntime ? { openRuntime: options.openRuntime } : {}),
  });
  const app = createStatusApp({
    api: controller,
    metrics,
    logger,
    secrets: environmentSecrets(env),
    allowedHosts: fromEnv.allowedHosts,
    ...(fromEnv.apiToken ? { apiToken: fromEnv.apiToken } : {}),
    dashboard: options.dashboard ?? dashboardRouter(controller, fromEnv.apiToken),
  });
  const server = await startStatusServer({
    app,
    host: options.host ?? fromEnv.host,
    port: options.port ?? fromEnv.port,
  }).catch(async (error: unknown) => {
    // Not started, but made: its database ping and executor are closed again.
    await controller.stop().catch(() => undefined);
    throw error;
  });
  await controller.start();
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    controller,
    metrics,
    close() {
      closing ??= (async () => {
        await controller.stop();
        await server.close();
      })();
      return closing;
    },
  };
}

/** The dashboard: its campaign pages (read-only) beside the employee pages and actions. */
function dashboardRouter(controller: Controller, apiToken: string | undefined): Router {
  const router = Router();
  router.use(createCampaignsRouter(createControllerCampaignSource(controller)));
  router.use(
    createDashboardRouter({
      source: createControllerDashboardSource(controller),
      apiTokenCheck: requireBearer(apiToken),
    }),
  );
  return router;
}
