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
import type { SimHiddenBudget } from '../sim/hidden-budget.js';
import { Throttler } from '../sim/throttle.js';
import type { SimThrottle, SimThrottleSettings } from '../sim/types.js';

/** How a benchmark world is built. */
export interface BenchWorldOptions {
  employees: number;
  timeScale: number;
  /**
   * Service time per call in unscaled ms: the simulator spends `latencyMs · timeScale` of wall time
   * on each Graph or Exchange call, holding its concurrency slot (`throttle.callLatencyMs`).
   */
  latencyMs: number;
  /** Seed of the simulator's hidden budget (`throttle.budgetSeed`). */
  budgetSeed: number;
  /** Also draw the Graph identity budgets below the published ones. */
  drawGraphBudget?: boolean;
  ca: { certPem: string; keyPem: string; certFile: string };
  /**
   * Roster's only rate-limit setting, for the ceiling scenario (`ceilingAboveBudget`); absent,
   * Roster is given no `rateLimits` at all.
   */
  ceiling?: { exchangeRequestsPerMinute: number };
  /** Reuse a database, HR data and photo server (other seeds, the baseline's twin simulator). */
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
  /** The budget the simulator drew, as its control plane shows it (for the floor). */
  budget: SimHiddenBudget;
  close(): Promise<void>;
}

/**
 * Graph's limits as Microsoft documents them (or drawn below them), the Exchange budget drawn
 * from `budgetSeed`, 429s below the limits at the default rate, and the per-call latency.
 */
export function benchThrottle(
  options: Pick<BenchWorldOptions, 'timeScale' | 'latencyMs' | 'budgetSeed' | 'drawGraphBudget'>,
): Partial<SimThrottleSettings> {
  return {
    enabled: true,
    timeScale: options.timeScale,
    budgetSeed: options.budgetSeed,
    drawGraphBudget: options.drawGraphBudget ?? false,
    callLatencyMs: options.latencyMs,
  };
}

/**
 * The simulator computes Retry-After in wall seconds (for clients on the wall clock); Roster in
 * the benchmark runs on a clock scaled like the simulator, so the header is given in that
 * clock's seconds instead. The waits are the same wall time either way.
 */
export function scaledRetryAfter(inner: SimThrottle, timeScale: () => number): SimThrottle {
  // Seconds the client reads: Retry-After, and Exchange's Rate-Limit-Reset.
  const rescale = (headers: Record<string, string>): Record<string, string> => {
    const out = { ...headers };
    for (const name of ['retry-after', 'rate-limit-reset']) {
      const value = out[name];
      if (value !== undefined) out[name] = String(Math.ceil((Number(value) / timeScale()) * 1000) / 1000);
    }
    return out;
  };
  return {
    admit(req, route, sim) {
      const res = inner.admit(req, route, sim);
      return res?.headers ? { ...res, headers: rescale(res.headers) } : res;
    },
    release: (req, route) => inner.release(req, route),
    responseHeaders: (req, route) => rescale(inner.responseHeaders(req, route)),
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

/**
 * The ceiling of the "ceiling 10× above the budget" scenario: Roster's Exchange ceiling set to
 * `factor` times the drawn Exchange rate, per minute as Roster's setting counts it. This is the
 * only place the benchmark turns the hidden budget into a Roster setting: every other world runs
 * with no `rateLimits` at all, and Roster finds its pace from what the service answers.
 */
export function ceilingAboveBudget(budget: SimHiddenBudget, factor: number) {
  const { exchange } = budget;
  return {
    exchangeRequestsPerMinute: Math.max(
      1,
      Math.round((factor * exchange.requests * 60) / exchange.windowSeconds),
    ),
  };
}

/**
 * Roster's settings as the benchmark gives them: no `rateLimits` at all (Roster is told nothing
 * of the budget), unless this is the ceiling scenario, which sets its one ceiling and no other.
 */
export function budgetBlind(
  settings: Record<string, unknown>,
  ceiling?: { exchangeRequestsPerMinute: number },
): Record<string, unknown> {
  const { rateLimits: _dropped, ...rest } = settings;
  return ceiling ? { ...rest, rateLimits: { ...ceiling } } : rest;
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
      throttle: benchThrottle(options),
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
    const budget = sim.hiddenBudget();
    await writeFile(settingsFile, stringify(budgetBlind(settings, options.ceiling), { lineWidth: 0 }));

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
      budget,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
