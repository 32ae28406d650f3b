import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import {
  backoffMs,
  isTransientNetworkError,
  parseRetryAfter,
  retryDecisionForStatus,
  withRetry,
  type RetryEvent,
  type RetryPolicy,
} from './retry-policy.js';

const policy: RetryPolicy = { maxRetries: 3, baseDelayMs: 500, maxBackoffMs: 4_000, maxRetryAfterMs: 60_000 };
const now = Date.parse('2025-03-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['7', 7_000],
    ['0', 0],
    [' 2 ', 2_000],
    ['0.25', 250],
    ['1.0001', 1_001],
    ['Sat, 01 Mar 2025 12:00:30 GMT', 30_000],
    ['Sat, 01 Mar 2025 11:59:00 GMT', 0],
  ])('reads %j as %i ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });

  it.each([[null], [undefined], [''], ['-3'], ['soon'], ['1e3'], ['12:00']])('ignores %j', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('doubles the ceiling per retry, with full jitter, up to the cap', () => {
    expect([0, 1, 2, 3, 4, 10, 100].map((a) => backoffMs(a, policy, () => 0.999999))).toEqual([
      499, 999, 1999, 3999, 3999, 3999, 3999,
    ]);
    expect(backoffMs(3, policy, () => 0)).toBe(0);
    expect(backoffMs(2, policy, () => 0.5)).toBe(1000);
  });
});

describe('retryDecisionForStatus', () => {
  it('retries 429 and 503 always, 504, 408, 500 and 502 only when idempotent, nothing else', () => {
    expect(retryDecisionForStatus(429, '1.5', now, false)).toEqual({
      reason: 'throttled',
      status: 429,
      retryAfterMs: 1500,
    });
    expect(retryDecisionForStatus(503, null, now, false)).toEqual({ reason: 'unavailable', status: 503 });
    expect(retryDecisionForStatus(504, null, now, true)).toEqual({ reason: 'gateway-timeout', status: 504 });
    expect(retryDecisionForStatus(408, null, now, true)).toEqual({ reason: 'request-timeout', status: 408 });
    expect(retryDecisionForStatus(500, null, now, true)).toEqual({ reason: 'server-error', status: 500 });
    expect(retryDecisionForStatus(502, '2', now, true)).toEqual({
      reason: 'server-error',
      status: 502,
      retryAfterMs: 2000,
    });
    for (const s of [504, 408, 500, 502]) expect(retryDecisionForStatus(s, null, now, false)).toBeUndefined();
    for (const s of [200, 204, 400, 401, 404, 409, 501])
      expect(retryDecisionForStatus(s, '1', now, true)).toBeUndefined();
  });
});

describe('isTransientNetworkError', () => {
  it('finds dropped connections and timeouts in the cause chain', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(isTransientNetworkError(new TypeError('fetch failed', { cause: reset }))).toBe(true);
    expect(isTransientNetworkError(new Error('socket hang up'))).toBe(true);
    expect(isTransientNetworkError(new DOMException('timed out', 'TimeoutError'))).toBe(true);
    expect(isTransientNetworkError(new Error('boom'))).toBe(false);
    expect(isTransientNetworkError('ECONNRESET')).toBe(false);
  });
});

describe('withRetry', () => {
  const classify = (status: number) => retryDecisionForStatus(status, null, now, true);

  it('honours Retry-After, falls back to jittered backoff, and reports retries and throttling', async () => {
    const clock = new FakeClock(now);
    const answers = [
      { status: 429, retryAfter: '2.5' },
      { status: 503, retryAfter: null },
      { status: 200, retryAfter: null },
    ];
    const startedAt: number[] = [];
    const events: RetryEvent[] = [];
    const throttles: RetryEvent[] = [];
    const done = withRetry(
      async (n) => {
        startedAt.push(clock.now() - now);
        return answers[n]!;
      },
      policy,
      {
        clock,
        random: () => 0.5,
        idempotent: true,
        classify: (a) => retryDecisionForStatus(a.status, a.retryAfter, clock.now(), true),
        onRetry: (e) => events.push(e),
        onThrottled: (e) => throttles.push(e),
      },
    );
    await clock.advance(10_000);
    await expect(done).resolves.toEqual({ value: answers[2], retries: 2 });
    // 2.5 s as asked, then backoff attempt 1: 0.5 × min(4000, 1000) = 500 ms.
    expect(startedAt).toEqual([0, 2_500, 3_000]);
    expect(events).toEqual([
      { retry: 1, reason: 'throttled', delayMs: 2_500, status: 429, retryAfterMs: 2_500 },
      { retry: 2, reason: 'unavailable', delayMs: 500, status: 503 },
    ]);
    expect(throttles).toHaveLength(1);
  });

  it('returns the last retryable result once retries run out', async () => {
    const clock = new FakeClock(now);
    let calls = 0;
    const done = withRetry(async () => (calls++, 503), policy, {
      clock,
      random: () => 1,
      idempotent: true,
      classify,
    });
    await clock.advance(60_000);
    await expect(done).resolves.toEqual({ value: 503, retries: 3 });
    expect(calls).toBe(4);
  });

  it('gives up at once when the server asks for a wait longer than allowed', async () => {
    const clock = new FakeClock(now);
    const result = await withRetry(async () => 429, policy, {
      clock,
      random: () => 1,
      idempotent: true,
      classify: (s) => retryDecisionForStatus(s, '3600', now, true),
    });
    expect(result).toEqual({ value: 429, retries: 0 });
  });

  it('retries network errors only for idempotent requests, and rethrows the last', async () => {
    const clock = new FakeClock(now);
    const drop = () =>
      Promise.reject(new TypeError('fetch failed', { cause: new Error('other side closed') }));
    await expect(
      withRetry(drop, policy, { clock, random: () => 0, idempotent: false, classify }),
    ).rejects.toThrow('fetch failed');
    let calls = 0;
    const done = withRetry(
      async () => {
        calls++;
        return drop();
      },
      policy,
      { clock, random: () => 0, idempotent: true, classify },
    );
    const assertion = expect(done).rejects.toThrow('fetch failed');
    await clock.advance(1_000);
    await assertion;
    expect(calls).toBe(4);
  });

  it('does not retry other errors', async () => {
    const clock = new FakeClock(now);
    let calls = 0;
    const fail = async () => {
      calls++;
      throw new Error('bug');
    };
    await expect(
      withRetry(fail, policy, { clock, random: () => 0, idempotent: true, classify }),
    ).rejects.toThrow('bug');
    expect(calls).toBe(1);
  });

  it('stops waiting when the caller aborts', async () => {
    const clock = new FakeClock(now);
    const controller = new AbortController();
    const done = withRetry(async () => 503, policy, {
      clock,
      random: () => 1,
      idempotent: true,
      classify,
      signal: controller.signal,
    });
    await clock.advance(1);
    controller.abort(new Error('shutting down'));
    await expect(done).rejects.toThrow('shutting down');
  });
});
