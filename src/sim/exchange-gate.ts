import { exchangeError } from './exchange-cmdlets.js';
import { windowFor, windowRemaining, windowResetMs, type FixedWindow } from './fixed-window.js';
import { exchangeBudget } from './hidden-budget.js';
import { bucketFor, hasTokens, waitMs, type Bucket } from './token-bucket.js';
import type { SimExchangeBudget, SimRequest, SimResponse, SimState } from './types.js';

const CONCURRENCY_TEXT = 'You have reached the maximum number of concurrent requests per tenant';
const BUDGET_TEXT =
  'The request was throttled: too many requests for this tenant. Retry after the Retry-After interval.';

/** What the gate charged an admitted call: the slot to free, the rate headers to send. */
export interface ExchangeAdmission {
  kind: 'exchange';
  held: boolean;
  headers: Record<string, string>;
}

/** The budget's level now, whatever its shape. */
interface Meter {
  /** Units left (a token bucket may be below zero after refusals). */
  remaining(): number;
  /** Milliseconds until one unit is available. */
  waitMs(): number;
  /** Milliseconds until the budget is whole again: the bucket full, or the window over. */
  resetMs(): number;
  take(): void;
}

/** What the gate needs from the throttler: state, clock, and how Retry-After is spelled. */
export interface ExchangeGateDeps {
  state: SimState;
  now(): number;
  retryAfter(waitMs: number): Record<string, string>;
}

/**
 * The Exchange admin API's limits per tenant: a budget of the drawn shape (token bucket that
 * starts full, or fixed windows) and a concurrency cap. Microsoft publishes neither, so both come
 * from `hidden-budget.ts`. Refused calls are charged one unit, as Graph's are.
 */
export class ExchangeGate {
  private readonly buckets = new Map<string, Bucket>();
  private readonly windows = new Map<string, FixedWindow>();
  private inFlight = 0;

  constructor(private readonly deps: ExchangeGateDeps) {}

  /** A 429 to send instead, or the admission to keep until `release`. */
  admit(req: SimRequest): SimResponse | ExchangeAdmission {
    const { state } = this.deps;
    const budget = exchangeBudget(state.throttle);
    const meter = this.meter(budget);
    if (!state.throttle.enabled) return this.hold(budget, meter);
    const overConcurrency = this.inFlight >= budget.concurrency;
    if (!overConcurrency && meter.remaining() >= 1 - 1e-9) {
      meter.take();
      return this.hold(budget, meter);
    }
    meter.take();
    state.stats.throttled += 1;
    const oneSecond = 1_000 * state.throttle.timeScale;
    const wait = Math.max(overConcurrency ? oneSecond : 0, meter.waitMs());
    const headers = {
      ...(budget.retryAfter ? this.deps.retryAfter(wait) : {}),
      ...rateHeaders(budget, meter),
      'request-id': req.requestId,
    };
    if (overConcurrency) {
      return {
        status: 429,
        headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
        body: CONCURRENCY_TEXT,
      };
    }
    const refusal = exchangeError(req, 429, 'TooManyRequests', BUDGET_TEXT);
    return { ...refusal, headers: { ...refusal.headers, ...headers } };
  }

  release(admission: ExchangeAdmission): void {
    if (!admission.held) return;
    admission.held = false;
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  private hold(budget: SimExchangeBudget, meter: Meter): ExchangeAdmission {
    this.inFlight += 1;
    const stats = this.deps.state.stats;
    stats.maxExchangeConcurrency = Math.max(stats.maxExchangeConcurrency, this.inFlight);
    return { kind: 'exchange', held: true, headers: rateHeaders(budget, meter) };
  }

  private meter(budget: SimExchangeBudget): Meter {
    const { state } = this.deps;
    const now = this.deps.now();
    const windowMs = budget.windowSeconds * 1_000 * state.throttle.timeScale;
    const key = `exchange/${state.tenantId}`;
    if (budget.shape === 'fixed-window') {
      const w = windowFor(this.windows, key, windowMs, now);
      return {
        remaining: () => windowRemaining(w, budget.requests),
        waitMs: () => (w.count < budget.requests ? 0 : windowResetMs(w, windowMs, now)),
        resetMs: () => windowResetMs(w, windowMs, now),
        take: () => void (w.count += 1),
      };
    }
    const limit = { capacity: budget.requests, windowMs };
    const b = bucketFor(this.buckets, key, limit, now);
    return {
      remaining: () => b.tokens,
      waitMs: () => (hasTokens(b, 1) ? 0 : waitMs(b, limit, 1)),
      resetMs: () => waitMs(b, limit, limit.capacity),
      take: () => void (b.tokens -= 1),
    };
  }
}

/** `Rate-Limit-Remaining` (whole requests) and `Rate-Limit-Reset` (seconds), if the budget sends them. */
function rateHeaders(budget: SimExchangeBudget, meter: Meter): Record<string, string> {
  if (!budget.rateLimitHeaders) return {};
  return {
    'rate-limit-remaining': String(Math.max(0, Math.floor(meter.remaining() + 1e-9))),
    'rate-limit-reset': String(Math.ceil(meter.resetMs()) / 1000),
  };
}
