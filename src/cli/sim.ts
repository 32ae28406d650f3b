import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import { ConfigError } from '../errors/roster-error.js';
import { SimSeedError, loadSeedFile } from '../sim/seed.js';
import { createSimulator, type Simulator } from '../sim/simulator.js';

/** Options of `roster sim`. */
export interface SimCommandOptions {
  seed?: string;
  port: number;
  controlPort: number;
  budgetSeed?: number;
  caOut?: string;
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

/**
 * What `roster sim` prints: where it runs and the environment that points Roster at it (no
 * secrets). The control plane is named apart and never in that environment: it shows the hidden
 * budget Roster has to discover on its own.
 */
export function describeSimulator(sim: Simulator): string {
  const app = sim.state.apps[0];
  return [
    `tenant simulator listening on ${sim.origin}`,
    `control plane (/_sim: state, drift, faults, hidden budget; for tests, never for Roster): ${sim.controlOrigin}`,
    `budget seed: ${sim.hiddenBudget().seed}`,
    `CA certificate: ${sim.caPath}`,
    `tenant id: ${sim.state.tenantId} (${sim.state.tenantDomain})`,
    ...sim.state.apps.map(
      (a) =>
        `app: ${a.clientId} graph=[${a.graphPermissions.join(', ')}]${a.exchangeManageAsApp ? ' exchange=ManageAsApp' : ''}`,
    ),
    '',
    '# point Roster at it (the client secret is the one in the seed):',
    `export AZURE_AUTHORITY_HOST=${sim.origin}`,
    `export AZURE_TENANT_ID=${sim.state.tenantId}`,
    ...(app ? [`export AZURE_CLIENT_ID=${app.clientId}`] : []),
    `export ROSTER_GRAPH_URL=${sim.origin}`,
    `export ROSTER_EXCHANGE_URL=${sim.origin}`,
    `export NODE_EXTRA_CA_CERTS=${sim.caPath}`,
    '',
  ].join('\n');
}

/** Where `runSim` writes, and what stops it besides SIGINT/SIGTERM (for tests). */
export interface SimRunIo {
  write(text: string): void;
  signal?: AbortSignal;
}

/** Starts the simulator and keeps it running until SIGINT/SIGTERM (or `io.signal` aborts). */
export async function runSim(
  options: SimCommandOptions,
  io: SimRunIo = { write: (t) => process.stdout.write(t) },
): Promise<void> {
  const seedFile = options.seed ?? exampleSeed();
  let seed;
  try {
    seed = await loadSeedFile(seedFile);
  } catch (error) {
    if (error instanceof SimSeedError) {
      throw new ConfigError(
        error.problems.map((p) => ({ file: error.file, ...p, severity: 'error' as const })),
      );
    }
    throw error;
  }
  const sim = await createSimulator({
    seed,
    port: options.port,
    controlPort: options.controlPort,
    ...(options.budgetSeed !== undefined && { budgetSeed: options.budgetSeed }),
    ...(options.caOut && { tls: { caPath: options.caOut } }),
  });
  io.write(describeSimulator(sim));
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop);
  });
  await sim.close();
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
    .action((opts: SimCommandOptions) => runSim(opts));
}
