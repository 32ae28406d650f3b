import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import { ConfigError } from '../errors/roster-error.js';
import { startExampleHrDatabase, type ExampleHrDatabase } from '../local/example-hr-database.js';
import { SimSeedError, loadSeedFile, type SimSeed } from '../sim/seed.js';
import { createSimulator, type Simulator } from '../sim/simulator.js';
import { explainListenError } from './listen-error.js';
import { describeSimulator, envBlock, simEnvironment, writeEnvFile } from './sim-environment.js';

export { describeSimulator } from './sim-environment.js';

/** Options of `roster sim`. */
export interface SimCommandOptions {
  seed?: string;
  port: number;
  controlPort: number;
  budgetSeed?: number;
  caOut?: string;
  /** Also serve the example HR database (`DATABASE_URL` in the environment block). */
  hr?: boolean;
  /**
   * Also write the environment block to this file (removed again on exit). Not `--env-file`:
   * Node 20 reads that flag from anywhere on the command line, after the script's name too.
   */
  envOut?: string;
}

/** The bundled example seed: next to the sources in a checkout (tsc does not copy YAML to dist). */
function exampleSeed(): string {
  const candidates = ['../sim/seeds/example.yaml', '../../src/sim/seeds/example.yaml'].map((p) =>
    fileURLToPath(new URL(p, import.meta.url)),
  );
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

function parseBudgetSeed(value: string): number {
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff)
    throw new InvalidArgumentError('must be a whole number from 0 to 4294967295');
  return seed;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new InvalidArgumentError('must be a port number (0 = any free port)');
  return port;
}

async function loadSeed(file: string): Promise<SimSeed> {
  try {
    return await loadSeedFile(file);
  } catch (error) {
    if (error instanceof SimSeedError) {
      throw new ConfigError(
        error.problems.map((p) => ({ file: error.file, ...p, severity: 'error' as const })),
      );
    }
    throw error;
  }
}

/** Where `runSim` writes, and what stops it besides SIGINT/SIGTERM (for tests). */
export interface SimRunIo {
  write(text: string): void;
  signal?: AbortSignal;
}

/**
 * Resolves on SIGINT, SIGTERM or `signal`, listening from the moment it is called and until
 * `dispose`: a second signal while cleaning up (a terminal's Ctrl-C reaches `npx` and Roster
 * both, and `npx` passes it on) must not kill the process before it has removed what it made.
 */
function stopRequested(signal?: AbortSignal): { stopped: Promise<void>; dispose(): void } {
  let stop = () => {};
  const stopped = new Promise<void>((resolveStop) => {
    stop = () => resolveStop();
  });
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop);
  return {
    stopped,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
    },
  };
}

/**
 * Starts the simulator (and with `hr` the example HR database) and keeps them running until
 * SIGINT/SIGTERM (or `io.signal` aborts); then removes everything it made: the CA's temp folder,
 * the database's data folder, the environment file. Signals are handled from the start, so a
 * Ctrl-C while PostgreSQL is still starting cleans up as well.
 */
export async function runSim(
  options: SimCommandOptions,
  io: SimRunIo = { write: (t) => process.stdout.write(t) },
): Promise<void> {
  const stopping = stopRequested(io.signal);
  try {
    await serve(options, io, stopping.stopped);
  } finally {
    stopping.dispose();
  }
}

async function serve(options: SimCommandOptions, io: SimRunIo, stopped: Promise<void>): Promise<void> {
  const envFile = options.envOut ? resolve(options.envOut) : undefined;
  // A file left by an earlier run must not pass for this one's (a script waits for it to appear).
  if (envFile) await rm(envFile, { force: true });
  const seed = await loadSeed(options.seed ?? exampleSeed());
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    // Both start side by side; whichever started is stopped again when the other failed.
    const [simStart, hrStart] = await Promise.allSettled([
      startSim(options, seed),
      options.hr ? startExampleHrDatabase({ postgres: postgresChoice() }) : Promise.resolve(undefined),
    ]);
    if (simStart.status === 'fulfilled') cleanups.push(() => simStart.value.close());
    if (hrStart.status === 'fulfilled' && hrStart.value) cleanups.push(stopper(hrStart.value));
    if (simStart.status === 'rejected') throw simStart.reason;
    if (hrStart.status === 'rejected') throw hrStart.reason;
    const sim = simStart.value;
    const hr = hrStart.value;
    io.write(describeSimulator(sim, hr));
    if (envFile) {
      cleanups.push(() => rm(envFile, { force: true }));
      await writeEnvFile(envFile, envBlock(simEnvironment(sim, hr)));
      io.write(`environment written to ${envFile}\n`);
    }
    const what = hr ? 'the simulator and the HR database' : 'the simulator';
    io.write(
      `Ready (pid ${process.pid}). Ctrl-C or kill ${process.pid} stops ${what} and removes what they made.\n`,
    );
    await stopped;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** As for the demo: ROSTER_DEMO_POSTGRES=embedded shows the path of a machine without PostgreSQL. */
function postgresChoice(): 'auto' | 'embedded' | 'server' {
  const choice = process.env.ROSTER_DEMO_POSTGRES;
  return choice === 'embedded' || choice === 'server' ? choice : 'auto';
}

function stopper(hr: ExampleHrDatabase): () => Promise<void> {
  return () => hr.stop();
}

async function startSim(options: SimCommandOptions, seed: SimSeed): Promise<Simulator> {
  return createSimulator({
    seed,
    port: options.port,
    controlPort: options.controlPort,
    ...(options.budgetSeed !== undefined && { budgetSeed: options.budgetSeed }),
    ...(options.caOut && { tls: { caPath: options.caOut } }),
  }).catch((error: unknown) => {
    throw explainListenError(error, {
      host: '127.0.0.1',
      port: options.port,
      choose: '--port N (and --control-port N)',
    });
  });
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description(
      'run the local Microsoft 365 tenant simulator (identity platform, Graph, Exchange admin API)',
    )
    .option(
      '--seed <file>',
      'seed file (YAML or JSON, schemas/sim-seed.schema.json); default: the bundled example',
    )
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', parsePort, 0)
    .option(
      '--control-port <n>',
      'port of the /_sim control plane on 127.0.0.1 (0 = any free port)',
      parsePort,
      0,
    )
    .option(
      '--budget-seed <n>',
      "seed of the hidden throttling budget (default: the seed file's throttle.budgetSeed, else 1)",
      parseBudgetSeed,
    )
    .option('--ca-out <file>', 'also write the CA certificate (PEM) to this file')
    .option('--hr', 'also serve a PostgreSQL HR database with the example HR data (DATABASE_URL)')
    .option('--env-out <file>', 'also write the environment for Roster to FILE, to source with . FILE')
    .action((opts: SimCommandOptions) => runSim(opts));
}
