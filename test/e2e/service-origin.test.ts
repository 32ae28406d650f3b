import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startPhotoServer } from '../../src/local/photo-server.js';
import { smallHrFixture } from '../../src/local/seed-hr.js';
import { createTestWorld, type TestWorld } from '../support/roster-world.js';

const run = promisify(execFile);
const BIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

async function roster(world: TestWorld, args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run('node', [BIN, '-C', world.dir, ...args], {
      env: { ...process.env, ...world.env },
      maxBuffer: 10_000_000,
    });
    return { code: 0, stderr };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('what Roster calls on the service origin', () => {
  it('plan and apply against a hidden budget reach identity, Graph and Exchange, and never /_sim', async () => {
    const photos = await startPhotoServer({ employees: smallHrFixture().employees });
    onTestFinished(() => photos.close());
    const seen = new Map<string, number>();
    await using world = await createTestWorld({
      hr: smallHrFixture({ photoBaseUrl: `${photos.url}/photos` }),
      settings: {
        photos: { enabled: true, allowedHosts: ['127.0.0.1'], allowPrivateAddresses: true },
        guardrails: { maxChanges: '100%', maxSourceShrinkPercent: 20 },
      },
      users: ({ hr }) =>
        [...new Set(hr.employees.filter((e) => e.status === 'active').map((e) => e.email.toLowerCase()))].map(
          (email) => ({ userPrincipalName: email, displayName: 'Old Name' }),
        ),
      // Throttling on: the drawn Exchange budget and 429s below the limits, as a user meets them.
      throttle: { enabled: true },
      onRequest: ({ path }) => seen.set(path, (seen.get(path) ?? 0) + 1),
    });
    const planned = await roster(world, ['plan', '--detailed-exitcode']);
    expect(planned.code, planned.stderr).toBe(2);
    const applied = await roster(world, ['apply', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await roster(world, ['plan', '--detailed-exitcode'])).code).toBe(0);

    const paths = [...seen.keys()];
    expect(paths.filter((p) => p.startsWith('/_sim') || p.includes('/_sim/'))).toEqual([]);
    // It did talk to every service, so an empty list above means something.
    expect(paths.some((p) => p.endsWith('/oauth2/v2.0/token'))).toBe(true);
    expect(paths.some((p) => p.startsWith('/v1.0/users'))).toBe(true);
    expect(paths.some((p) => p.endsWith('/InvokeCommand'))).toBe(true);
  });
});
