import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

/** The Prometheus text exposition format, line by line. */
const HELP_OR_TYPE = /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/;
const SAMPLE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? -?(?:[0-9.e+-]+|NaN|\+Inf|-Inf)( -?\d+)?$/;

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics', () => {
  it('renders valid Prometheus text with every Roster metric and the process metrics', async () => {
    const metrics = createMetrics();
    metrics.recordRun({
      kind: 'apply',
      outcome: 'succeeded',
      durationSeconds: 42,
      finishedAt: new Date(1_700_000_000_000),
    });
    metrics.recordRun({
      kind: 'plan',
      outcome: 'failed',
      durationSeconds: 3,
      finishedAt: new Date(1_800_000_000_000),
    });
    metrics.recordActions('set-photo', 'applied', 3);
    metrics.recordActions('update-profile', 'failed');
    metrics.setDrift({ profile: 4, photo: 1, signature: 0, warnings: 2 });
    metrics.setLeader(true);
    metrics.api.request('graph', 'PATCH', 204, 120);
    metrics.api.request('graph', 'GET', 429, 10);
    metrics.api.request('exchange', 'POST', 'network-error', 5);
    metrics.api.throttled('graph');
    metrics.api.retry('graph', '429');
    metrics.api.retry('graph', '503');
    const state = { rates: { requests: 5.5 }, concurrency: 3, throttled: 2, throttleWaitMs: 1_500 };
    metrics.api.pacing!('exchange', state);
    metrics.api.pacing!('exchange', { ...state, rates: { requests: 6.25 }, throttleWaitMs: 2_000 });
    // The controller reopened its runtime: a new limiter counts from zero again.
    metrics.api.pacing!('exchange', { ...state, throttleWaitMs: 250 });
    metrics.api.pacing!('graph', {
      rates: { units: 700, writes: 19 },
      concurrency: 8,
      throttled: 0,
      throttleWaitMs: 0,
    });

    const text = await metrics.render();
    const bad = text.split('\n').filter((l) => l !== '' && !HELP_OR_TYPE.test(l) && !SAMPLE.test(l));
    expect(bad).toEqual([]);

    expect(sample(text, 'roster_runs_total{kind="apply",outcome="succeeded"}')).toBe(1);
    expect(sample(text, 'roster_runs_total{kind="plan",outcome="failed"}')).toBe(1);
    expect(sample(text, 'roster_run_duration_seconds_sum{kind="apply"}')).toBe(42);
    expect(sample(text, 'roster_run_duration_seconds_bucket{le="60",kind="apply"}')).toBe(1);
    expect(sample(text, 'roster_actions_total{kind="set-photo",outcome="applied"}')).toBe(3);
    expect(sample(text, 'roster_actions_total{kind="update-profile",outcome="failed"}')).toBe(1);
    expect(sample(text, 'roster_drift{aspect="profile"}')).toBe(4);
    expect(sample(text, 'roster_drift{aspect="warnings"}')).toBe(2);
    expect(sample(text, 'roster_api_requests_total{service="graph",status="204"}')).toBe(1);
    expect(sample(text, 'roster_api_requests_total{service="exchange",status="network-error"}')).toBe(1);
    expect(sample(text, 'roster_api_throttled_total{service="graph"}')).toBe(1);
    expect(sample(text, 'roster_api_retries_total{service="graph"}')).toBe(2);
    expect(sample(text, 'roster_api_pace{service="exchange",budget="requests"}')).toBe(5.5);
    expect(sample(text, 'roster_api_pace{service="graph",budget="writes"}')).toBe(19);
    expect(sample(text, 'roster_api_concurrency{service="graph"}')).toBe(8);
    expect(sample(text, 'roster_api_throttle_wait_seconds_total{service="exchange"}')).toBe(2.25);
    expect(sample(text, 'roster_leader')).toBe(1);
    // Only a succeeded run moves the last-success timestamp.
    expect(sample(text, 'roster_last_success_timestamp_seconds')).toBe(1_700_000_000);
    expect(text).toMatch(/^# TYPE process_cpu_user_seconds_total counter$/m);
    expect(text).toMatch(/^# TYPE roster_run_duration_seconds histogram$/m);

    const json = await metrics.registry.getMetricsAsJSON();
    expect(json.map((m) => m.name)).toContain('roster_api_request_duration_seconds');
  });

  it('keeps registries apart and starts gauges at zero', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.setLeader(true);
    a.setLeader(false);
    b.setLeader(true);
    expect(sample(await a.render(), 'roster_leader')).toBe(0);
    expect(sample(await b.render(), 'roster_leader')).toBe(1);
    expect(sample(await a.render(), 'roster_drift{aspect="photo"}')).toBe(0);
    expect(await a.render()).not.toContain('process_cpu');
  });
});
