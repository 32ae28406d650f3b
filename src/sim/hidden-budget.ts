import { mulberry32 } from './seeded-random.js';
import type { SimExchangeBudget, SimThrottleSettings } from './types.js';

/** Default Outlook upload budget per app + mailbox per 5 min: 150 MB. */
export const DEFAULT_PHOTO_UPLOAD_BYTES_PER_5MIN = 150 * 1024 * 1024;
/** The budget seed when none is given: tests and `roster sim` are reproducible by default. */
export const DEFAULT_BUDGET_SEED = 1;
/** Share of admitted calls answered 429 below the limits, unless configured. */
export const DEFAULT_SUB_LIMIT_429_RATE = 0.005;
/** Drawn Exchange rates lie in [MIN, MAX] requests per second, log-uniformly (20× apart). */
export const EXCHANGE_RATE_RANGE = { min: 1, max: 20 } as const;
/** Drawn Exchange windows, in seconds before `timeScale`. */
export const EXCHANGE_WINDOWS_SECONDS = [1, 2, 5, 10, 15, 30, 60] as const;
/** Drawn Exchange concurrency per tenant, inclusive. */
export const EXCHANGE_CONCURRENCY_RANGE = { min: 2, max: 8 } as const;
/** Drawn shares: fixed windows, budgets that send rate headers, 429s that carry Retry-After. */
export const DRAW_SHARES = { fixedWindow: 0.5, rateLimitHeaders: 0.8, retryAfter: 0.75 } as const;
/** With `drawGraphBudget`, the Graph identity budgets are this share (or more) of the published ones. */
export const GRAPH_MIN_SHARE = 0.5;
/** The budget of the pre-draw model (`exchangeRequestsPerMinute`): 300 per 60 s, 3 at a time. */
const LEGACY_EXCHANGE: SimExchangeBudget = {
  shape: 'token-bucket',
  requests: 300,
  windowSeconds: 60,
  concurrency: 3,
  rateLimitHeaders: true,
  retryAfter: true,
};

/** What one seed draws; the same on every platform (mulberry32). */
export interface BudgetDraw {
  exchange: SimExchangeBudget;
  /** Multiplier of the Graph identity budgets when `drawGraphBudget` is on, in [0.5, 1]. */
  graphShare: number;
}

/**
 * The budget a simulator start is given, hidden from the service origin: the bench and the tests
 * read it through the control plane (`GET /_sim/budget`, `sim.hiddenBudget()`). Windows and
 * latencies are before `timeScale`.
 */
export interface SimHiddenBudget {
  seed: number;
  enabled: boolean;
  timeScale: number;
  /** Service time of each call in ms before `timeScale`, held in a concurrency slot. */
  callLatencyMs: number;
  subLimit429Rate: number;
  exchange: SimExchangeBudget;
  /** Graph identity (per app + tenant) and Outlook photo (per app + mailbox) budgets in effect. */
  graph: {
    resourceUnitsPer10s: number;
    writesPer150s: number;
    photoConcurrencyPerMailbox: number;
    photoRequestsPer10min: number;
    photoUploadBytesPer5min: number;
  };
}

/** Draws the Exchange budget (and a Graph share) from `seed`: every draw is taken, always in order. */
export function drawBudget(seed: number): BudgetDraw {
  const random = mulberry32(seed ^ 0x0b0d_9e75);
  const [rateDraw, windowDraw, concurrencyDraw, shapeDraw, headersDraw, retryDraw, graphDraw] = Array.from(
    { length: 7 },
    () => random(),
  ) as [number, number, number, number, number, number, number];
  const { min, max } = EXCHANGE_RATE_RANGE;
  const perSecond = min * (max / min) ** rateDraw;
  const windowSeconds =
    EXCHANGE_WINDOWS_SECONDS[Math.floor(windowDraw * EXCHANGE_WINDOWS_SECONDS.length)] ?? 60;
  const c = EXCHANGE_CONCURRENCY_RANGE;
  return {
    exchange: {
      shape: shapeDraw < DRAW_SHARES.fixedWindow ? 'fixed-window' : 'token-bucket',
      requests: Math.max(1, Math.round(perSecond * windowSeconds)),
      windowSeconds,
      concurrency: c.min + Math.floor(concurrencyDraw * (c.max - c.min + 1)),
      rateLimitHeaders: headersDraw < DRAW_SHARES.rateLimitHeaders,
      retryAfter: retryDraw < DRAW_SHARES.retryAfter,
    },
    graphShare: GRAPH_MIN_SHARE + (1 - GRAPH_MIN_SHARE) * graphDraw,
  };
}

/** Resource units per 10 s for a tenant of `tenantUsers` users (or the override), before any draw. */
export function resourceUnitBudget(settings: SimThrottleSettings, tenantUsers: number): number {
  if (settings.resourceUnitsPer10s !== undefined) return settings.resourceUnitsPer10s;
  if (tenantUsers < 50) return 3_500;
  if (tenantUsers <= 500) return 5_000;
  return 8_000;
}

/** The Exchange budget in effect: the draw, or the pre-draw model, with explicit fields on top. */
export function exchangeBudget(settings: SimThrottleSettings): SimExchangeBudget {
  const base =
    settings.exchangeRequestsPerMinute !== undefined
      ? { ...LEGACY_EXCHANGE, requests: settings.exchangeRequestsPerMinute }
      : drawBudget(settings.budgetSeed ?? DEFAULT_BUDGET_SEED).exchange;
  return {
    ...base,
    ...(settings.exchangeConcurrency !== undefined && { concurrency: settings.exchangeConcurrency }),
    ...settings.exchange,
  };
}

/** The whole budget a simulator with these settings and this many users enforces. */
export function hiddenBudget(settings: SimThrottleSettings, tenantUsers: number): SimHiddenBudget {
  const seed = settings.budgetSeed ?? DEFAULT_BUDGET_SEED;
  const share = settings.drawGraphBudget ? drawBudget(seed).graphShare : 1;
  const scaled = (n: number) => Math.max(1, Math.floor(n * share));
  return {
    seed,
    enabled: settings.enabled,
    timeScale: settings.timeScale,
    callLatencyMs: settings.callLatencyMs ?? 0,
    subLimit429Rate: settings.subLimit429Rate ?? DEFAULT_SUB_LIMIT_429_RATE,
    exchange: exchangeBudget(settings),
    graph: {
      resourceUnitsPer10s: scaled(resourceUnitBudget(settings, tenantUsers)),
      writesPer150s: scaled(settings.writesPer150s),
      photoConcurrencyPerMailbox: settings.photoConcurrencyPerMailbox,
      photoRequestsPer10min: settings.photoRequestsPer10min,
      photoUploadBytesPer5min: settings.photoUploadBytesPer5min ?? DEFAULT_PHOTO_UPLOAD_BYTES_PER_5MIN,
    },
  };
}
