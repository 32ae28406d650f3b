import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BUDGET_SEED,
  EXCHANGE_WINDOWS_SECONDS,
  drawBudget,
  exchangeBudget,
  hiddenBudget,
} from './hidden-budget.js';
import { defaultThrottleSettings } from './seed.js';
import type { SimThrottleSettings } from './types.js';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

function settings(over: Partial<SimThrottleSettings> = {}): SimThrottleSettings {
  return { ...defaultThrottleSettings(), ...over };
}

function perSecond(seed: number): number {
  const e = drawBudget(seed).exchange;
  return e.requests / e.windowSeconds;
}

describe('the hidden Exchange budget', () => {
  it('is the same for the same seed, and the default seed is documented and stable', () => {
    expect(drawBudget(42)).toEqual(drawBudget(42));
    expect(hiddenBudget(settings(), 10)).toEqual(hiddenBudget(settings({ budgetSeed: 1 }), 10));
    expect(DEFAULT_BUDGET_SEED).toBe(1);
    // docs/simulator.md quotes this draw: a change here changes what every test runs against.
    expect(exchangeBudget(settings())).toEqual({
      shape: 'token-bucket',
      requests: 17,
      windowSeconds: 1,
      concurrency: 7,
      rateLimitHeaders: false,
      retryAfter: true,
    });
  });

  it('varies across seeds: rates at least 10× apart, windows 1–60 s, both shapes, headers on and off', () => {
    const rates = SEEDS.map(perSecond);
    expect(Math.max(...rates) / Math.min(...rates)).toBeGreaterThanOrEqual(10);
    const draws = SEEDS.map((s) => drawBudget(s).exchange);
    const windows = new Set(draws.map((d) => d.windowSeconds));
    for (const w of windows) expect(EXCHANGE_WINDOWS_SECONDS).toContain(w);
    expect(windows.size).toBeGreaterThanOrEqual(4);
    expect(new Set(draws.map((d) => d.shape))).toEqual(new Set(['token-bucket', 'fixed-window']));
    expect(new Set(draws.map((d) => d.rateLimitHeaders))).toEqual(new Set([true, false]));
    expect(new Set(draws.map((d) => d.retryAfter))).toEqual(new Set([true, false]));
    for (const d of draws) {
      expect(d.concurrency).toBeGreaterThanOrEqual(2);
      expect(d.concurrency).toBeLessThanOrEqual(8);
      expect(d.requests).toBeGreaterThanOrEqual(1);
    }
    // Most draws send the rate headers.
    expect(draws.filter((d) => d.rateLimitHeaders).length).toBeGreaterThan(SEEDS.length / 2);
  });

  it('keeps explicit numbers: the pre-draw shorthand, and explicit fields over the draw', () => {
    expect(exchangeBudget(settings({ exchangeRequestsPerMinute: 30, exchangeConcurrency: 2 }))).toEqual({
      shape: 'token-bucket',
      requests: 30,
      windowSeconds: 60,
      concurrency: 2,
      rateLimitHeaders: true,
      retryAfter: true,
    });
    const drawn = drawBudget(5).exchange;
    const explicit = exchangeBudget(settings({ budgetSeed: 5, exchange: { requests: 3, windowSeconds: 7 } }));
    expect(explicit).toEqual({ ...drawn, requests: 3, windowSeconds: 7 });
    expect(exchangeBudget(settings({ budgetSeed: 5, exchangeConcurrency: 1 }))).toEqual({
      ...drawn,
      concurrency: 1,
    });
  });
});

describe('the Graph budgets', () => {
  it('are the published ones unless drawn, and drawn at 50–100 % of them', () => {
    const published = hiddenBudget(settings(), 1_000).graph;
    expect([published.resourceUnitsPer10s, published.writesPer150s]).toEqual([8_000, 3_000]);
    const shares = SEEDS.map((seed) => {
      const g = hiddenBudget(settings({ budgetSeed: seed, drawGraphBudget: true }), 1_000).graph;
      expect(g.writesPer150s).toBeLessThanOrEqual(3_000);
      expect(g.writesPer150s).toBeGreaterThanOrEqual(1_500);
      return g.resourceUnitsPer10s / 8_000;
    });
    expect(Math.min(...shares)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...shares)).toBeLessThanOrEqual(1);
    expect(new Set(shares).size).toBeGreaterThan(1);
  });
});
