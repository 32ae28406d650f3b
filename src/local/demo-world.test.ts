import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDesiredConfig } from '../config/load-desired-config.js';
import { SIM_CA_CERT_ENV, SIM_CA_KEY_ENV } from '../sim/tls.js';
import { startDemoWorld, type DemoWorld } from './demo-world.js';

const run = promisify(execFile);
const originalTmp = process.env.TMPDIR;
let sandbox = '';

// Every temp dir the world makes (PostgreSQL cluster, CA, config) lands in a private TMPDIR, so
// "nothing left behind" is checkable even while other test files use the real one.
beforeAll(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'roster-demo-world-test-'));
  await chmod(sandbox, 0o755); // as root, the PostgreSQL cluster runs as `postgres` and must get in
  process.env.TMPDIR = sandbox;
});
afterAll(async () => {
  if (originalTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = originalTmp;
  await rm(sandbox, { recursive: true, force: true });
});

async function rows(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

async function processesMentioning(text: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'args']);
  return stdout.split('\n').filter((line) => line.includes(text));
}

async function expectWorking(world: DemoWorld): Promise<void> {
  const { env } = world;
  expect(Object.keys(env).sort()).toEqual([
    'AZURE_AUTHORITY_HOST',
    'AZURE_CLIENT_ID',
    'AZURE_CLIENT_SECRET',
    'AZURE_TENANT_ID',
    'DATABASE_URL',
    'NODE_EXTRA_CA_CERTS',
    'ROSTER_EXCHANGE_URL',
    'ROSTER_GRAPH_URL',
  ]);
  expect(env.NODE_EXTRA_CA_CERTS).toBe(world.sim.caPath);
  expect(existsSync(world.sim.caPath)).toBe(true);

  const [counts] = await rows(
    env.DATABASE_URL!,
    `SELECT (SELECT count(*) FROM offices)::int AS offices, (SELECT count(*) FROM employees)::int AS employees,
            (SELECT count(*) FROM employees WHERE status = 'active')::int AS active`,
  );
  expect(counts).toEqual({ offices: 6, employees: 60, active: 58 });
  const [withPhoto] = await rows(
    env.DATABASE_URL!,
    'SELECT profile_image_url FROM employees WHERE profile_image_url IS NOT NULL ORDER BY id LIMIT 1',
  );
  const photoUrl = String(withPhoto?.profile_image_url);
  expect(photoUrl.startsWith(`${world.photoServer.url}/photos/`)).toBe(true);
  const photo = await fetch(photoUrl);
  expect(photo.status).toBe(200);
  expect(photo.headers.get('content-type')).toBe('image/jpeg');

  // The control plane is the simulator's own side: not in Roster's environment, not on its origin.
  expect(Object.values(env)).not.toContain(world.sim.controlOrigin);
  expect((await fetch(`${env.ROSTER_GRAPH_URL}/_sim/state`)).status).toBe(404);
  const state = (await (await fetch(`${world.sim.controlOrigin}/_sim/state`)).json()) as {
    tenantId: string;
    users: unknown[];
    organizationConfig: { PostponeRoamingSignaturesUntilLater: boolean };
    throttle: { enabled: boolean };
    faults: { rate429: number; rate503: number; dropRate: number };
  };
  expect(state.tenantId).toBe(env.AZURE_TENANT_ID);
  expect(state.users).toHaveLength(world.sim.state.users.size);
  expect(state.organizationConfig.PostponeRoamingSignaturesUntilLater).toBe(true);
  expect(state.throttle.enabled).toBe(true);
  expect(state.faults.rate429 + state.faults.rate503 + state.faults.dropRate).toBe(0);

  // The environment is consistent: its app gets a Graph token and reads the users.
  const tokenResponse = await fetch(`${env.AZURE_AUTHORITY_HOST}/${env.AZURE_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: env.AZURE_CLIENT_ID!,
      client_secret: env.AZURE_CLIENT_SECRET!,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  expect(tokenResponse.status).toBe(200);
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  const users = await fetch(`${env.ROSTER_GRAPH_URL}/v1.0/users?$top=5`, {
    headers: { authorization: `Bearer ${access_token}` },
  });
  expect(users.status).toBe(200);
  expect(((await users.json()) as { value: unknown[] }).value).toHaveLength(5);

  const { problems } = await loadDesiredConfig(world.configDir, env);
  expect(problems).toEqual([]);
}

async function expectGone(world: DemoWorld): Promise<void> {
  await expect(rows(world.env.DATABASE_URL!, 'SELECT 1')).rejects.toThrow();
  await expect(fetch(`${world.sim.controlOrigin}/_sim/state`)).rejects.toThrow();
  await expect(fetch(`${world.sim.origin}/v1.0/users`)).rejects.toThrow();
  await expect(fetch(`${world.photoServer.url}/photos/1.jpg`)).rejects.toThrow();
  expect(await readdir(sandbox)).toEqual([]);
  expect(await processesMentioning(sandbox)).toEqual([]);
}

describe('startDemoWorld', () => {
  it('starts PostgreSQL, photos, simulator and config, and close() leaves nothing behind', async () => {
    const world = await startDemoWorld();
    try {
      await expectWorking(world);
      if (world.postgresKind === 'server') expect(await processesMentioning(sandbox)).not.toEqual([]);
    } finally {
      await world.close();
    }
    await world.close();
    await expectGone(world);
  });

  it('issues the simulator certificate from a given CA, and runs on embedded PostgreSQL', async () => {
    const caHome = await mkdtemp(join(originalTmp ?? '/tmp', 'roster-demo-world-ca-'));
    try {
      // A copy of the test run's CA, which this process trusts (NODE_EXTRA_CA_CERTS is read at
      // start); that a child trusts a CA made by ensureDemoCa is shown in demo-ca.test.ts.
      const ca = { certFile: join(caHome, 'sim-ca.pem'), keyFile: join(caHome, 'sim-ca.key') };
      await copyFile(process.env[SIM_CA_CERT_ENV]!, ca.certFile);
      await copyFile(process.env[SIM_CA_KEY_ENV]!, ca.keyFile);
      const world = await startDemoWorld({ usePgServer: 'embedded', ca });
      try {
        expect(world.postgresKind).toBe('embedded');
        expect(world.env.NODE_EXTRA_CA_CERTS).toBe(ca.certFile);
        await expectWorking(world);
      } finally {
        await world.close();
      }
      await expectGone(world);
      expect(existsSync(ca.certFile)).toBe(true);
    } finally {
      await rm(caHome, { recursive: true, force: true });
    }
  });
});
