import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const profile = fileURLToPath(new URL('../../dist/cli/memory-profile.js', import.meta.url));

/** A fresh Node process that churns short-lived objects, keeps some, and reports its heap. */
async function heapAfterChurn(withProfile: boolean) {
  const script = `
    ${withProfile ? `(await import(${JSON.stringify(profile)})).useMemoryProfile();` : ''}
    const v8 = await import('node:v8');
    let garbage = [];
    for (let i = 0; i < 2_000_000; i++) { garbage.push({ i, s: 'x' + i }); if (garbage.length > 100_000) garbage = []; }
    const live = [];
    for (let i = 0; i < 300_000; i++) live.push({ i, s: 'y' + i });
    const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const { heapTotal, heapUsed } = process.memoryUsage();
    console.log(JSON.stringify({ newSpaceMb: newSpace / 2 ** 20, slackMb: (heapTotal - heapUsed) / 2 ** 20, live: live.length }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  return JSON.parse(stdout) as { newSpaceMb: number; slackMb: number };
}

describe('memory profile', () => {
  it('keeps the young generation small and little heap committed beyond what is used', async () => {
    const [without, withProfile] = await Promise.all([heapAfterChurn(false), heapAfterChurn(true)]);
    // The same churn, without it, grows the young generation to V8's default maximum and
    // commits much more heap than it uses.
    expect(without.newSpaceMb).toBeGreaterThanOrEqual(24);
    expect(withProfile.newSpaceMb).toBeLessThan(without.newSpaceMb);
    expect(withProfile.slackMb).toBeLessThan(without.slackMb / 1.5);
  });
});
