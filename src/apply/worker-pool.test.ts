import { describe, expect, it } from 'vitest';
import { chunkStream, runPool } from './worker-pool.js';

async function* stream(n: number, read: number[]): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    await new Promise((r) => setImmediate(r));
    read.push(i);
    yield i;
  }
}

describe('runPool over a stream', () => {
  it('keeps at most `concurrency` in flight and reads the stream only as workers free up', async () => {
    const read: number[] = [];
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    const left = await runPool(stream(50, read), 4, undefined, async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      // Never more than the workers' items read ahead of what finished.
      expect(read.length - done.length).toBeLessThanOrEqual(4);
      await new Promise((r) => setTimeout(r, 1));
      done.push(i);
      inFlight--;
    });
    expect(left).toEqual([]);
    expect(most).toBe(4);
    expect([...done].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('after an abort starts nothing new and returns the rest, in order', async () => {
    const stop = new AbortController();
    const started: number[] = [];
    const left = await runPool(stream(30, []), 3, stop.signal, async (i) => {
      started.push(i);
      if (i === 7) stop.abort();
      await new Promise((r) => setTimeout(r, 2));
    });
    expect(started.length).toBeLessThan(30);
    expect([...started, ...left].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(left).toEqual([...left].sort((a, b) => a - b));
    expect(left[0]).toBeGreaterThan(Math.max(...started.filter((i) => i <= 7)));
  });

  it('chunks a stream as it arrives', async () => {
    const parts: number[][] = [];
    for await (const part of chunkStream(stream(45, []), 20)) parts.push(part);
    expect(parts.map((p) => p.length)).toEqual([20, 20, 5]);
    expect(parts.flat()).toEqual(Array.from({ length: 45 }, (_, i) => i));
  });
});
