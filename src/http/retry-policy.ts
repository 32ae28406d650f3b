import type { RateLimitSettings } from '../config/settings.js';
import type { Clock } from './clock.js';

/**
 * The one retry policy every Microsoft call goes through (Graph, Graph `$batch` items, Exchange).
 * https://learn.microsoft.com/graph/throttling#best-practices-to-handle-throttling
 */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Ceiling of the first computed backoff; doubles per retry. */
  baseDelayMs: number;
  /** Cap of a computed backoff (not of a server's Retry-After). */
  maxBackoffMs: number;
  /** A server asking for a longer wait than this is not retried: the call fails instead. */
  maxRetryAfterMs: number;
}

export function retryPolicyFrom(limits: Pick<RateLimitSettings, 'maxRetries' | 'maxBackoffMs'>): RetryPolicy {
  return {
    maxRetries: limits.maxRetries,
    baseDelayMs: 500,
    maxBackoffMs: limits.maxBackoffMs,
    maxRetryAfterMs: Math.max(limits.maxBackoffMs, 300_000),
  };
}

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds (Graph sends fractional ones too) or an
 * HTTP date. Undefined when absent or unreadable, so the caller falls back to backoff.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  // Only something that looks like a date: `Date.parse('12')` would happily return the year 2001.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base·2^attempt)]. `attempt` is 0 for the first retry. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

export type RetryReason =
  'throttled' | 'unavailable' | 'gateway-timeout' | 'request-timeout' | 'server-error' | 'network';

/** Why a result (or error) is worth another attempt, and how long the server asked us to wait. */
export interface RetryDecision {
  reason: RetryReason;
  retryAfterMs?: number;
  status?: number;
}

/**
 * The statuses worth retrying. 429 and 503 mean "not processed"; 504 and 408 may hide a processed
 * write, and so may 500 and 502 (transient server and gateway errors: Microsoft's own fault
 * simulator injects them, production clients retry them; docs/microsoft-365.md#graph-transient-errors):
 * those four only for a request that may safely run twice (a read, an absolute PATCH or PUT, a
 * Get- or Set- cmdlet of absolute values).
 */
export function retryDecisionForStatus(
  status: number,
  retryAfter: string | null | undefined,
  now: number,
  idempotent: boolean,
): RetryDecision | undefined {
  const retryAfterMs = parseRetryAfter(retryAfter, now);
  const base = retryAfterMs === undefined ? { status } : { status, retryAfterMs };
  if (status === 429) return { reason: 'throttled', ...base };
  if (status === 503) return { reason: 'unavailable', ...base };
  if (!idempotent) return undefined;
  if (status === 504) return { reason: 'gateway-timeout', ...base };
  if (status === 408) return { reason: 'request-timeout', ...base };
  if (status === 500 || status === 502) return { reason: 'server-error', ...base };
  return undefined;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** A dropped connection or a per-attempt timeout, anywhere in the `cause` chain (undici nests them). */
export function isTransientNetworkError(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (e.name === 'TimeoutError') return true;
    if (/socket hang up|other side closed|^terminated$|fetch failed/i.test(e.message)) return true;
  }
  return false;
}

/** What a retry loop reports; the HTTP client turns these into metrics and limiter pauses. */
export interface RetryEvent {
  /** 1 for the first retry. */
  retry: number;
  reason: RetryReason;
  delayMs: number;
  status?: number;
  retryAfterMs?: number;
}

/** How one call is retried: what counts as retryable, plus metrics hooks. */
export interface RetryHooks<T> {
  clock: Clock;
  random: () => number;
  /**
   * Whether a failed network attempt may be repeated. Roster's PATCHes and Set- cmdlets set
   * absolute values, so repeating one that was applied changes nothing: they are idempotent here.
   */
  idempotent: boolean;
  /** Inspects a result; undefined = final. */
  classify(result: T): RetryDecision | undefined;
  signal?: AbortSignal;
  onRetry?(event: RetryEvent): void;
  /** A 429: the server is throttling us (called before the wait, with the wait chosen). */
  onThrottled?(event: RetryEvent): void;
}

/**
 * Runs `fn` until it returns a final result, a retryable result runs out of retries (that
 * result is returned), or it throws something not retryable (rethrown).
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks<T>,
): Promise<{ value: T; retries: number }> {
  for (let attempt = 0; ; attempt++) {
    let decision: RetryDecision | undefined;
    let value: T | undefined;
    try {
      value = await fn(attempt);
      decision = hooks.classify(value);
      if (!decision) return { value, retries: attempt };
    } catch (err) {
      const retryable = hooks.idempotent && !hooks.signal?.aborted && isTransientNetworkError(err);
      if (!retryable || attempt >= policy.maxRetries) throw err;
      decision = { reason: 'network' };
    }
    const tooLong = decision.retryAfterMs !== undefined && decision.retryAfterMs > policy.maxRetryAfterMs;
    if (attempt >= policy.maxRetries || tooLong) return { value: value as T, retries: attempt };
    const delayMs = decision.retryAfterMs ?? backoffMs(attempt, policy, hooks.random);
    const event: RetryEvent = { retry: attempt + 1, reason: decision.reason, delayMs };
    if (decision.status !== undefined) event.status = decision.status;
    if (decision.retryAfterMs !== undefined) event.retryAfterMs = decision.retryAfterMs;
    if (decision.reason === 'throttled') hooks.onThrottled?.(event);
    hooks.onRetry?.(event);
    await hooks.clock.sleep(delayMs, hooks.signal);
  }
}
