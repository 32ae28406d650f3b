import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;

describe('roster demo', () => {
  it('prints a plan with drift, applies it, and the second plan read back from the tenant is empty', async () => {
    // As a newcomer runs it: from the checkout, with no environment of its own (it re-runs itself trusting its CA).
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' };
    const { stdout } = await run('node', [BIN, 'demo', '--apply', '--exit'], {
      cwd: ROOT,
      env,
      maxBuffer: 20_000_000,
    });
    const [before, after] = stdout.split('Second plan, read back from the tenant:');
    expect(before).toMatch(
      /Plan: \d+ changes \(\d+ profile updates, \d+ photos, \d+ signatures\); \d+ employees, \d+ matched, \d+ in sync; \d+ warnings\./,
    );
    expect(before).toContain('~ jobTitle:');
    expect(before).toContain('synced-user:');
    expect(before).toContain('unmatched:');
    expect(before).toMatch(/applied: \d+, skipped \(stale\): 0, failed: 0, not started: 0/);
    expect(before).not.toContain('partner.example');
    expect(after).toContain('No changes:');
  }, 180_000);

  it('serves the dashboard with the drift, and Ctrl-C stops and cleans up everything', async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' };
    // Its own process group, as in a terminal: Ctrl-C signals the whole group.
    const child = spawn('node', [BIN, 'demo', '--port', '0'], { cwd: ROOT, env, detached: true });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const deadline = Date.now() + 150_000;
    let url: string | undefined;
    while (!url && Date.now() < deadline) {
      url = /dashboard: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1];
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(url, out).toBeDefined();
    let page = '';
    while (Date.now() < deadline) {
      page = await (await fetch(`${url}/?status=drift`)).text();
      if (/bjorn|drift/i.test(page) && !page.includes('No plan yet')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(page).toContain('<table');
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('Stopping');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  }, 200_000);
});
