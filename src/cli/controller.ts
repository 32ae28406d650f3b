import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors/roster-error.js';
import { createLogger, type LogLevel } from '../logging/logger.js';
import { createControllerFromEnv, startControllerServer } from '../runtime/controller-runtime.js';
import { environmentSecrets } from '../secrets/environment-secrets.js';
import { createMetrics } from '../server/metrics.js';
import { statusServerSettingsFromEnv } from '../server/create-status-server.js';
import { explainListenError } from './listen-error.js';

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
    const controller = createControllerFromEnv({
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
  }).catch((error: unknown) => {
    const fromEnv = statusServerSettingsFromEnv(env);
    throw explainListenError(error, {
      host: opts.host ?? fromEnv.host,
      port: port ?? fromEnv.port,
      choose: '--port N (or ROSTER_STATUS_PORT)',
    });
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
