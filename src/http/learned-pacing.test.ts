import { describe, expect, it } from 'vitest';
import { FRESH_FOR_MS, HALF_LIFE_MS, learnedWeight, startingPace } from './learned-pacing.js';

const NOW = new Date('2025-03-01T12:00:00Z');
const CAUTIOUS = { lanes: { requests: 1 }, concurrency: 2 };
const learned = (ageMs: number, estimate?: number) => ({
  api: 'exchange',
  lanes: { requests: { rate: 16, ...(estimate !== undefined ? { estimate } : {}) } },
  concurrency: 6,
  learnedAt: new Date(NOW.getTime() - ageMs),
});

describe('startingPace', () => {
  it('starts a fresh database cautiously, in slow start', () => {
    expect(startingPace(CAUTIOUS, undefined, NOW)).toEqual({
      lanes: { requests: { rate: 1, phase: 'slow-start' } },
      concurrency: { start: 2 },
    });
  });

  it('starts where the last run ended when that was recent', () => {
    expect(startingPace(CAUTIOUS, learned(3_600_000, 17), NOW)).toEqual({
      lanes: { requests: { rate: 16, phase: 'probing', prior: 17 } },
      concurrency: { start: 6, learned: true },
    });
  });

  it('moves an old pace halfway back to the default per half-life, geometrically', () => {
    const start = startingPace(CAUTIOUS, learned(FRESH_FOR_MS + HALF_LIFE_MS), NOW);
    // 16 is 2⁴ times the default: halfway back is 2² = 4 (no estimate: slow start again).
    expect(start.lanes.requests).toEqual({ rate: 4, phase: 'slow-start' });
    expect(start.concurrency).toEqual({ start: 4, learned: true });
  });

  it('forgets a pace that is months old', () => {
    expect(learnedWeight(FRESH_FOR_MS + 4 * HALF_LIFE_MS)).toBeLessThan(0.1);
    expect(startingPace(CAUTIOUS, learned(FRESH_FOR_MS + 4 * HALF_LIFE_MS, 17), NOW)).toEqual(
      startingPace(CAUTIOUS, undefined, NOW),
    );
  });
});
