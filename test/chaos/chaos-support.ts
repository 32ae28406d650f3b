import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { expect } from 'vitest';
import type { TestWorld } from '../support/roster-world.js';

export const BIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

/** What one run of the built binary left behind. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Everything a suite captured (binary output, plan files, API bodies), so one check at the end
 * can prove no secret leaked into any of it.
 */
export class Transcript {
  readonly parts: { label: string; text: string }[] = [];

  add(label: string, text: string): void {
    this.parts.push({ label, text });
  }

  /** Fails naming the capture and the secret's label (never printing the secret itself). */
  expectNoSecrets(secrets: Record<string, string>): void {
    expect(this.parts.length).toBeGreaterThan(0);
    const leaks: string[] = [];
    for (const { label, text } of this.parts) {
      for (const [name, secret] of Object.entries(secrets)) {
        if (secret.length >= 6 && text.includes(secret)) leaks.push(`${name} in ${label}`);
      }
      // Any JWT (the simulator's access tokens are JWTs) or a bearer credential in clear.
      if (/eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+/.test(text)) leaks.push(`a JWT in ${label}`);
      if (/bearer\s+(?!\[redacted\])[\w.~+/-]{12,}/i.test(text)) leaks.push(`a bearer token in ${label}`);
    }
    expect(leaks).toEqual([]);
  }
}

export interface RunOptions {
  env?: Record<string, string>;
  transcript?: Transcript;
  /** Kill the run (SIGKILL) if it is still going after this long. */
  timeoutMs?: number;
  /** Called once the child is spawned (for crash tests). */
  onSpawn?: (child: ChildProcess) => void;
  logLevel?: string;
}

/** The built `roster` binary as a user runs it, with debug logs, stdout and stderr captured. */
export function roster(world: TestWorld, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const argv = [BIN, '-C', world.dir, '--log-level', options.logLevel ?? 'debug', ...args];
  const child = spawn('node', argv, {
    env: { ...process.env, ...world.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.transcript?.add(`roster ${args.join(' ')} (stdout)`, stdout);
      options.transcript?.add(`roster ${args.join(' ')} (stderr)`, stderr);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The pino JSON lines of a run's stdout (other lines, e.g. the rendered plan, are skipped). */
export function logLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** Users of the simulated tenant, by user principal name. */
export function tenantUsers(world: TestWorld): Map<string, Record<string, unknown>> {
  const users = world.sim.stateSnapshot().users as unknown as Record<string, unknown>[];
  return new Map(users.map((u) => [String(u.userPrincipalName), u]));
}

/** Writes per user principal name (the simulator counts per user id). */
export function writesByUpn(world: TestWorld): Record<string, number> {
  const ids = new Map(
    (world.sim.stateSnapshot().users as { id: string; userPrincipalName: string }[]).map((u) => [
      u.id,
      u.userPrincipalName,
    ]),
  );
  const out: Record<string, number> = {};
  for (const [id, n] of Object.entries(world.sim.statsSnapshot().writesPerUser as Record<string, number>)) {
    out[ids.get(id) ?? id] = n;
  }
  return out;
}

/** Sum of the simulator's request counters whose key (`METHOD route status`) matches. */
export function requestCount(world: TestWorld, pattern: RegExp): number {
  const requests = world.sim.statsSnapshot().requests as Record<string, number>;
  return Object.entries(requests)
    .filter(([key]) => pattern.test(key))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** Runs and journal rows of the state store. */
export async function journal(world: TestWorld) {
  if (!(await hasStateSchema(world))) return { runs: [], rows: [] };
  const runs = await world.db.pool.query<{
    id: string;
    kind: string;
    outcome: string | null;
    finished_at: Date | null;
    error: string | null;
  }>('SELECT id, kind, outcome, finished_at, error FROM roster.runs ORDER BY started_at');
  const rows = await world.db.pool.query<{
    run_id: string;
    action_key: string;
    aspect: string;
    status: string;
    employee_email: string | null;
    after: unknown;
    error: unknown;
  }>(
    'SELECT run_id, action_key, aspect, status, employee_email, after, error FROM roster.journal ORDER BY id',
  );
  return { runs: runs.rows, rows: rows.rows };
}

/** Whether the state store has been created at all (a refused run may stop before). */
export async function hasStateSchema(world: TestWorld): Promise<boolean> {
  const res = await world.db.pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'roster' AND table_name = 'runs'",
  );
  return Number(res.rows[0]?.n) > 0;
}

/** Journal rows the tenant should show: the number of writes to each user the run made. */
export function totalWrites(world: TestWorld): number {
  return Object.values(writesByUpn(world)).reduce((a, b) => a + b, 0);
}

/**
 * Exactly-once, from both sides: the simulator's write counter of every user equals the writes
 * convergence needs (one profile PATCH, one signature, one photo when HR has one) AND the
 * journal's applied rows for that user; every run's journal accounts for all its actions.
 */
export async function expectExactlyOnce(world: TestWorld): Promise<void> {
  const writes = writesByUpn(world);
  const { runs, rows } = await journal(world);
  const desired = await world.desired();
  for (const e of desired.employees) {
    const applied = rows.filter((r) => r.employee_email === e.key && r.status === 'applied');
    const needed = 2 + (e.photoUrl ? 1 : 0);
    expect({ who: e.key, writes: writes[e.key] ?? 0 }).toEqual({ who: e.key, writes: needed });
    expect(applied.map((r) => r.aspect).sort(), e.key).toEqual(
      ['profile', 'signature', ...(e.photoUrl ? ['photo'] : [])].sort(),
    );
  }
  for (const run of runs.filter((r) => r.kind === 'apply')) {
    expect(run.outcome, run.id).not.toBeNull();
    const counts = (
      await world.db.pool.query<{ counts: Record<string, number> }>(
        'SELECT counts FROM roster.runs WHERE id = $1',
        [run.id],
      )
    ).rows[0]!.counts;
    const journaled = rows.filter((r) => r.run_id === run.id).length;
    // Nothing silently dropped: each action is journaled or reported as not started.
    expect(journaled + (counts['not-started'] ?? 0), run.id).toBe(counts.actions ?? 0);
  }
}

/** A `roster controller` child process and its status server. */
export interface Controller {
  url: string;
  port: number;
  output(): string;
  stop(): Promise<void>;
}

/** `roster controller` (observe mode) on a free port, logging at debug level. */
export async function startController(
  world: TestWorld,
  env: Record<string, string> = {},
): Promise<Controller> {
  const child = spawn('node', [BIN, '-C', world.dir, '--log-level', 'debug', 'controller', '--port', '0'], {
    env: { ...process.env, ...world.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (text += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (text += c));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`controller did not start:\n${text}`)), 30_000);
    const check = () => {
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
  });
  return {
    url,
    port: Number(new URL(url).port),
    output: () => text,
    stop: () => {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

/**
 * One HTTP request with exactly these headers (`fetch` always sends its own `Host`), as a page
 * on another origin or a DNS-rebinding attacker would send it.
 */
export function rawRequest(
  port: number,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, setHost: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
