import { describe, expect, it } from 'vitest';
import {
  PHOTO_MAX_LAG_RANGE_MS,
  PropagationLag,
  SIGNATURE_MAX_LAG_RANGE_MS,
  drawPropagation,
} from './propagation.js';

describe('drawPropagation', () => {
  it('draws hidden maxima within the ranges, the same per seed, different across seeds', () => {
    const draws = Array.from({ length: 30 }, (_, i) => drawPropagation(i + 1));
    for (const d of draws) {
      expect(d.photoMaxMs).toBeGreaterThanOrEqual(PHOTO_MAX_LAG_RANGE_MS.min);
      expect(d.photoMaxMs).toBeLessThanOrEqual(PHOTO_MAX_LAG_RANGE_MS.max);
      expect(d.signatureMaxMs).toBeGreaterThanOrEqual(SIGNATURE_MAX_LAG_RANGE_MS.min);
      expect(d.signatureMaxMs).toBeLessThanOrEqual(SIGNATURE_MAX_LAG_RANGE_MS.max);
    }
    expect(drawPropagation(7)).toEqual(drawPropagation(7));
    const photos = draws.map((d) => d.photoMaxMs);
    expect(Math.max(...photos) / Math.min(...photos)).toBeGreaterThan(5);
  });
});

describe('PropagationLag', () => {
  it('reads show the old value until the write has propagated, then the new one', () => {
    let now = 0;
    const lag = new PropagationLag(
      { photoMaxMs: 60_000, signatureMaxMs: 0 },
      3,
      () => now,
      () => 1,
    );
    lag.wrote('photo', 'u1', 'old');
    expect(lag.seen('photo', 'u1', 'new')).toBe('old');
    now = 60_000;
    expect(lag.seen('photo', 'u1', 'new')).toBe('new');
    // Signatures with a zero maximum show at once; other users are unaffected.
    lag.wrote('signature', 'u1', 'old');
    expect(lag.seen('signature', 'u1', 'new')).toBe('new');
    expect(lag.seen('photo', 'u2', 'x')).toBe('x');
  });

  it('a second write while the first is in flight keeps the oldest view and waits longer', () => {
    let now = 0;
    const lag = new PropagationLag(
      { photoMaxMs: 60_000, signatureMaxMs: 0 },
      5,
      () => now,
      () => 1,
    );
    lag.wrote('photo', 'u1', 'v0');
    now = 1;
    lag.wrote('photo', 'u1', 'v1');
    expect(lag.seen('photo', 'u1', 'v2')).toBe('v0');
    now = 60_002;
    expect(lag.seen('photo', 'u1', 'v2')).toBe('v2');
  });

  it('scales its lags with the time scale', () => {
    let now = 0;
    const lag = new PropagationLag(
      { photoMaxMs: 1_000_000, signatureMaxMs: 0 },
      9,
      () => now,
      () => 0.001,
    );
    lag.wrote('photo', 'u1', 'old');
    now = 1_000;
    expect(lag.seen('photo', 'u1', 'new')).toBe('new');
  });
});
