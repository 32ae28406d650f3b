import type { RateLimitSettings } from '../config/settings.js';
import type { LearnedPace } from '../ports/pacing-store.js';
import type { ApiName } from './api-metrics.js';
import type { Clock } from './clock.js';
import { startingPace, type CautiousPace } from './learned-pacing.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';

/**
 * Budget names the adapters charge. Graph identity reads and writes share a resource-unit budget
 * and writes also draw on their own (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits).
 */
export const GRAPH_UNITS = 'units';
export const GRAPH_WRITES = 'writes';
export const REQUESTS = 'requests';

export const API_NAMES: readonly ApiName[] = ['graph', 'graph-photos', 'exchange'];

/**
 * Where a fresh database starts (units per second). Graph identity: half the smallest budget
 * Microsoft documents (3,500 resource units per 10 s, 3,000 writes per 150 s), so a `$batch` of
 * 20 writes is paced over two seconds, not ten. Photos: Outlook's limits are per mailbox and
 * none is shared, so a modest 20 a second. Exchange publishes no limits: one request a second.
 * Slow start finds the real pace within seconds from any of them.
 */
export const CAUTIOUS_PACE: Record<ApiName, CautiousPace> = {
  graph: { lanes: { [GRAPH_UNITS]: 175, [GRAPH_WRITES]: 10 }, concurrency: 2 },
  'graph-photos': { lanes: { [REQUESTS]: 20 }, concurrency: 2 },
  exchange: { lanes: { [REQUESTS]: 1 }, concurrency: 2 },
};

/** Concurrency never grows past this when no ceiling is set: a bound on memory and sockets. */
export const MAX_CONCURRENCY: Record<ApiName, number> = { graph: 16, 'graph-photos': 16, exchange: 8 };

/** One limiter per API, shared by every caller of that API in the process. */
export type ApiLimiters = Record<ApiName, RateLimiter>;

/** The set ceilings of each API's budgets, in units per second. */
function ceilings(limits: RateLimitSettings): Record<ApiName, Record<string, number | undefined>> {
  const per = (value: number | undefined, seconds: number) =>
    value === undefined ? undefined : value / seconds;
  return {
    graph: {
      [GRAPH_UNITS]: per(limits.graphReadsPer10s, 10),
      [GRAPH_WRITES]: per(limits.graphWritesPer150s, 150),
    },
    'graph-photos': { [REQUESTS]: undefined },
    exchange: { [REQUESTS]: per(limits.exchangeRequestsPerMinute, 60) },
  };
}

/**
 * The limiters, each starting from what was learned before (aged, see `startingPace`) or from
 * the cautious default, under the ceilings set in `rateLimits` (none by default).
 */
export function createApiLimiters(
  limits: RateLimitSettings,
  clock: Clock,
  learned: readonly LearnedPace[] = [],
): ApiLimiters {
  const now = new Date(clock.now());
  const caps = ceilings(limits);
  const build = (
    api: ApiName,
    extra: { perKeyConcurrency?: number; perKeyRate?: number },
    maxConcurrency?: number,
  ) => {
    const start = startingPace(
      CAUTIOUS_PACE[api],
      learned.find((l) => l.api === api),
      now,
    );
    const lanes = Object.fromEntries(
      Object.entries(start.lanes).map(([name, spec]) => {
        const ceiling = caps[api][name];
        // Never below half the cautious start: no real budget is that small, and refusals that
        // come whatever the pace must not drive the pace to nothing.
        const floor = CAUTIOUS_PACE[api].lanes[name]! / 2;
        return [name, { ...spec, floor, ...(ceiling === undefined ? {} : { ceiling }) }];
      }),
    );
    return createRateLimiter({
      name: api,
      clock,
      lanes,
      concurrency: { ...start.concurrency, max: maxConcurrency ?? MAX_CONCURRENCY[api] },
      ...extra,
    });
  };
  return {
    graph: build('graph', {}, limits.graphConcurrency),
    // Outlook's limits are per app and mailbox: per key here; the shared limiter only adapts.
    'graph-photos': build(
      'graph-photos',
      {
        perKeyConcurrency: limits.photoConcurrencyPerMailbox,
        ...(limits.photoRequestsPer10min !== undefined
          ? { perKeyRate: limits.photoRequestsPer10min / 600 }
          : {}),
      },
      limits.graphConcurrency,
    ),
    // One call per mailbox at a time: two Set- calls on one mailbox would race.
    exchange: build('exchange', { perKeyConcurrency: 1 }, limits.exchangeConcurrency),
  };
}

/** What each limiter learned, ready to save (APIs that saw too little traffic are left out). */
export function learnedPaces(limiters: ApiLimiters, at: Date): LearnedPace[] {
  const out: LearnedPace[] = [];
  for (const api of API_NAMES) {
    const learned = limiters[api].learned();
    if (learned) out.push({ api, ...learned, learnedAt: at });
  }
  return out;
}
