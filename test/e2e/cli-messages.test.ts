import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { smallHrFixture } from '../../src/local/seed-hr.js';
import { createTestWorld, usersFromDesired } from '../support/roster-world.js';

const BIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built binary with `env` (a variable set to undefined is removed). */
function roster(args: string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  return new Promise((resolve) => {
    execFile('node', [BIN, ...args], { env: merged, maxBuffer: 10_000_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const STACK_LINE = /^\s+at /m;

describe('errors that say what to do', () => {
  it('plan without a credential variable names the variables, not only "ManagedIdentityCredential"', async () => {
    await using world = await createTestWorld();
    const result = await roster(['-C', world.dir, 'plan'], { ...world.env, AZURE_CLIENT_SECRET: undefined });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH and AZURE_FEDERATED_TOKEN_FILE are not set, so Roster asked for a managed identity',
    );
    expect(result.stderr).toContain('set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH');
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('a busy status port is a message with --port, not an internal error', async () => {
    await using world = await createTestWorld();
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const result = await roster(['-C', world.dir, 'controller', '--port', String(port)], world.env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `roster: port ${port} on 127.0.0.1 is already in use (by another Roster or another program): choose another with --port N (or ROSTER_STATUS_PORT); --port 0 takes any free port`,
      );
      expect(result.stderr).not.toContain('internal error');
      expect(result.stderr).not.toMatch(STACK_LINE);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it('a stack trace only with --log-level debug', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'roster-nowhere-')), 'missing', 'ca.pem');
    const plain = await roster(['sim', '--ca-out', out]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toBe(`roster: open failed: ENOENT: no such file or directory, open '${out}'\n`);
    const debug = await roster(['--log-level', 'debug', 'sim', '--ca-out', out]);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(STACK_LINE);
    await rm(dirname(dirname(out)), { recursive: true, force: true });
  });

  it('plan warnings name the employee: a bad phone number says whose it is', async () => {
    const hr = smallHrFixture();
    hr.employees.find((e) => e.email === 'ase.maeland@example.no')!.phone = 'ring sentralbordet';
    await using world = await createTestWorld({
      hr,
      users: async ({ desired }) => usersFromDesired(await desired()),
    });
    const result = await roster(['-C', world.dir, 'plan'], world.env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /! employee-error: ase\.maeland@example\.no: mobilePhone "ring sentralbordet" is not a valid phone number/,
    );
  });
});

describe('roster sim', () => {
  it('prints the demo secret although it is in the environment, and Ctrl-C removes what it made', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-sim-env-'));
    const envOut = join(dir, 'sim.env');
    const env: NodeJS.ProcessEnv = { ...process.env, AZURE_CLIENT_SECRET: 'sim-only-secret-roster-demo' };
    // Its own CA, as for a user (the suite's dev CA would be kept, not removed).
    delete env.ROSTER_SIM_CA_CERT_FILE;
    delete env.ROSTER_SIM_CA_KEY_FILE;
    const child = spawn('node', [BIN, 'sim', '--env-out', envOut], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toContain('Ready (pid');
      const written = await readFile(envOut, 'utf8');
      expect(written).toContain('export AZURE_CLIENT_SECRET=sim-only-secret-roster-demo\n');
      expect(out).toContain('export AZURE_CLIENT_SECRET=sim-only-secret-roster-demo\n');
      const caFile = /^CA certificate: (.+)$/m.exec(out)![1]!;
      expect(written).toContain(`export NODE_EXTRA_CA_CERTS=${caFile}\n`);
      expect(existsSync(caFile)).toBe(true);
      child.kill('SIGINT');
      expect(await exited, out).toBe(0);
      expect(existsSync(caFile)).toBe(false);
      expect(existsSync(dirname(caFile))).toBe(false);
      expect(existsSync(envOut)).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
