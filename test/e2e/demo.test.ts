import { execFile } from 'node:child_process';
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
    expect(before).toMatch(/Plan: \d+ profile update\(s\), \d+ photo\(s\), \d+ signature\(s\)/);
    expect(before).toContain('~ jobTitle:');
    expect(before).toContain('synced-user:');
    expect(before).toContain('unmatched:');
    expect(before).toMatch(/applied: \d+, skipped \(stale\): 0, failed: 0, not started: 0/);
    expect(before).not.toContain('partner.example');
    expect(after).toContain('No changes.');
  }, 180_000);
});
