import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { writeDemoDesiredState } from '../local/demo-settings.js';
import { DEMO_COMPANY, DEMO_TENANT } from '../local/demo-tenant.js';
import { startLocalPostgres, type LocalPostgres } from '../local/local-postgres.js';
import { startPhotoServer, type DemoPhotoServer } from '../local/photo-server.js';
import {
  createHrSchema,
  generateHrData,
  loadHrData,
  type HrData,
  type HrEmployee,
} from '../local/seed-hr.js';
import type { SimSeed, SimSeedUser } from '../sim/seed.js';
import { createSimulator, type Simulator } from '../sim/simulator.js';
import { Throttler } from '../sim/throttle.js';
import type { SimThrottle, SimThrottleSettings } from '../sim/types.js';

/** How a benchmark world is built. */
export interface BenchWorldOptions {
  employees: number;
  timeScale: number;
  /** Latency per request in unscaled ms (the simulator adds `latencyMs · timeScale` of wall time). */
  latencyMs: number;
  ca: { certPem: string; keyPem: string; certFile: string };
  /** Reuse a database, HR data and photo server (the baseline's twin simulator). */
  shared?: Pick<BenchWorld, 'databaseUrl' | 'hr' | 'photoServer'>;
}

/** PostgreSQL with N employees, the photo server, a tenant simulator where everything differs. */
export interface BenchWorld {
  databaseUrl: string;
  hr: HrData;
  active: HrEmployee[];
  photoServer: DemoPhotoServer;
  sim: Simulator;
  configDir: string;
  env: Record<string, string>;
  throttle: SimThrottleSettings;
  close(): Promise<void>;
}

/** The simulator's limits as Microsoft documents them; Roster is configured to the same. */
export function benchThrottle(timeScale: number): Partial<SimThrottleSettings> {
  return { enabled: true, timeScale };
}

/**
 * The simulator computes Retry-After in wall seconds (for clients on the wall clock); Roster in
 * the benchmark runs on a clock scaled like the simulator, so the header is given in that
 * clock's seconds instead. The waits are the same wall time either way.
 */
export function scaledRetryAfter(inner: SimThrottle, timeScale: () => number): SimThrottle {
  return {
    admit(req, route, sim) {
      const res = inner.admit(req, route, sim);
      const value = res?.headers?.['retry-after'];
      if (!res || value === undefined) return res;
      const seconds = Math.ceil((Number(value) / timeScale()) * 1000) / 1000;
      return { ...res, headers: { ...res.headers, 'retry-after': String(seconds) } };
    },
    release: (req, route) => inner.release(req, route),
    responseHeaders: (req, route) => inner.responseHeaders(req, route),
  };
}

/** Tenant users for the active employees: empty profiles, no photos, an old signature. */
export function staleTenantUsers(active: HrEmployee[]): SimSeedUser[] {
  return active.map((e) => ({
    userPrincipalName: e.email,
    mail: e.email,
    displayName: e.email.split('@')[0] ?? e.email,
    mailbox: { SignatureHtml: `<p>Old signature</p>`, SignatureText: 'Old signature' },
  }));
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

/** Roster's rate limits set to the simulator's (Microsoft's documented) budgets. */
export function matchingRateLimits(t: SimThrottleSettings, tenantUsers: number) {
  return {
    graphReadsPer10s: t.resourceUnitsPer10s ?? (tenantUsers < 50 ? 3500 : tenantUsers <= 500 ? 5000 : 8000),
    graphWritesPer150s: t.writesPer150s,
    graphConcurrency: 8,
    photoConcurrencyPerMailbox: t.photoConcurrencyPerMailbox,
    photoRequestsPer10min: t.photoRequestsPer10min,
    exchangeRequestsPerMinute: t.exchangeRequestsPerMinute,
    exchangeConcurrency: t.exchangeConcurrency,
  };
}

export async function startBenchWorld(options: BenchWorldOptions): Promise<BenchWorld> {
  const cleanups: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    let { databaseUrl, hr, photoServer } = options.shared ?? ({} as Partial<BenchWorld>);
    if (!databaseUrl || !hr || !photoServer) {
      const generated = generateHrData({
        employees: options.employees,
        offices: Math.max(6, Math.round(options.employees / 100)),
        seed: 'roster-bench',
        domain: DEMO_TENANT.domains[0],
        photoBaseUrl: 'http://placeholder.invalid/photos',
      });
      photoServer = await startPhotoServer({ employees: generated.employees });
      const server = photoServer;
      cleanups.push(() => server.close());
      const base = `${photoServer.url}/photos/`;
      for (const e of generated.employees) {
        if (e.profileImageUrl) e.profileImageUrl = `${base}${e.id}.jpg`;
      }
      hr = generated;
      const postgres: LocalPostgres = await startLocalPostgres();
      cleanups.push(() => postgres.stop());
      databaseUrl = postgres.url;
      await seedDatabase(databaseUrl, hr);
    }
    const active = hr.employees.filter((e) => e.status === 'active');
    const seed: SimSeed = {
      tenant: {
        id: DEMO_TENANT.tenantId,
        domain: DEMO_TENANT.tenantDomain,
        domains: [...DEMO_TENANT.domains],
      },
      apps: [
        {
          clientId: DEMO_TENANT.clientId,
          clientSecret: DEMO_TENANT.clientSecret,
          graphPermissions: ['User.ReadWrite.All', 'ProfilePhoto.ReadWrite.All'],
          exchangeManageAsApp: true,
        },
      ],
      users: staleTenantUsers(active),
      organizationConfig: { Name: DEMO_COMPANY, PostponeRoamingSignaturesUntilLater: true },
      throttle: benchThrottle(options.timeScale),
      faults: { latencyMs: options.latencyMs * options.timeScale },
    };
    const sim = await createSimulator({
      seed,
      tls: { ca: { certPem: options.ca.certPem, keyPem: options.ca.keyPem }, caPath: options.ca.certFile },
      throttle: (ctx) => scaledRetryAfter(new Throttler(ctx), () => ctx.state.throttle.timeScale),
    });
    cleanups.push(() => sim.close());

    const configDir = await mkdtemp(join(tmpdir(), 'roster-bench-config-'));
    cleanups.push(() => rm(configDir, { recursive: true, force: true }));
    await writeDemoDesiredState(configDir, {
      photoBaseUrl: `${photoServer.url}/photos`,
      hr,
      tenantId: DEMO_TENANT.tenantId,
    });
    const settingsFile = join(configDir, 'desired-state', 'roster.yaml');
    const settings = parse(await readFile(settingsFile, 'utf8')) as Record<string, unknown>;
    settings.rateLimits = matchingRateLimits(sim.state.throttle, active.length);
    await writeFile(settingsFile, stringify(settings, { lineWidth: 0 }));

    const env: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      AZURE_TENANT_ID: sim.state.tenantId,
      AZURE_CLIENT_ID: DEMO_TENANT.clientId,
      AZURE_CLIENT_SECRET: DEMO_TENANT.clientSecret,
      AZURE_AUTHORITY_HOST: sim.origin,
      ROSTER_GRAPH_URL: sim.origin,
      ROSTER_EXCHANGE_URL: sim.origin,
      NODE_EXTRA_CA_CERTS: options.ca.certFile,
    };
    return {
      databaseUrl,
      hr,
      active,
      photoServer,
      sim,
      configDir,
      env,
      throttle: sim.state.throttle,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
