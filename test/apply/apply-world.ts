import {
  createMicrosoftAdapters,
  type MicrosoftAdapters,
} from '../../src/adapters/create-microsoft-adapters.js';
import { createSafePhotoFetcher } from '../../src/adapters/photo-fetch/safe-photo-fetcher.js';
import { postgresConfig } from '../../src/adapters/postgres/connect.js';
import { createPostgresStateStore } from '../../src/adapters/postgres/state-store.js';
import type { ApplyConcurrency, ApplyDeps } from '../../src/apply/apply-plan.js';
import type { ApplyResult } from '../../src/apply/apply-result.js';
import { planHash } from '../../src/plan/plan-file.js';
import { planSourceOf, type PlanSource } from '../../src/plan/plan-source.js';
import { applyRun } from '../../src/runs/apply-run.js';
import { learnedBefore } from '../support/learned-pace.js';
import type { RateLimitSettings } from '../../src/config/settings.js';
import type { DesiredEmployee } from '../../src/desired/model.js';
import type {
  ObservedPhoto,
  ObservedSignature,
  ObservedState,
  ObservedUser,
} from '../../src/observe/model.js';
import { planChanges, type PlanOptions } from '../../src/plan/plan-changes.js';
import type { Plan } from '../../src/plan/plan-model.js';
import {
  desiredState,
  employee,
  observedState,
  planOptions,
  signature,
} from '../../src/plan/test-builders.js';
import type { FingerprintAdoption, StateStore } from '../../src/ports/state-store.js';
import type { SimSeed, SimSeedUser } from '../../src/sim/seed.js';
import { createSimulator, type Simulator } from '../../src/sim/simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { makeImages, startPhotoServer, type PhotoServer } from '../support/photo-servers.js';

const TENANT = 'contoso.onmicrosoft.com';
const WRITER = '11111111-1111-4111-8111-111111111111';
const SECRET = 'test-only-apply-secret';
export const DOMAIN = 'contoso.com';
export const REVISION = 'rev-1';

const LIMITS: RateLimitSettings = {
  graphReadsPer10s: 3_500,
  graphWritesPer150s: 3_000,
  graphConcurrency: 4,
  photoConcurrencyPerMailbox: 4,
  photoRequestsPer10min: 10_000,
  exchangeRequestsPerMinute: 3_000,
  exchangeConcurrency: 4,
  maxRetries: 12,
  maxBackoffMs: 100,
};

/** A simulated tenant, a fresh state database, the real adapters and fetcher, and a photo server. */
export interface ApplyWorld extends AsyncDisposable {
  sim: Simulator;
  db: TestDatabase;
  store: StateStore;
  adapters: MicrosoftAdapters;
  photos: PhotoServer;
  deps: ApplyDeps;
  tenantId: string;
  idOf(upn: string): string;
  /** Reads the tenant as the planner needs it (users, photo metadata, signatures, org config). */
  observe(): Promise<ObservedState>;
  /** Observes, reads last-applied and plans. */
  plan(employees: DesiredEmployee[], options?: Partial<PlanOptions>): Promise<Plan>;
  /** Total writes the simulator counted. */
  writes(): number;
}

export async function startApplyWorld(
  users: SimSeedUser[],
  seed: Partial<SimSeed> = {},
): Promise<ApplyWorld> {
  const images = await makeImages();
  const photos = await startPhotoServer({
    '/ok.jpg': (_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(images.jpeg),
    '/ok.png': (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(images.png),
    '/text.jpg': (_req, res) =>
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end('<html>not a photo</html>'),
    '/huge.jpg': (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'image/jpeg' })
        .end(Buffer.concat([images.jpeg, Buffer.alloc(300_000)])),
  });
  const sim = await createSimulator({
    seed: {
      tenant: { domain: TENANT, domains: [DOMAIN] },
      apps: [
        {
          clientId: WRITER,
          clientSecret: SECRET,
          graphPermissions: ['User.ReadWrite.All', 'ProfilePhoto.ReadWrite.All'],
          exchangeManageAsApp: true,
        },
      ],
      users,
      organizationConfig: { PostponeRoamingSignaturesUntilLater: true },
      throttle: { enabled: false, timeScale: 0.02 },
      ...seed,
    },
  });
  const db = await createTestDatabase();
  const store = createPostgresStateStore({ connection: postgresConfig(db.url, undefined) });
  await store.migrate();
  const adapters = createMicrosoftAdapters({
    env: {
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: WRITER,
      AZURE_CLIENT_SECRET: SECRET,
      AZURE_AUTHORITY_HOST: sim.origin,
      ROSTER_GRAPH_URL: sim.origin,
      ROSTER_EXCHANGE_URL: sim.origin,
    },
    tenant: { id: sim.state.tenantId, domain: TENANT },
    rateLimits: LIMITS,
    learnedPacing: learnedBefore(),
  });
  const photoFetcher = createSafePhotoFetcher({
    enabled: true,
    allowedHosts: ['127.0.0.1'],
    allowPrivateAddresses: true,
    maxBytes: 200_000,
    connectTimeoutMs: 2_000,
    totalTimeoutMs: 5_000,
  });
  const tenantId = sim.state.tenantId;
  const idOf = (upn: string) => [...sim.state.users.values()].find((u) => u.userPrincipalName === upn)!.id;

  async function observe(): Promise<ObservedState> {
    const found: ObservedUser[] = [];
    for await (const page of adapters.directory.listUsers([DOMAIN])) found.push(...page);
    const photoMap = new Map<string, ObservedPhoto | null>();
    for (const m of await adapters.photos.getPhotoMeta(found.map((u) => u.id)))
      if (m.ok) photoMap.set(m.id, m.value);
    const signatures = new Map<string, ObservedSignature>();
    const configs = await adapters.signatures.getMessageConfigs(found.map((u) => u.userPrincipalName));
    configs.forEach((c, i) => c.ok && signatures.set(found[i]!.id, c.value));
    const roaming = await adapters.orgSettings.getRoamingSignaturesPostponed();
    return observedState(found, { photos: photoMap, signatures, roamingSignaturesPostponed: roaming });
  }

  return {
    sim,
    db,
    store,
    adapters,
    photos,
    deps: { ...adapters, photoFetcher, store },
    tenantId,
    idOf,
    observe,
    async plan(employees, options = {}) {
      const observed = await observe();
      const lastApplied = await store.getAppliedDigests(
        tenantId,
        ['photo', 'signature'],
        observed.users.map((u) => u.id),
      );
      const adoptions: FingerprintAdoption[] = [];
      const plan = planChanges(
        desiredState(employees),
        observed,
        lastApplied,
        planOptions({ tenantId, configRevision: REVISION, scopeDomains: [DOMAIN], ...options }),
        adoptions,
      );
      // As a plan run does: what this deep check saw of unconfirmed writes is kept.
      await store.adoptFingerprints(tenantId, adoptions);
      return plan;
    },
    writes: () => [...sim.stats.writesPerUser.values()].reduce((a, b) => a + b, 0),
    async [Symbol.asyncDispose]() {
      await store.close();
      await db[Symbol.asyncDispose]();
      await sim.close();
      await photos.close();
    },
  };
}

export interface ApplyOptions {
  tenantId: string;
  configRevision: string;
  actor: string;
  allowLargeChange?: boolean;
  signal?: AbortSignal;
  runKind?: 'apply' | 'rollback';
  concurrency?: ApplyConcurrency;
}

export function options(world: ApplyWorld, extra: Partial<ApplyOptions> = {}): ApplyOptions {
  return { tenantId: world.tenantId, configRevision: REVISION, actor: 'test', ...extra };
}

/** A plan applied as its own recorded run (`src/runs/apply-run.ts`); a failed or stopped run throws. */
export async function applyPlan(
  plan: Plan | PlanSource,
  deps: ApplyDeps,
  o: ApplyOptions,
): Promise<ApplyResult> {
  const source = 'hash' in plan ? plan : planSourceOf(plan, planHash(plan));
  const result = await applyRun(
    { ...deps, target: { tenantId: o.tenantId, configRevision: o.configRevision } },
    source,
    {
      actor: o.actor,
      kind: o.runKind ?? 'apply',
      ...(o.allowLargeChange ? { allowLargeChange: true } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.concurrency ? { concurrency: o.concurrency } : {}),
    },
  );
  if (result.failure !== undefined) throw result.failure;
  return result.apply!;
}

export const upn = (name: string) => `${name}@${DOMAIN}`;

export function simUser(name: string, partial: Partial<SimSeedUser> = {}): SimSeedUser {
  return { userPrincipalName: upn(name), givenName: name, surname: 'Old', jobTitle: 'Intern', ...partial };
}

export function desired(
  name: string,
  world: ApplyWorld,
  partial: Partial<DesiredEmployee> = {},
): DesiredEmployee {
  return employee(upn(name), {
    fields: { givenName: name, surname: 'New', displayName: `${name} New`, jobTitle: 'Engineer' },
    photoUrl: `${world.photos.origin}/ok.jpg`,
    signature: signature(`<p>${name} New</p>`, `${name} New`),
    ...partial,
  });
}
