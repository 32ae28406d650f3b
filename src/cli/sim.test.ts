import { Command } from 'commander';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/roster-error.js';
import { shellQuote } from './sim-environment.js';
import { registerSim, runSim } from './sim.js';

describe('shellQuote', () => {
  it('leaves plain values bare and single-quotes the rest, so sh reads them back unchanged', () => {
    expect(shellQuote('https://127.0.0.1:8443')).toBe('https://127.0.0.1:8443');
    expect(shellQuote('postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable')).toBe(
      "'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'",
    );
    expect(shellQuote("/tmp/it's here/ca.pem")).toBe("'/tmp/it'\\''s here/ca.pem'");
  });
});

describe('roster sim', () => {
  it('refuses an invalid seed with a ConfigError naming file, line and key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-sim-cli-'));
    const file = join(dir, 'seed.yaml');
    await writeFile(file, 'tenant:\n  domain: contoso.onmicrosoft.com\ntokenLifetime: 5\n');
    const program = new Command('roster').exitOverride();
    registerSim(program);
    const run = program.parseAsync(['node', 'roster', 'sim', '--seed', file]);
    await expect(run).rejects.toBeInstanceOf(ConfigError);
    await expect(run).rejects.toThrow(`${file}:3 /tokenLifetime: error: unknown key`);
  });

  it('serves the example seed, writes the CA and prints the environment for Roster', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-sim-cli-'));
    const caOut = join(dir, 'ca.pem');
    const stop = new AbortController();
    let printed = '';
    const running = runSim(
      { port: 0, controlPort: 0, budgetSeed: 7, caOut },
      { write: (t) => (printed += t), signal: stop.signal },
    );
    await expect.poll(() => printed, { timeout: 20_000 }).toContain('NODE_EXTRA_CA_CERTS');
    const origin = /listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(printed)?.[1];
    expect(printed).toContain(`export ROSTER_GRAPH_URL=${origin}`);
    expect(printed).toContain(`export AZURE_AUTHORITY_HOST=${origin}`);
    expect(printed).toContain('export AZURE_TENANT_ID=5f1c7a2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b');
    expect(printed).toContain(`export NODE_EXTRA_CA_CERTS=${caOut}`);
    // The seed's demo secret is printed: it is needed, and valid nowhere but here.
    expect(printed).toContain('export AZURE_CLIENT_SECRET=sim-only-secret-roster-demo');
    expect(printed).toContain('export AZURE_CLIENT_ID=8e2a4c6d-1f3b-4a5c-9d7e-2b4c6d8e0f1a');
    expect(printed).toContain('DATABASE_URL is your HR database; `roster sim --hr` serves one');
    expect(await readFile(caOut, 'utf8')).toContain('BEGIN CERTIFICATE');
    const control = /control plane .*: (https:\/\/127\.0\.0\.1:\d+)$/m.exec(printed)?.[1];
    expect(control).toBeDefined();
    expect(control).not.toBe(origin);
    // The environment for Roster names the service origin only.
    const exports = printed.split('\n').filter((l) => l.startsWith('export '));
    expect(exports.length).toBeGreaterThan(4);
    for (const line of exports) expect(line.slice(line.indexOf('=') + 1)).not.toBe(control);
    expect((await fetch(`${origin}/_sim/state`)).status).toBe(404);
    const res = await fetch(`${control}/_sim/state`);
    expect(((await res.json()) as { users: unknown[] }).users).toHaveLength(10);
    const budget = (await (await fetch(`${control}/_sim/budget`)).json()) as { seed: number };
    expect(budget.seed).toBe(7);
    expect(printed).toContain('budget seed: 7');
    stop.abort();
    await running;
    await expect(fetch(`${control}/_sim/state`)).rejects.toThrow();
    await expect(fetch(`${origin}/v1.0/users`)).rejects.toThrow();
  });
});
