import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

const REPO = new URL('../../', import.meta.url).pathname;
const BIN = join(REPO, 'dist/cli/main.js');
const SECTION = 'Try the CLI against the simulator';

/** The fenced `sh` block of one README section, exactly as written. */
function readmeBlock(readme: string, heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start, `README.md has a section "## ${heading}"`).toBeGreaterThan(-1);
  const section = readme.slice(start + 1).split(/\n## /)[0]!;
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block, `the section "${heading}" has a fenced sh block`).toBeDefined();
  return block!;
}

/** A fresh user's shell: none of the test suite's own database, CA or Azure variables. */
function userEnvironment(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(AZURE_|ROSTER_|DATABASE_URL$|NODE_EXTRA_CA_CERTS$|VITEST|npm_)/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, HOME: process.env.HOME ?? home };
}

function runScript(file: string, cwd: string, timeoutMs: number) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('bash', [file], {
      cwd,
      env: userEnvironment(cwd),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (output += b.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return check();
}

/** Running (a zombie whose parent, npx, is gone and which nobody reaped yet has ended). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('the README walkthrough', () => {
  it(`runs the commands of "${SECTION}" as they are written`, { timeout: 300_000 }, async () => {
    const block = readmeBlock(await readFile(join(REPO, 'README.md'), 'utf8'), SECTION);
    // A checkout after the setup command: the shipped example configuration as it is, and
    // `npx roster` finding the built command in node_modules/.bin, where npm links it.
    const dir = await mkdtemp(join(tmpdir(), 'roster-readme-'));
    await cp(join(REPO, 'desired-state'), join(dir, 'desired-state'), { recursive: true });
    await cp(join(REPO, 'templates'), join(dir, 'templates'), { recursive: true });
    await mkdir(join(dir, 'node_modules/.bin'), { recursive: true });
    await symlink(BIN, join(dir, 'node_modules/.bin/roster'));
    // A user's interactive shell has job control (`kill %1` signals the job's process group, npx
    // and Roster); `bash FILE` has none until `set -m`. `set -e`: any failing command fails the test.
    await writeFile(join(dir, 'walkthrough.sh'), `set -em\n${block}`);
    let simPid: number | undefined;
    try {
      const { code, output } = await runScript(join(dir, 'walkthrough.sh'), dir, 240_000);
      simPid = Number(/^Ready \(pid (\d+)\)/m.exec(output)?.[1]) || undefined;
      expect(code, output).toBe(0);
      // The environment block carries the demo secret; the example data validates and doctors clean.
      expect(output).toContain('export AZURE_CLIENT_SECRET=sim-only-secret-roster-demo');
      expect(output).toContain(
        'source: query valid; 9 active employee(s), 8 usable, 1 excluded, 0 with errors',
      );
      expect(output).toMatch(/^\d+ ok, \d+ warnings?, 0 errors, 0 skipped$/m);
      expect(output).toContain(
        'Plan: 10 changes (3 profile updates, 7 signatures); 8 employees, 7 matched, 0 in sync; 3 warnings.',
      );
      expect(output).toContain('(guardrails.maxChanges); overridden for this apply by --allow-large-change');
      expect(output).not.toContain('re-run with --allow-large-change');
      expect(output).toMatch(/applied: 10, skipped \(stale\): 0, failed: 0/);
      expect(output).toContain('No changes: 8 employees, 7 matched, 7 in sync; 2 warnings.');

      // After `kill %1` the simulator removes what it made: the environment file, the CA's temp
      // folder (last), and the HR database is gone.
      const caFile = /^CA certificate: (.+)$/m.exec(output)![1]!;
      const databaseUrl = /^export DATABASE_URL='?([^'\n]+)'?$/m.exec(output)![1]!;
      expect(await until(() => !existsSync(caFile), 30_000), `${caFile} removed`).toBe(true);
      expect(existsSync(join(dir, 'roster-sim.env'))).toBe(false);
      const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
      await expect(client.connect()).rejects.toThrow();
      expect(simPid).toBeDefined();
      expect(await until(() => !alive(simPid!), 15_000), `roster sim (pid ${simPid}) ended`).toBe(true);
    } finally {
      if (simPid !== undefined && alive(simPid)) process.kill(simPid, 'SIGTERM');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
