import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import type { SignaturesPort } from '../ports/signatures.js';
import {
  meterSignatureWrites,
  MIN_STRETCH_WRITES,
  SIGNATURE_WRITES_PACE,
  STRETCH_GAP_MS,
} from './signature-write-meter.js';

/** A port whose writes are let through one every `gapMs` of the fake clock, `slots` at a time. */
function pacedPort(clock: FakeClock, gapMs: number): SignaturesPort & { fail: Set<string> } {
  let nextFree = clock.now();
  const fail = new Set<string>();
  return {
    fail,
    getMessageConfigs: async () => [],
    async setMessageConfig(identity) {
      nextFree = Math.max(nextFree, clock.now()) + gapMs;
      await clock.sleep(nextFree - clock.now());
      if (fail.has(identity)) throw new Error('refused');
      return { warnings: [] };
    },
  };
}

/** Starts `n` writes at once (as an apply's workers queue them) and lets the clock run them out. */
async function burst(clock: FakeClock, port: SignaturesPort, n: number, prefix = 'u') {
  const writes = Array.from({ length: n }, (_, i) =>
    port.setMessageConfig(`${prefix}${i}@example.no`, {}).catch(() => undefined),
  );
  while (clock.pending > 0) await clock.advance(10);
  await Promise.all(writes);
}

describe('meterSignatureWrites', () => {
  it('measures the writes achieved per second while writes were waiting, not how fast each went', async () => {
    const clock = new FakeClock();
    // 6.5 writes per second let through, whatever the number queued.
    const meter = meterSignatureWrites(pacedPort(clock, 1000 / 6.5), () => clock.now());
    expect(meter.achieved()).toBeUndefined();
    await burst(clock, meter.port, 650);
    expect(meter.achieved()).toBeCloseTo(6.5, 1);
    expect(meter.measured(new Date(0))).toEqual({
      api: SIGNATURE_WRITES_PACE,
      lanes: { achieved: { rate: expect.closeTo(6.5, 1) } },
      concurrency: 1,
      learnedAt: new Date(0),
    });
  });

  it('keeps the last long stretch when a later one is too short to trust', async () => {
    const clock = new FakeClock();
    const port = pacedPort(clock, 100);
    const meter = meterSignatureWrites(port, () => clock.now());
    await burst(clock, meter.port, MIN_STRETCH_WRITES + 50);
    await clock.advance(STRETCH_GAP_MS + 1);
    // A handful of writes after a pause go through at once: a pace nobody could keep up.
    const fast = meterSignatureWrites(pacedPort(clock, 1), () => clock.now());
    await burst(clock, fast.port, 10);
    await burst(clock, meter.port, 10, 'later');
    expect(meter.achieved()).toBeCloseTo(10, 0);
    expect(fast.achieved()).toBeUndefined();
  });

  it('counts only writes that succeeded, and starts from the pace an earlier process kept', async () => {
    const clock = new FakeClock();
    const port = pacedPort(clock, 100);
    const kept = {
      api: SIGNATURE_WRITES_PACE,
      lanes: { achieved: { rate: 4 } },
      concurrency: 1,
      learnedAt: new Date(0),
    };
    const meter = meterSignatureWrites(port, () => clock.now(), kept);
    expect(meter.achieved()).toBe(4);
    expect(meter.measured(new Date(0))).toBeUndefined();
    for (let i = 0; i < 2 * MIN_STRETCH_WRITES; i += 2) port.fail.add(`u${i}@example.no`);
    await burst(clock, meter.port, 2 * MIN_STRETCH_WRITES);
    // Half the slots were spent on refusals: 5 written per second.
    expect(meter.achieved()).toBeCloseTo(5, 1);
  });
});
