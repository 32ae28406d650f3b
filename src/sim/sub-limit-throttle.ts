import { exchangeError } from './exchange-cmdlets.js';
import { graphError } from './graph-errors.js';
import { DEFAULT_BUDGET_SEED, DEFAULT_SUB_LIMIT_429_RATE } from './hidden-budget.js';
import { retryAfterHeader } from './retry-after.js';
import { mulberry32 } from './seeded-random.js';
import type { SimRequest, SimResponse, SimState } from './types.js';

/** The wait a sub-limit 429 asks for, in seconds before `timeScale`: short, it is not a budget. */
export const SUB_LIMIT_RETRY_AFTER_SECONDS = 1;

/**
 * 429s below every limit, at `throttle.subLimit429Rate` of the calls that reach the throttle.
 * Microsoft says limits "vary based on the scenario" and may change
 * (https://learn.microsoft.com/graph/throttling), so a client must never read a lone 429 as its
 * budget. The draws come from a PRNG seeded by the budget seed, so a run is reproducible; a new
 * seed (through the control plane) restarts the sequence. Refused calls are not charged.
 */
export class SubLimitThrottle {
  private seed: number | undefined;
  private random: () => number = Math.random;

  constructor(private readonly state: SimState) {}

  /** A 429 to send instead of running the call, or undefined (most calls). */
  admit(req: SimRequest, service: 'graph' | 'exchange'): SimResponse | undefined {
    const t = this.state.throttle;
    if (!t.enabled) return undefined;
    const rate = t.subLimit429Rate ?? DEFAULT_SUB_LIMIT_429_RATE;
    if (!(rate > 0)) return undefined;
    const seed = t.budgetSeed ?? DEFAULT_BUDGET_SEED;
    if (seed !== this.seed) {
      this.seed = seed;
      this.random = mulberry32(seed ^ 0x5ab1_1429);
    }
    if (this.random() >= rate) return undefined;
    this.state.stats.throttled += 1;
    this.state.stats.subLimitThrottled += 1;
    // Always a Retry-After; only its spelling (whole or fractional seconds) varies.
    const headers = retryAfterHeader(
      SUB_LIMIT_RETRY_AFTER_SECONDS * t.timeScale,
      t.timeScale,
      this.random(),
      {
        ...t,
        missingRetryAfterShare: 0,
      },
    );
    if (service === 'graph') {
      return graphError(req, 429, 'TooManyRequests', 'Please retry again later.', headers);
    }
    const refusal = exchangeError(
      req,
      429,
      'TooManyRequests',
      'The server is busy. Retry after the Retry-After interval.',
    );
    return { ...refusal, headers: { ...refusal.headers, ...headers } };
  }
}
