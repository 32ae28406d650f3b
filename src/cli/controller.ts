import { resolve } from 'node:path';
import type { RequestHandler } from 'express';
import type { Command } from 'commander';
import { createController, type Controller, type ControllerOptions } from '../controller/controller.js';
import { UsageError } from '../errors/roster-error.js';
import { createLogger, type Logger, type LogLevel } from '../logging/logger.js';
import { environmentSecrets } from '../secrets/environment-secrets.js';
import {
  createStatusApp,
  startStatusServer,
  statusServerSettingsFromEnv,
} from '../server/create-status-server.js';
import { createControllerDashboardSource } from '../controller/controller-dashboard.js';
import { createDashboardRouter } from '../server/dashboard/create-dashboard-router.js';
import { createMetrics, type RosterMetrics } from '../server/metrics.js';
import { requireBearer } from '../server/require-bearer.js';
import { createNotifier, webhookSettingsFromEnv } from '../adapters/webhook/notify-webhook.js';
import type { Env } from '../runtime/open-runtime.js';

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
  openRuntime?: ControllerOptions['openRuntime'];
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
  const secrets = environmentSecrets(env);
  const metrics = options.metrics ?? createMetrics();
  const webhook = webhookSettingsFromEnv(env);
  const controller = createController({
    dir: options.dir,
    env,
    logger,
    metrics,
    ...(webhook ? { notifier: createNotifier({ ...webhook, logger, secrets }) } : {}),
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.openRuntime ? { openRuntime: options.openRuntime } : {}),
  });
  const app = createStatusApp({
    api: controller,
    metrics,
    logger,
    secrets,
    ...(fromEnv.apiToken ? { apiToken: fromEnv.apiToken } : {}),
    dashboard:
      options.dashboard ??
      createDashboardRouter({
        source: createControllerDashboardSource(controller),
        apiTokenCheck: requireBearer(fromEnv.apiToken),
      }),
  });
  const server = await startStatusServer({
    app,
    host: options.host ?? fromEnv.host,
    port: options.port ?? fromEnv.port,
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

interface ControllerCommandOptions {
  port?: string;
  host?: string;
  once?: boolean;
}

function parsePort(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || port > 65_535)
    throw new UsageError(`--port must be a port number, not ${raw}`);
  return port;
}

/** Resolves on the first SIGTERM or SIGINT. */
function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolveSignal(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

async function runControllerCommand(command: Command, opts: ControllerCommandOptions): Promise<number> {
  const globals = command.optsWithGlobals<{ dir: string; logLevel?: LogLevel }>();
  const env = process.env;
  const logger = createLogger({
    level: globals.logLevel ?? (env.ROSTER_LOG_LEVEL as LogLevel | undefined) ?? 'info',
    pretty: process.stdout.isTTY === true,
    secrets: environmentSecrets(env),
  });
  const dir = resolve(globals.dir);
  const port = parsePort(opts.port);

  if (opts.once) {
    const controller = createController({
      dir,
      env,
      logger,
      metrics: createMetrics({ defaultMetrics: false }),
    });
    try {
      const run = await controller.runOnce();
      if (!run) {
        const status = controller.status();
        const ready = status.conditions.find((c) => c.type === 'Ready');
        process.stderr.write(`roster: no run: ${ready?.message ?? 'unknown reason'}\n`);
        return 1;
      }
      return run.outcome === 'succeeded' ? 0 : 1;
    } finally {
      await controller.stop();
    }
  }

  const signal = shutdownSignal();
  const server = await startControllerServer({
    dir,
    env,
    logger,
    ...(opts.host ? { host: opts.host } : {}),
    ...(port !== undefined ? { port } : {}),
  });
  logger.info({ url: server.url }, 'status server listening');
  const received = await signal;
  logger.info({ signal: received }, 'shutting down: letting a run in progress finish');
  await server.close();
  return 0;
}

export function registerController(program: Command): void {
  program
    .command('controller')
    .description('reconcile on the schedule (observe or apply mode) and serve the status API')
    .option('--port <n>', 'status server port (env ROSTER_STATUS_PORT, default 8080)')
    .option('--host <host>', 'status server address (env ROSTER_STATUS_HOST, default 127.0.0.1)')
    .option('--once', 'run once (if this instance is the leader) and exit; no status server')
    .action(async (opts: ControllerCommandOptions, command: Command) => {
      process.exitCode = await runControllerCommand(command, opts);
    });
}
