import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROSTER_NODE_OPTIONS } from './memory-profile.js';

const run = promisify(execFile);
const profile = fileURLToPath(new URL('../../dist/cli/memory-profile.js', import.meta.url));

/**
 * A fresh Node process with some long-lived data that makes batches of objects which live long
 * enough to reach the old generation and then die (as a plan's pages and responses do); reports
 * the largest heap it committed.
 */
async function peakHeapMb(withProfile: boolean): Promise<number> {
  const script = `
    ${withProfile ? `(await import(${JSON.stringify(profile)})).useMemoryProfile();` : ''}
    const live = [];
    for (let i = 0; i < 400_000; i++) live.push({ i, s: 'live' + i });
    let peak = 0;
    let batch = [];
    for (let round = 0; round < 60; round++) {
      batch = [];
      for (let i = 0; i < 100_000; i++) batch.push({ i, s: 'b' + i + round });
      await new Promise((r) => setImmediate(r));
      peak = Math.max(peak, process.memoryUsage().heapTotal);
    }
    console.log(JSON.stringify({ peakMb: peak / 2 ** 20, kept: live.length + batch.length }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  return (JSON.parse(stdout) as { peakMb: number }).peakMb;
}

describe('memory profile', () => {
  it('keeps the heap close to what is live instead of letting garbage pile up', async () => {
    const [without, withProfile] = await Promise.all([peakHeapMb(false), peakHeapMb(true)]);
    // Without it, V8 lets the same work commit more than twice the heap.
    expect(withProfile).toBeLessThan(without * 0.6);
  });

  it('starts the roster command with its V8 options: a small young generation (the Dockerfile test checks the container)', async () => {
    const root = new URL('../../', import.meta.url);
    const [command] = (await readFile(new URL('dist/cli/main.js', root), 'utf8')).split('\n');
    expect(command).toBe(`#!/usr/bin/env -S node ${ROSTER_NODE_OPTIONS.join(' ')}`);
    // The command line as the kernel runs it: V8 takes the options (new space: 2 semi-spaces).
    const newSpaceMb = async (args: string[]) => {
      const script = `
        const keep = [];
        for (let i = 0; i < 2e6; i++) { keep.push({ i }); if (keep.length > 1e5) keep.length = 0; }
        const { getHeapSpaceStatistics } = await import('node:v8');
        console.log(getHeapSpaceStatistics().find((x) => x.space_name === 'new_space').space_size / 2 ** 20);
      `;
      const { stdout } = await run('/usr/bin/env', [...args, '--input-type=module', '-e', script]);
      return Number(stdout.trim());
    };
    expect(await newSpaceMb(['-S', command!.slice('#!/usr/bin/env -S '.length)])).toBeLessThanOrEqual(8);
    expect(await newSpaceMb(['node'])).toBeGreaterThan(8);
  });
});
