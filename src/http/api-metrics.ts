/** The APIs Roster budgets separately (each has its own limiter and its own published limits). */
export type ApiName = 'graph' | 'graph-photos' | 'exchange';

/**
 * Counters of remote calls. The HTTP client and the batch runner feed them; the controller
 * exports them to Prometheus (prom-client) — this interface keeps the shell free of that choice.
 */
export interface ApiMetrics {
  /** One attempt finished: `status` is the HTTP status, or `'network-error'`. */
  request(api: ApiName, method: string, status: number | 'network-error', durationMs: number): void;
  /** A retry was scheduled (whole requests and `$batch` items alike). */
  retry(api: ApiName, reason: string): void;
  /** A 429 was received (whole requests and `$batch` items alike). */
  throttled(api: ApiName): void;
  /** The limiter's live state after an attempt (`docs/pacing.md`). */
  pacing?(api: ApiName, state: PacingState): void;
}

/** An API's pacing as the metrics (and a progress display) show it. */
export interface PacingState {
  /** The current pace of each budget, units per second. */
  rates: Record<string, number>;
  concurrency: number;
  /** Refusals the limiter heard of (429/503, concurrency, per mailbox). */
  throttled: number;
  /** Time every caller was held by refusals, milliseconds since the limiter was made. */
  throttleWaitMs: number;
}

/** A plain copy of the counters: keys are `api method status` for requests, `api reason` for retries. */
export interface ApiMetricsSnapshot {
  requests: Record<string, number>;
  retries: Record<string, number>;
  throttled: Record<string, number>;
  /** Sum of attempt durations per API, milliseconds. */
  durationMs: Record<string, number>;
  /** The latest pacing state per API (absent in snapshots made before any request). */
  pacing?: Partial<Record<ApiName, PacingState>>;
}

export interface InMemoryApiMetrics extends ApiMetrics {
  snapshot(): ApiMetricsSnapshot;
}

export function createInMemoryApiMetrics(): InMemoryApiMetrics {
  const requests = new Map<string, number>();
  const retries = new Map<string, number>();
  const throttled = new Map<string, number>();
  const durations = new Map<string, number>();
  const pacing: Partial<Record<ApiName, PacingState>> = {};
  const add = (m: Map<string, number>, key: string, n = 1) => m.set(key, (m.get(key) ?? 0) + n);
  return {
    request(api, method, status, durationMs) {
      add(requests, `${api} ${method} ${status}`);
      add(durations, api, durationMs);
    },
    retry(api, reason) {
      add(retries, `${api} ${reason}`);
    },
    throttled(api) {
      add(throttled, api);
    },
    pacing(api, state) {
      pacing[api] = state;
    },
    snapshot() {
      return {
        requests: Object.fromEntries(requests),
        retries: Object.fromEntries(retries),
        throttled: Object.fromEntries(throttled),
        durationMs: Object.fromEntries(durations),
        pacing: structuredClone(pacing),
      };
    },
  };
}
