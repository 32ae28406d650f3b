import { describe, expect, it } from 'vitest';
import { FaultInjector, type FaultDecision } from './faults.js';
import type { SimFaultSettings, SimRequest, SimService, SimState } from './types.js';

function makeState(faults: Partial<SimFaultSettings> = {}, timeScale = 1): SimState {
  return {
    throttle: {
      enabled: true,
      timeScale,
      writesPer150s: 3000,
      photoConcurrencyPerMailbox: 4,
      photoRequestsPer10min: 10_000,
      exchangeRequestsPerMinute: 300,
      exchangeConcurrency: 3,
      fractionalRetryAfterShare: 0.25,
      missingRetryAfterShare: 0.25,
    },
    faults: {
      seed: 42,
      latencyMs: 0,
      jitterMs: 0,
      spikeRate: 0,
      spikeMs: 0,
      rate429: 0,
      rate503: 0,
      rate500: 0,
      rate504: 0,
      dropRate: 0,
      services: ['graph', 'exchange'],
      ...faults,
    },
  } as SimState;
}

function request(path = '/v1.0/users'): SimRequest {
  const url = new URL(`https://127.0.0.1:4443${path}`);
  return { method: 'GET', url, path, headers: {}, body: Buffer.alloc(0), requestId: 'req-1' };
}

function decisions(injector: FaultInjector, n: number, service: SimService = 'graph'): FaultDecision[] {
  return Array.from({ length: n }, () => injector.decide(service)!);
}

const chaos: Partial<SimFaultSettings> = {
  latencyMs: 20,
  jitterMs: 10,
  spikeRate: 0.1,
  spikeMs: 500,
  rate429: 0.05,
  rate503: 0.03,
  rate500: 0.02,
  rate504: 0.01,
  dropRate: 0.01,
};

describe('FaultInjector', () => {
  it('is reproducible: same seed and sequence → same faults; another seed differs', () => {
    const a = decisions(new FaultInjector(makeState(chaos)), 500);
    const b = decisions(new FaultInjector(makeState(chaos)), 500);
    const c = decisions(new FaultInjector(makeState({ ...chaos, seed: 43 })), 500);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('restarts the sequence when the seed is changed at runtime', () => {
    const state = makeState(chaos);
    const injector = new FaultInjector(state);
    const first = decisions(injector, 50);
    state.faults.seed = 9;
    decisions(injector, 10);
    state.faults.seed = 42;
    expect(decisions(injector, 50)).toEqual(first);
  });

  it('keeps rates and latencies within tolerance over 10,000 draws', () => {
    const n = 10_000;
    const drawn = decisions(new FaultInjector(makeState(chaos)), n);
    const share = (pred: (d: FaultDecision) => boolean) => drawn.filter(pred).length / n;
    // 4 standard deviations of a binomial share: fails by chance about once in 16,000 seeds.
    const within = (observed: number, p: number) =>
      expect(Math.abs(observed - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    within(
      share((d) => d.fault === '429'),
      0.05,
    );
    within(
      share((d) => d.fault === '503'),
      0.03,
    );
    within(
      share((d) => d.fault === '500'),
      0.02,
    );
    within(
      share((d) => d.fault === '504'),
      0.01,
    );
    within(
      share((d) => d.fault === 'drop'),
      0.01,
    );
    within(
      share((d) => d.fault === 'none'),
      0.88,
    );
    within(
      share((d) => d.spike),
      0.1,
    );
    const bases = drawn.map((d) => d.delayMs - (d.spike ? 500 : 0));
    expect(Math.min(...bases)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...bases)).toBeLessThan(30);
    const meanJitter = drawn.reduce((sum, d) => sum + d.delayMs - (d.spike ? 500 : 0) - 20, 0) / n;
    expect(meanJitter).toBeCloseTo(5, 0);
  });

  it('faults only the listed services and never the inspection API', async () => {
    const injector = new FaultInjector(makeState({ rate500: 1, services: ['exchange'] }));
    expect(injector.decide('graph')).toBeUndefined();
    expect(injector.decide('identity')).toBeUndefined();
    expect(injector.decide('inspect')).toBeUndefined();
    expect(await injector.before(request(), 'graph')).toBeUndefined();
    expect(await injector.before(request('/_sim/stats'), 'exchange')).toBeUndefined();
    expect((await injector.before(request('/adminapi/beta/t/InvokeCommand'), 'exchange'))?.status).toBe(500);
  });

  it('waits the decided latency before answering', async () => {
    const slept: number[] = [];
    const injector = new FaultInjector(makeState({ latencyMs: 15, jitterMs: 0 }), undefined, async (ms) => {
      slept.push(ms);
    });
    expect(await injector.before(request(), 'graph')).toBeUndefined();
    expect(slept).toEqual([15]);
  });

  it('answers with Graph error bodies and Retry-After spelt per the throttle shares', async () => {
    const injector = new FaultInjector(makeState({ rate429: 1, retryAfterSeconds: 0.7 }));
    const seen = new Set<string | undefined>();
    for (let i = 0; i < 200; i++) {
      const res = await injector.before(request(), 'graph');
      expect(res?.status).toBe(429);
      expect(res?.body).toMatchObject({
        error: { code: 'TooManyRequests', message: 'Please retry again later.' },
      });
      seen.add(res?.headers?.['retry-after']);
    }
    // Whole seconds (rounded up), fractional, or absent, a quarter each of the latter two.
    expect([...seen].sort()).toEqual(['0.7', '1', undefined]);
    expect(injector.counts['429']).toBe(200);
  });

  it('gives 503 a Retry-After always, 500, 502 and 504 Graph codes, and drops as drop', async () => {
    const run = async (over: Partial<SimFaultSettings>, service: SimService = 'graph') =>
      new FaultInjector(makeState({ ...over, services: ['graph', 'identity'] })).before(request(), service);
    const unavailable = await Promise.all(Array.from({ length: 20 }, (_, i) => run({ rate503: 1, seed: i })));
    expect(unavailable.every((r) => r?.status === 503 && r.headers?.['retry-after'] !== undefined)).toBe(
      true,
    );
    expect((await run({ rate500: 1 }))?.body).toMatchObject({ error: { code: 'generalException' } });
    expect((await run({ rate504: 1 }))?.body).toMatchObject({ error: { code: 'GatewayTimeout' } });
    expect(await run({ rate502: 1 })).toMatchObject({ status: 502, body: { error: { code: 'BadGateway' } } });
    expect(await run({ dropRate: 1 })).toMatchObject({ drop: true });
    const token = await run({ rate503: 1 }, 'identity');
    expect(token?.body).toMatchObject({ error: 'temporarily_unavailable', error_codes: [90033] });
  });

  it('reports a token outage until the configured time', () => {
    const injector = new FaultInjector(makeState({ tokenOutageUntil: 5_000 }));
    expect([injector.tokenOutage(4_999), injector.tokenOutage(5_000)]).toEqual([true, false]);
    expect(new FaultInjector(makeState()).tokenOutage(0)).toBe(false);
  });
});
