import type { RateLimitSettings } from '../config/settings.js';
import type { ApiName } from './api-metrics.js';
import type { Clock } from './clock.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';

/**
 * Budget names the adapters charge. Graph identity reads and writes share a resource-unit bucket
 * and writes also draw on their own (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits).
 */
export const GRAPH_UNITS = 'units';
export const GRAPH_WRITES = 'writes';
export const REQUESTS = 'requests';

/**
 * Share of each budget held back from the first burst (`BucketSpec.reserve`): enough to absorb
 * seconds of arrival jitter against Microsoft's windows, and a negligible cost in throughput.
 */
export const BUDGET_RESERVE = 0.05;

function bucket(capacity: number, windowMs: number) {
  return { capacity, windowMs, reserve: Math.floor(capacity * BUDGET_RESERVE) };
}

/** One limiter per API, built from the settings; shared by every caller of that API in the process. */
export type ApiLimiters = Record<ApiName, RateLimiter>;

export function createApiLimiters(limits: RateLimitSettings, clock: Clock): ApiLimiters {
  return {
    graph: createRateLimiter({
      name: 'graph',
      clock,
      buckets: {
        [GRAPH_UNITS]: bucket(limits.graphReadsPer10s, 10_000),
        [GRAPH_WRITES]: bucket(limits.graphWritesPer150s, 150_000),
      },
      concurrency: limits.graphConcurrency,
    }),
    // Outlook's photo limits are per app and mailbox; pacing them tenant-wide is stricter, hence safe.
    'graph-photos': createRateLimiter({
      name: 'graph-photos',
      clock,
      buckets: { [REQUESTS]: bucket(limits.photoRequestsPer10min, 600_000) },
      concurrency: limits.graphConcurrency,
      perKeyConcurrency: limits.photoConcurrencyPerMailbox,
    }),
    // Exchange publishes no limits: a per-minute budget, low concurrency, one call per mailbox at a time.
    exchange: createRateLimiter({
      name: 'exchange',
      clock,
      buckets: { [REQUESTS]: bucket(limits.exchangeRequestsPerMinute, 60_000) },
      concurrency: limits.exchangeConcurrency,
      perKeyConcurrency: 1,
    }),
  };
}
