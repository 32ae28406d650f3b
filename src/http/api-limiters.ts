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

/** One limiter per API, built from the settings; shared by every caller of that API in the process. */
export type ApiLimiters = Record<ApiName, RateLimiter>;

export function createApiLimiters(limits: RateLimitSettings, clock: Clock): ApiLimiters {
  return {
    graph: createRateLimiter({
      name: 'graph',
      clock,
      buckets: {
        [GRAPH_UNITS]: { capacity: limits.graphReadsPer10s, windowMs: 10_000 },
        [GRAPH_WRITES]: { capacity: limits.graphWritesPer150s, windowMs: 150_000 },
      },
      concurrency: limits.graphConcurrency,
    }),
    // Outlook's photo limits are per app and mailbox; pacing them tenant-wide is stricter, hence safe.
    'graph-photos': createRateLimiter({
      name: 'graph-photos',
      clock,
      buckets: { [REQUESTS]: { capacity: limits.photoRequestsPer10min, windowMs: 600_000 } },
      concurrency: limits.graphConcurrency,
      perKeyConcurrency: limits.photoConcurrencyPerMailbox,
    }),
    // Exchange publishes no limits: a per-minute budget, low concurrency, one call per mailbox at a time.
    exchange: createRateLimiter({
      name: 'exchange',
      clock,
      buckets: { [REQUESTS]: { capacity: limits.exchangeRequestsPerMinute, windowMs: 60_000 } },
      concurrency: limits.exchangeConcurrency,
      perKeyConcurrency: 1,
    }),
  };
}
