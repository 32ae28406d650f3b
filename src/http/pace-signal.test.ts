import { describe, expect, it } from 'vitest';
import { headerGetter, paceSignalOf } from './pace-signal.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const lanes = { units: 'units', writes: 'writes' };

describe('paceSignalOf', () => {
  it.each([
    [
      'a success, with the usage warning and rate hints',
      200,
      { 'x-ms-throttle-limit-percentage': '0.85', 'rate-limit-remaining': '12', 'rate-limit-reset': '4.5' },
      {},
      { kind: 'admitted', usage: 0.85, hint: { remaining: 12, resetMs: 4_500 } },
    ],
    ['an error status still counted against the budget', 404, {}, {}, { kind: 'admitted' }],
    ['half a hint is no hint', 200, { 'rate-limit-remaining': '12' }, {}, { kind: 'admitted' }],
    [
      'a 429 with a fractional Retry-After',
      429,
      { 'retry-after': '0.25' },
      {},
      { kind: 'refused', retryAfterMs: 250 },
    ],
    ['a 503 without one', 503, {}, {}, { kind: 'refused' }],
    [
      'Graph names the write budget',
      429,
      { 'x-ms-throttle-information': 'WriteLimitExceeded' },
      { lanes },
      { kind: 'refused', lane: 'writes' },
    ],
    [
      '…or the resource units in the scope',
      429,
      { 'x-ms-throttle-scope': 'Tenant_Application/ReadWrite/a/t' },
      { lanes, isWrite: true },
      { kind: 'refused', lane: 'units' },
    ],
    [
      'unnamed: a write goes to the write budget',
      429,
      {},
      { lanes, isWrite: true },
      { kind: 'refused', lane: 'writes' },
    ],
    [
      "Exchange's plain-text concurrency refusal",
      429,
      { 'retry-after': '1' },
      { text: 'You have reached the maximum number of concurrent requests per tenant' },
      { kind: 'concurrency', retryAfterMs: 1_000 },
    ],
    [
      "Outlook's per-mailbox limit",
      429,
      { 'x-ms-throttle-information': 'MailboxConcurrency' },
      {},
      { kind: 'key-refused' },
    ],
  ] as const)('%s', (_name, status, headers, options, expected) => {
    expect(paceSignalOf(status, headerGetter({ ...headers }), NOW, options)).toEqual(expected);
  });

  it('reads fetch Headers and $batch item headers alike, case-insensitively', () => {
    const fetched = headerGetter(new Headers({ 'Retry-After': '2' }));
    const item = headerGetter({ 'Retry-After': '2' });
    expect(paceSignalOf(429, fetched, NOW)).toEqual(paceSignalOf(429, item, NOW));
  });
});
