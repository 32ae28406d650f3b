import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createSimulator, type Simulator } from '../sim/simulator.js';
import { caFromEnv, type SimTlsOptions } from '../sim/tls.js';
import { ensureDemoCa } from './demo-ca.js';
import { writeDemoDesiredState } from './demo-settings.js';
import { buildDemoHrData, buildDemoTenant, DEMO_TENANT, type DemoDrift } from './demo-tenant.js';
import { startEmbeddedPostgres, startLocalPostgres, type LocalPostgres } from './local-postgres.js';
import { startPhotoServer, type DemoPhotoServer } from './photo-server.js';
import { createHrSchema, loadHrData, type HrData } from './seed-hr.js';

/** Options of `startDemoWorld`. */
export interface DemoWorldOptions {
  /** `auto`: the machine's PostgreSQL if installed, else embedded PGlite. */
  usePgServer?: 'auto' | 'embedded' | 'server';
  /**
   * CA files the simulator's certificate is issued from (e.g. `ensureDemoCa()`), so a process
   * started with `NODE_EXTRA_CA_CERTS=<certFile>` trusts it. Default: the dev CA named by
   * `ROSTER_SIM_CA_CERT_FILE`/`_KEY_FILE`, else a throwaway CA removed by `close()`.
   */
  ca?: { certFile: string; keyFile: string };
  /** Where to write the demo's configuration folder. Default: a temp dir removed by `close()`. */
  configDir?: string;
  /** Fixed ports (default: free ones). */
  simPort?: number;
  photoPort?: number;
}

/** Everything `roster demo` runs Roster against; `close()` tears all of it down. */
export interface DemoWorld extends AsyncDisposable {
  /** The HR database (and state store) with the demo rows loaded. */
  databaseUrl: string;
  postgresKind: LocalPostgres['kind'];
  sim: Simulator;
  photoServer: DemoPhotoServer;
  /** Configuration folder: `desired-state/` and `templates/`, for `loadDesiredConfig`. */
  configDir: string;
  /** The environment a Roster process needs (the client secret is simulator-only). */
  env: Record<string, string>;
  hr: HrData;
  drift: DemoDrift;
  close(): Promise<void>;
}

async function startPostgres(kind: DemoWorldOptions['usePgServer']): Promise<LocalPostgres> {
  if (kind === 'embedded') return startEmbeddedPostgres();
  return startLocalPostgres({ requireServer: kind === 'server' });
}

async function seedDatabase(url: string, hr: HrData): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await createHrSchema(client);
    await loadHrData(client, hr, { replace: true });
  } finally {
    await client.end();
  }
}

/**
 * How the simulator gets its certificate, and a temp dir to remove when we made one. The test
 * suite's dev CA (env) is left to the simulator itself, which then reads but never rewrites a
 * file other processes share.
 */
async function resolveTls(given: DemoWorldOptions['ca']): Promise<{ tls?: SimTlsOptions; temp?: string }> {
  if (given) {
    const [certPem, keyPem] = await Promise.all([
      readFile(given.certFile, 'utf8'),
      readFile(given.keyFile, 'utf8'),
    ]);
    return { tls: { ca: { certPem, keyPem }, caPath: given.certFile } };
  }
  if (await caFromEnv(process.env)) return {};
  const temp = await mkdtemp(join(tmpdir(), 'roster-demo-ca-'));
  const made = await ensureDemoCa(temp);
  return { tls: { ca: made, caPath: made.certFile }, temp };
}

/**
 * Starts the demo world: PostgreSQL with ~60 generated employees, the loopback photo server,
 * the tenant simulator seeded with matching users that drift (throttling as Microsoft
 * documents it, no injected faults), and the demo's configuration folder. On any failure
 * whatever already started is stopped again.
 */
export async function startDemoWorld(options: DemoWorldOptions = {}): Promise<DemoWorld> {
  const cleanups: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    // Photo URLs need the server's port, and the server needs the employees: the rows are the
    // same with any photo base, so the placeholder-free rows name the photos to serve.
    const photoServer = await startPhotoServer({
      employees: buildDemoHrData().employees,
      ...(options.photoPort !== undefined && { port: options.photoPort }),
    });
    cleanups.push(() => photoServer.close());
    const hr = buildDemoHrData({ photoBaseUrl: `${photoServer.url}/photos` });

    const [postgres, tls] = await Promise.all([startPostgres(options.usePgServer), resolveTls(options.ca)]);
    cleanups.push(() => postgres.stop());
    const caTemp = tls.temp;
    if (caTemp) cleanups.push(() => rm(caTemp, { recursive: true, force: true }));
    await seedDatabase(postgres.url, hr);

    const tenant = buildDemoTenant(hr, { ...DEMO_TENANT, domains: [...DEMO_TENANT.domains] });
    const sim = await createSimulator({
      seed: tenant.seed,
      ...(options.simPort !== undefined && { port: options.simPort }),
      ...(tls.tls && { tls: tls.tls }),
    });
    cleanups.push(() => sim.close());

    let configDir = options.configDir;
    if (!configDir) {
      const temp = await mkdtemp(join(tmpdir(), 'roster-demo-config-'));
      cleanups.push(() => rm(temp, { recursive: true, force: true }));
      configDir = temp;
    }
    await writeDemoDesiredState(configDir, { photoBaseUrl: `${photoServer.url}/photos`, hr });

    const env: Record<string, string> = {
      DATABASE_URL: postgres.url,
      AZURE_TENANT_ID: sim.state.tenantId,
      AZURE_CLIENT_ID: DEMO_TENANT.clientId,
      AZURE_CLIENT_SECRET: DEMO_TENANT.clientSecret,
      AZURE_AUTHORITY_HOST: sim.origin,
      ROSTER_GRAPH_URL: sim.origin,
      ROSTER_EXCHANGE_URL: sim.origin,
      NODE_EXTRA_CA_CERTS: sim.caPath,
    };
    let closing: Promise<void> | undefined;
    const close = () => (closing ??= closeAll());
    return {
      databaseUrl: postgres.url,
      postgresKind: postgres.kind,
      sim,
      photoServer,
      configDir,
      env,
      hr,
      drift: tenant.drift,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
