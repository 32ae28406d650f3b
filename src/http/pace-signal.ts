import { parseRetryAfter } from './retry-policy.js';
import { parseRateLimitHint, type RateLimitHint } from './rate-limit-hint.js';

/**
 * What one response says about the pace, for the limiter that let its request through.
 * - `admitted`: the service took the request (whatever the status): it counted against the budget.
 * - `refused`: a budget said no (429, or 503 which Microsoft also uses when overloaded).
 * - `concurrency`: too many requests in flight at once (Exchange's plain-text refusal).
 * - `key-refused`: a per-mailbox limit said no; the shared pace is not at fault.
 */
export type PaceSignal =
  | { kind: 'admitted'; cost?: Record<string, number>; usage?: number; hint?: RateLimitHint }
  | {
      kind: 'refused';
      cost?: Record<string, number>;
      /** The budget that refused, when the service says (else every budget the request drew on). */
      lane?: string;
      retryAfterMs?: number;
      hint?: RateLimitHint;
    }
  | { kind: 'concurrency'; retryAfterMs?: number }
  | { kind: 'key-refused'; retryAfterMs?: number };

/** Exchange's refusal of one request too many in flight (plain text, no JSON). */
const CONCURRENCY_TEXT = /maximum number of concurrent requests/i;
/**
 * Outlook's per-mailbox limits (https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits):
 * Graph names them in `x-ms-throttle-information` or the message ("MailboxConcurrency", …).
 */
const MAILBOX_LIMIT = /mailbox/i;
const WRITE_SCOPE = /\/Write\//;

/** Header lookup over a fetch `Headers` or a `$batch` item's plain object. */
export type HeaderGetter = (name: string) => string | null | undefined;

export function headerGetter(headers: Headers | Record<string, string>): HeaderGetter {
  if (headers instanceof Headers) return (name) => headers.get(name);
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return (name) => lower.get(name);
}

/**
 * The signal of a response. `text` is the body when it may matter (a refusal's reason).
 * Graph identity names the exhausted budget in `x-ms-throttle-information` and
 * `x-ms-throttle-scope` (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits);
 * `writeLane` is where a refused write goes when it does not.
 */
export function paceSignalOf(
  status: number,
  get: HeaderGetter,
  now: number,
  options: { text?: string; lanes?: { units: string; writes: string }; isWrite?: boolean } = {},
): PaceSignal {
  const hint = parseRateLimitHint(get);
  if (status !== 429 && status !== 503) {
    const usage = Number(get('x-ms-throttle-limit-percentage') ?? NaN);
    return {
      kind: 'admitted',
      ...(Number.isFinite(usage) ? { usage } : {}),
      ...(hint ? { hint } : {}),
    };
  }
  const retryAfterMs = parseRetryAfter(get('retry-after'), now);
  const wait = retryAfterMs === undefined ? {} : { retryAfterMs };
  const information = get('x-ms-throttle-information') ?? '';
  if (status === 429 && options.text !== undefined && CONCURRENCY_TEXT.test(options.text)) {
    return { kind: 'concurrency', ...wait };
  }
  if (status === 429 && (MAILBOX_LIMIT.test(information) || /MailboxConcurrency/i.test(options.text ?? ''))) {
    return { kind: 'key-refused', ...wait };
  }
  let lane: string | undefined;
  if (options.lanes) {
    const scope = get('x-ms-throttle-scope') ?? '';
    const writeLimit = /write/i.test(information) || WRITE_SCOPE.test(scope);
    const unitLimit = /resourceunit/i.test(information) || /\/(ReadWrite|Read)\//.test(scope);
    if (writeLimit) lane = options.lanes.writes;
    else if (unitLimit) lane = options.lanes.units;
    else lane = options.isWrite ? options.lanes.writes : options.lanes.units;
  }
  return { kind: 'refused', ...(lane ? { lane } : {}), ...wait, ...(hint ? { hint } : {}) };
}
