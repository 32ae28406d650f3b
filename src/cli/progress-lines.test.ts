import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { formatDuration, formatProgressLine, type ProgressState } from './progress-lines.js';

const aspect = (total: number, done = 0, failed = 0, throttleWaitMs = 0) => ({
  total,
  done,
  failed,
  throttleWaitMs,
});

describe('progress lines', () => {
  it('durations are short and of steady width', () => {
    expect([0, 499, 500, 59_400, 60_000, 185_000, 3_600_000, 3_725_000].map(formatDuration)).toEqual([
      '0s',
      '0s',
      '1s',
      '59s',
      '1m 00s',
      '3m 05s',
      '1h 00m',
      '1h 02m',
    ]);
  });

  it('planning: slices and active employees, the rate since the rows were counted, and the time left', async () => {
    const clock = new FakeClock();
    const state: ProgressState = { phase: 'reading', startedAt: clock.now(), plan: { slices: 0, rows: 0 } };
    await clock.advance(2_000);
    expect(formatProgressLine(state, clock.now())).toBe(
      'roster 2s: reading the tenant and the HR source (2s)',
    );
    state.phase = 'planning';
    state.plan = { slices: 0, rows: 0, totalRows: 10_000, startedAt: clock.now() };
    expect(formatProgressLine(state, clock.now())).toBe(
      'roster 2s: planning: 0 slices, 0/10,000 active employees, –/s, ETA –',
    );
    await clock.advance(4_000);
    state.plan = { ...state.plan, slices: 3, rows: 3_000 };
    // 3,000 in 4 s is 750/s; 7,000 left at that pace is 9.3 s.
    expect(formatProgressLine(state, clock.now())).toBe(
      'roster 6s: planning: 3 slices, 3,000/10,000 active employees, 750/s, ETA 9s',
    );
    state.plan = { ...state.plan, slices: 10, rows: 10_000 };
    expect(formatProgressLine(state, clock.now())).toBe(
      'roster 6s: planning: 10 slices, 10,000/10,000 active employees, done',
    );
  });

  it('applying: done/total per aspect in the plan vocabulary, rate, time left, throttle wait, failures', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    await clock.advance(60_000);
    const state: ProgressState = {
      phase: 'applying',
      startedAt: start,
      plan: { slices: 1, rows: 50, totalRows: 50 },
      apply: {
        startedAt: clock.now(),
        aspects: { profiles: aspect(1), photos: aspect(40), signatures: aspect(0) },
      },
    };
    expect(formatProgressLine(state, clock.now())).toBe(
      'roster 1m 00s: applying 41 changes: profile updates 0/1, –/s, ETA –, throttled 0s; photos 0/40, –/s, ETA –, throttled 0s',
    );
    await clock.advance(8_000);
    state.apply!.aspects.profiles = aspect(1, 1);
    state.apply!.aspects.photos = aspect(40, 20, 2, 3_400);
    // 20 photos in 8 s: 2.5/s, 20 left: 8 s; signatures have no writes and are left out.
    expect(formatProgressLine(state, clock.now())).toBe(
      'roster 1m 08s: applying 41 changes: profile updates 1/1, done, throttled 0s; photos 20/40, 2.5/s, ETA 8s, throttled 3s, 2 failed',
    );
    state.apply!.aspects = { profiles: aspect(0), photos: aspect(0), signatures: aspect(0) };
    expect(formatProgressLine(state, clock.now())).toBe(
      'roster 1m 08s: applying 0 changes: nothing to write',
    );
    state.apply!.aspects.signatures = aspect(1);
    expect(formatProgressLine(state, clock.now())).toMatch(/applying 1 change: signatures 0\/1/);
  });
});
