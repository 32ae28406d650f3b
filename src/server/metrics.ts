import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ControllerMetrics } from '../ports/metrics.js';

export type { ActionMetricOutcome, RunObservation } from '../ports/metrics.js';

/**
 * The controller's Prometheus metrics, on a registry of their own (never prom-client's global
 * one, so several controllers or tests in one process do not collide).
 */
export interface RosterMetrics extends ControllerMetrics {
  registry: Registry;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
}

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event loop lag); default true. */
  defaultMetrics?: boolean;
}

const DRIFT_ASPECTS = ['profile', 'photo', 'signature', 'warnings'] as const;

export function createMetrics(options: MetricsOptions = {}): RosterMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const runs = new Counter({
    name: 'roster_runs_total',
    help: 'Finished runs by kind (plan, apply, rollback) and outcome.',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  const runDuration = new Histogram({
    name: 'roster_run_duration_seconds',
    help: 'Duration of finished runs, seconds.',
    labelNames: ['kind'] as const,
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
    registers,
  });
  const actions = new Counter({
    name: 'roster_actions_total',
    help: 'Plan actions by kind and outcome (planned, applied, skipped-stale, failed).',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  const drift = new Gauge({
    name: 'roster_drift',
    help: 'Pending actions per aspect (profile, photo, signature) and plan warnings, as of the last plan.',
    labelNames: ['aspect'] as const,
    registers,
  });
  const apiRequests = new Counter({
    name: 'roster_api_requests_total',
    help: 'Requests to Microsoft APIs by service and HTTP status (or network-error).',
    labelNames: ['service', 'status'] as const,
    registers,
  });
  const apiDuration = new Histogram({
    name: 'roster_api_request_duration_seconds',
    help: 'Duration of requests to Microsoft APIs, seconds.',
    labelNames: ['service'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const throttled = new Counter({
    name: 'roster_api_throttled_total',
    help: '429 responses from Microsoft APIs (whole requests and $batch items).',
    labelNames: ['service'] as const,
    registers,
  });
  const retries = new Counter({
    name: 'roster_api_retries_total',
    help: 'Retries scheduled against Microsoft APIs.',
    labelNames: ['service'] as const,
    registers,
  });
  const pace = new Gauge({
    name: 'roster_api_pace',
    help: 'The pace each API budget is held to now, units per second (requests; resource units for Graph reads).',
    labelNames: ['service', 'budget'] as const,
    registers,
  });
  const concurrency = new Gauge({
    name: 'roster_api_concurrency',
    help: 'Requests each API may have in flight at once now.',
    labelNames: ['service'] as const,
    registers,
  });
  const throttleWait = new Counter({
    name: 'roster_api_throttle_wait_seconds_total',
    help: 'Time every caller of an API was held by its refusals (Retry-After or backoff), seconds.',
    labelNames: ['service'] as const,
    registers,
  });
  /** Per API, the wait already counted: limiters report a running total. */
  const waited = new Map<string, number>();
  const leader = new Gauge({
    name: 'roster_leader',
    help: '1 when this instance holds the leader lock, else 0.',
    registers,
  });
  const lastSuccess = new Gauge({
    name: 'roster_last_success_timestamp_seconds',
    help: 'Unix time the last run with outcome succeeded finished.',
    registers,
  });

  leader.set(0);
  for (const aspect of DRIFT_ASPECTS) drift.set({ aspect }, 0);

  return {
    registry,
    api: {
      request(api, _method, status, durationMs) {
        apiRequests.inc({ service: api, status: String(status) });
        apiDuration.observe({ service: api }, durationMs / 1000);
      },
      retry(api) {
        retries.inc({ service: api });
      },
      throttled(api) {
        throttled.inc({ service: api });
      },
      pacing(api, state) {
        for (const [budget, rate] of Object.entries(state.rates)) pace.set({ service: api, budget }, rate);
        concurrency.set({ service: api }, state.concurrency);
        // A new limiter (the controller reopened its runtime) starts its total again from zero.
        const before = waited.get(api) ?? 0;
        const delta = state.throttleWaitMs >= before ? state.throttleWaitMs - before : state.throttleWaitMs;
        if (delta > 0) throttleWait.inc({ service: api }, delta / 1000);
        waited.set(api, state.throttleWaitMs);
      },
    },
    recordRun(run) {
      runs.inc({ kind: run.kind, outcome: run.outcome });
      runDuration.observe({ kind: run.kind }, run.durationSeconds);
      if (run.outcome === 'succeeded') lastSuccess.set(run.finishedAt.getTime() / 1000);
    },
    recordActions(kind, outcome, count = 1) {
      if (count > 0) actions.inc({ kind, outcome }, count);
    },
    setDrift(counts) {
      for (const aspect of DRIFT_ASPECTS) drift.set({ aspect }, counts[aspect]);
    },
    setLeader(isLeader) {
      leader.set(isLeader ? 1 : 0);
    },
    async render() {
      // prom-client prints NaN as `Nan` (event-loop lag before the first sample); the exposition
      // format spells it `NaN`, and strict parsers refuse anything else.
      return (await registry.metrics()).replace(/ Nan$/gm, ' NaN');
    },
  };
}
