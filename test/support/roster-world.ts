import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse, stringify } from 'yaml';
import type { CliContext } from '../../src/cli/cli-context.js';
import { readDesiredState } from '../../src/cli/render.js';
import type { DesiredState } from '../../src/desired/model.js';
import { createLogger } from '../../src/logging/logger.js';
import { environmentSecrets } from '../../src/secrets/environment-secrets.js';
import { createScrubber } from '../../src/secrets/secret-scrubber.js';
import { createHrSchema, loadHrData, smallHrFixture, type HrData } from '../../src/local/seed-hr.js';
import type { SimSeed, SimSeedUser } from '../../src/sim/seed.js';
import { createSimulator, type Simulator } from '../../src/sim/simulator.js';
import { postgresConfig } from '../../src/adapters/postgres/connect.js';
import { createPostgresPacingStore } from '../../src/adapters/postgres/pacing-store.js';
import { createPostgresStateStore } from '../../src/adapters/postgres/state-store.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { learnedBefore } from './learned-pace.js';

export const TENANT_ID = '7d1c1f8e-5a43-4c55-9a8e-2f6f0d5e9a10';
export const TENANT_DOMAIN = 'example.onmicrosoft.com';
export const CLIENT_ID = '0b5e3c77-92a4-4c8a-b3f1-6f1d2e4a9c01';
export const CLIENT_SECRET = 'world-test-secret-4f9a2c';
const REPO = new URL('../../', import.meta.url).pathname;

/** A Roster installation under test: HR database, tenant simulator, configuration folder, environment. */
export interface TestWorld extends AsyncDisposable {
  db: TestDatabase;
  sim: Simulator;
  dir: string;
  env: Record<string, string>;
  hr: HrData;
  /** A CLI context writing into `output()`. */
  context(): CliContext & { output(): string };
  /** Desired state as Roster computes it from the current configuration and HR data. */
  desired(): Promise<DesiredState>;
}

export interface WorldOptions {
  hr?: HrData;
  /** Changes to the repo's example `desired-state/roster.yaml` (merged at the top level). */
  settings?: Record<string, unknown>;
  /** Keep the repo's example overrides (default true). */
  overrides?: boolean;
  /** Tenant users; default: none. Use `usersFromDesired` for a tenant in sync. */
  users?: (world: Pick<TestWorld, 'desired' | 'hr'>) => Promise<SimSeedUser[]> | SimSeedUser[];
  throttle?: SimSeed['throttle'];
  roamingPostponed?: boolean;
  /** Sees every request the simulator's service origin receives. */
  onRequest?: (req: { method: string; path: string }) => void;
  /** The tenant's behaviour where Microsoft's varies (photo settings, no-photo shapes, …). */
  behaviour?: SimSeed['behaviour'];
  /** The app's Graph permissions (default: what docs/azure-setup.md asks for). */
  graphPermissions?: string[];
  /** Entra ID groups of the tenant (members: userPrincipalNames or nested group ids). */
  groups?: SimSeed['groups'];
  /**
   * The state database as a tenant Roster paced before leaves it (default), or fresh: Roster then
   * starts from its cautious pace and slow start (`docs/pacing.md`).
   */
  pacing?: 'learned' | 'fresh';
}

/** Tenant users whose profile fields equal the desired state (no photos, empty signatures). */
export function usersFromDesired(desired: DesiredState): SimSeedUser[] {
  return desired.employees.map((e) => {
    const f = e.fields;
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    return {
      userPrincipalName: e.key,
      mail: e.key,
      proxyAddresses: [`SMTP:${e.key}`],
      givenName: text(f.givenName),
      surname: text(f.surname),
      displayName: text(f.displayName) ?? e.key,
      jobTitle: text(f.jobTitle),
      department: text(f.department),
      officeLocation: text(f.officeLocation),
      mobilePhone: text(f.mobilePhone),
    };
  });
}

function silentContext() {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    actor: 'test',
    logger: createLogger({ level: 'silent' }),
    scrubber: createScrubber(),
  };
}

/** Migrates the state schema and saves generous learned paces for the world's tenant. */
async function rememberPacing(url: string): Promise<void> {
  const connection = postgresConfig(url, undefined);
  const state = createPostgresStateStore({ connection });
  const pacing = createPostgresPacingStore(connection);
  try {
    await state.migrate();
    await pacing.savePacing(TENANT_ID, learnedBefore());
  } finally {
    await Promise.all([state.close(), pacing.close()]);
  }
}

export async function createTestWorld(options: WorldOptions = {}): Promise<TestWorld> {
  const hr = options.hr ?? smallHrFixture({ photoBaseUrl: 'https://hr.example.no/photos' });
  const db = await createTestDatabase();
  await createHrSchema(db.pool);
  await loadHrData(db.pool, hr);
  if (options.pacing !== 'fresh') await rememberPacing(db.url);
  const dir = await mkdtemp(join(tmpdir(), 'roster-world-'));
  await cp(join(REPO, 'templates'), join(dir, 'templates'), { recursive: true });
  await mkdir(join(dir, 'desired-state', 'overrides'), { recursive: true });
  if (options.overrides !== false) {
    await cp(join(REPO, 'desired-state/overrides'), join(dir, 'desired-state/overrides'), {
      recursive: true,
    });
  }
  const base = parse(await readFile(join(REPO, 'desired-state/roster.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
  const settings = { ...base, tenant: { id: TENANT_ID, domain: TENANT_DOMAIN }, ...options.settings };
  await writeFile(join(dir, 'desired-state/roster.yaml'), stringify(settings));

  const baseEnv = { DATABASE_URL: db.url };
  // Through the real HR source and merge rules, as `roster desired` computes it.
  const desired = () => readDesiredState({ ...silentContext(), dir, env: baseEnv });
  const users = options.users ? await options.users({ desired, hr }) : [];
  const seed: SimSeed = {
    tenant: { id: TENANT_ID, domain: TENANT_DOMAIN, domains: ['example.no', 'partner.example'] },
    apps: [
      {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        graphPermissions: options.graphPermissions ?? [
          'User.ReadWrite.All',
          'ProfilePhoto.ReadWrite.All',
          'PeopleSettings.Read.All',
          'Domain.Read.All',
        ],
        exchangeManageAsApp: true,
      },
    ],
    users,
    ...(options.groups ? { groups: options.groups } : {}),
    organizationConfig: { PostponeRoamingSignaturesUntilLater: options.roamingPostponed ?? true },
    throttle: options.throttle ?? { enabled: false },
    ...(options.behaviour ? { behaviour: options.behaviour } : {}),
  };
  const sim = await createSimulator({ seed, ...(options.onRequest && { onRequest: options.onRequest }) });
  const env = {
    DATABASE_URL: db.url,
    AZURE_TENANT_ID: TENANT_ID,
    AZURE_CLIENT_ID: CLIENT_ID,
    AZURE_CLIENT_SECRET: CLIENT_SECRET,
    AZURE_AUTHORITY_HOST: sim.origin,
    ROSTER_GRAPH_URL: sim.origin,
    ROSTER_EXCHANGE_URL: sim.origin,
  };
  return {
    db,
    sim,
    dir,
    env,
    hr,
    desired,
    context() {
      let text = '';
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          text += chunk.toString('utf8');
          done();
        },
      });
      return {
        dir,
        env,
        stdout: sink,
        stderr: sink,
        actor: 'test',
        logger: createLogger({ level: 'silent' }),
        scrubber: createScrubber(environmentSecrets(env)),
        output: () => text,
      };
    },
    async [Symbol.asyncDispose]() {
      await sim.close();
      await db[Symbol.asyncDispose]();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
