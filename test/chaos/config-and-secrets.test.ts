import { spawn } from 'node:child_process';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_SECRET } from '../support/roster-world.js';
import { BIN, roster, totalWrites, Transcript } from './chaos-support.js';
import { createChaosWorld, type ChaosWorld } from './chaos-world.js';

const API_TOKEN = 'chaos-api-token-7c1e9d2b44';
const BAD = 'desired-state/overrides/bad.yaml';

describe('broken configuration: a clear message with file and line, and no write', () => {
  let world: ChaosWorld;
  const transcript = new Transcript();
  beforeAll(async () => {
    world = await createChaosWorld({ employees: 8, seed: 23 });
  });
  afterAll(async () => {
    transcript.expectNoSecrets({ CLIENT_SECRET });
    await world?.[Symbol.asyncDispose]();
  });

  /** Breaks the configuration, runs apply, checks the message and that nothing was written. */
  async function expectRefused(breakIt: () => Promise<void>, restore: () => Promise<void>) {
    await breakIt();
    try {
      const run = await roster(world, ['apply', '--auto-approve'], { transcript, logLevel: 'silent' });
      expect(run.code).toBe(1);
      expect(totalWrites(world)).toBe(0);
      expect(run.stderr).not.toContain('internal error');
      return run.stderr.replace(/^roster: /, '').trim();
    } finally {
      await restore();
    }
  }
  const writeBad = (text: string) => () => writeFile(join(world.dir, BAD), text);
  const removeBad = () => rm(join(world.dir, BAD), { force: true });

  it('malformed YAML', async () => {
    const message = await expectRefused(
      writeBad('employees:\n  - email: a@example.no\n    fields: { jobTitle: "x"\n'),
      removeBad,
    );
    expect(message).toMatch(/desired-state\/overrides\/bad\.yaml:\d+:\d+.*error/);
  });

  it('a schema violation and an unknown key', async () => {
    const message = await expectRefused(
      writeBad('employees:\n  - email: a@example.no\n    exclude: maybe\n    colour: blue\n'),
      removeBad,
    );
    expect(message).toContain('desired-state/overrides/bad.yaml:3:14 /employees/0/exclude: error');
    expect(message).toMatch(/desired-state\/overrides\/bad\.yaml:4:5 .*colour/);
  });

  it('an unknown key in the settings', async () => {
    const file = join(world.dir, 'desired-state/roster.yaml');
    const original = await readFile(file, 'utf8');
    const line = original.split('\n').length;
    const message = await expectRefused(
      () => appendFile(file, 'guardrail:\n  maxChanges: 5\n'),
      () => writeFile(file, original),
    );
    expect(message).toMatch(new RegExp(`desired-state/roster\\.yaml:${line}:1 .*guardrail`));
  });

  it('a template with a mustache syntax error', async () => {
    const file = join(world.dir, 'templates/default.html.mustache');
    const original = await readFile(file, 'utf8');
    const line = original.split('\n').length;
    const message = await expectRefused(
      () => appendFile(file, '{{#employee.jobTitle}}\n'),
      () => writeFile(file, original),
    );
    expect(message).toMatch(
      new RegExp(
        `templates/default\\.html\\.mustache:${line}:1: error: template syntax error: unclosed section`,
      ),
    );
  });

  it('a duplicate override, reported at both places', async () => {
    const message = await expectRefused(
      writeBad('employees:\n  - email: a@example.no\n    exclude: true\n  - email: A@example.no\n'),
      removeBad,
    );
    expect(message).toMatch(/bad\.yaml:4:\d+ .*duplicate override for employee 'a@example.no'.*bad\.yaml:2:/);
  });
});

interface Controller {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** `roster controller` (observe mode) on a free port, logging at debug level. */
async function startController(world: ChaosWorld): Promise<Controller> {
  const child = spawn('node', [BIN, '-C', world.dir, '--log-level', 'debug', 'controller', '--port', '0'], {
    env: { ...process.env, ...world.env, ROSTER_API_TOKEN: API_TOKEN },
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

describe('status API and secrets', () => {
  let world: ChaosWorld;
  let controller: Controller;
  const transcript = new Transcript();
  beforeAll(async () => {
    world = await createChaosWorld({ employees: 8, seed: 29 });
    controller = await startController(world);
  }, 120_000);
  afterAll(async () => {
    await controller?.stop();
    await world?.[Symbol.asyncDispose]();
  });

  async function call(method: string, path: string, init: { token?: string; body?: string } = {}) {
    const res = await fetch(`${controller.url}${path}`, {
      method,
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body ? { body: init.body } : {}),
    });
    const text = await res.text();
    transcript.add(`${method} ${path} → ${res.status}`, text);
    return { status: res.status, text };
  }

  it('refuses unauthenticated, wrong-token and oversized mutations without writing', async () => {
    for (const path of ['/plan', '/apply']) {
      expect((await call('POST', path)).status).toBe(401);
      expect((await call('POST', path, { token: 'not-the-token' })).status).toBe(403);
    }
    const big = JSON.stringify({ email: 'x'.repeat(20_000) });
    expect((await call('POST', '/apply', { token: API_TOKEN, body: big })).status).toBe(413);
    expect(totalWrites(world)).toBe(0);
  });

  it('an authorized plan works; no secret appears in any response, log line or plan', async () => {
    // The controller's first run may still be going (409 run in progress): ask again.
    let planned = await call('POST', '/plan', { token: API_TOKEN });
    for (let i = 0; i < 60 && planned.status === 409; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      planned = await call('POST', '/plan', { token: API_TOKEN });
    }
    expect(planned.status).toBeLessThan(300);
    for (const path of ['/status', '/plan?format=json', '/plan?format=markdown', '/runs', '/metrics']) {
      expect((await call('GET', path)).status, path).toBe(200);
    }
    const out = join(world.dir, 'plan.json');
    const plan = await roster(world, ['plan', '--format', 'json', '--out', out], { transcript });
    expect(plan.code).toBe(0);
    transcript.add('plan.json', await readFile(out, 'utf8'));
    await controller.stop();
    transcript.add('controller output', controller.output());
    // The debug log really logged the API calls (so the grep looked at something).
    expect(controller.output()).toContain('"msg":"api call"');
    transcript.expectNoSecrets({
      CLIENT_SECRET,
      API_TOKEN,
      DB_PASSWORD: new URL(world.db.url).password,
    });
  });
});
