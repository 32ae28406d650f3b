import { randomUUID } from 'node:crypto';
import { RemoteApiError, type RemoteService } from '../errors/roster-error.js';
import type { ApiMetrics, ApiName } from './api-metrics.js';
import { GRAPH_UNITS, GRAPH_WRITES } from './api-limiters.js';
import type { Clock } from './clock.js';
import { headerGetter, paceSignalOf, type PaceSignal } from './pace-signal.js';
import type { RateLimiter } from './rate-limiter.js';
import { retryDecisionForStatus, withRetry, type RetryPolicy } from './retry-policy.js';

/** The slice of a pino logger the shell uses. */
export interface DebugLogger {
  debug(obj: object, msg: string): void;
}

/** Where bearer tokens come from (one per audience); see `adapters/azure/token-source.ts`. */
export interface TokenProvider {
  getToken(signal?: AbortSignal): Promise<string>;
  /** The service refused `token` (401) although it had not expired here: forget it. */
  invalidate?(token: string): void;
}

/** Everything one API's client needs: where, as whom, how fast, and who is watching. */
export interface HttpClientOptions {
  service: RemoteService;
  api: ApiName;
  /** Origin (plus optional path prefix) every request goes to; absolute URLs must share its origin. */
  baseUrl: string;
  tokens: TokenProvider;
  limiter: RateLimiter;
  retry: RetryPolicy;
  clock: Clock;
  random?: () => number;
  metrics?: ApiMetrics;
  logger?: DebugLogger;
  /** Per attempt, including reading the body. */
  timeoutMs: number;
}

/** One logical call (retries included). */
export interface HttpRequest {
  method: string;
  /** Relative to `baseUrl`, or an absolute link the service gave us (nextLink, deltaLink). */
  url: string;
  headers?: Record<string, string>;
  /** JSON-serialised with `Content-Type: application/json`. */
  json?: unknown;
  /** Raw bytes, sent as-is (set `Content-Type` in headers). */
  body?: Uint8Array;
  /** Defaults to true except for POST. */
  idempotent?: boolean;
  /** Limiter budget the call draws on per attempt. */
  cost?: Record<string, number>;
  /** Per-key concurrency (mailbox). */
  key?: string;
  /**
   * The caller reports each `$batch` item's outcome through `HttpResponse.pace`: the envelope's
   * 200 says nothing about the items. Refusals of the whole request are still reported here.
   */
  itemsReported?: boolean;
  signal?: AbortSignal;
  /** Extra, non-secret fields for the debug log line (e.g. the cmdlet name). */
  logFields?: Record<string, string | number>;
}

/** A response of any status: adapters decide what an error status means for them. */
export interface HttpResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  /** `request-id` (Graph) or `client-request-id` echoed back, else the one we sent. */
  requestId: string;
  retries: number;
  /** Tells the limiter what the service said about this attempt's items (see `itemsReported`). */
  pace(signal: PaceSignal): void;
}

export interface HttpClient {
  readonly options: HttpClientOptions;
  send(request: HttpRequest): Promise<HttpResponse>;
  /** Resolves a link against the base URL and refuses other origins, so a token never leaves it. */
  resolveUrl(url: string): URL;
}

const GRAPH_LANES = { units: GRAPH_UNITS, writes: GRAPH_WRITES };

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  const random = options.random ?? Math.random;

  function resolveUrl(url: string): URL {
    const resolved = /^[a-z][a-z0-9+.-]*:/i.test(url) ? new URL(url) : new URL(url.replace(/^\//, ''), base);
    if (resolved.origin !== base.origin) {
      throw new RemoteApiError(
        options.service,
        undefined,
        'UnexpectedOrigin',
        `${options.service}: refusing to follow a link to ${resolved.origin} (expected ${base.origin})`,
      );
    }
    return resolved;
  }

  async function attempt(request: HttpRequest, url: URL, clientRequestId: string, retries: number) {
    const permit = await options.limiter.acquire({
      ...(request.cost ? { cost: request.cost } : {}),
      ...(request.key !== undefined ? { key: request.key } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    const started = performance.now();
    let status: number | 'network-error' = 'network-error';
    let requestId = clientRequestId;
    const deadlines: Array<() => void> = [];
    try {
      let token = await options.tokens.getToken(request.signal);
      let res = await fetchOnce(request, url, clientRequestId, token, deadlines);
      // A token can expire early as the service sees it (clock skew, revocation): a 401 is not
      // "not processed" in general, but a 401 to a token is; renew it once and repeat.
      if (res.status === 401 && options.tokens.invalidate) {
        await res.arrayBuffer().catch(() => undefined);
        options.tokens.invalidate(token);
        token = await options.tokens.getToken(request.signal);
        res = await fetchOnce(request, url, clientRequestId, token, deadlines);
      }
      const buf = Buffer.from(await res.arrayBuffer());
      status = res.status;
      requestId = res.headers.get('request-id') ?? res.headers.get('client-request-id') ?? clientRequestId;
      const signal = paceSignalOf(res.status, headerGetter(res.headers), options.clock.now(), {
        ...(res.status === 429 ? { text: buf.toString('utf8', 0, 2_000) } : {}),
        ...(options.api === 'graph'
          ? { lanes: GRAPH_LANES, isWrite: (request.cost?.[GRAPH_WRITES] ?? 0) > 0 }
          : {}),
      });
      if (!(request.itemsReported && signal.kind === 'admitted')) permit.report(signal);
      return {
        status: res.status,
        headers: res.headers,
        body: buf,
        requestId,
        retries,
        pace: (s: PaceSignal) => permit.report(s),
      } satisfies HttpResponse;
    } finally {
      for (const clear of deadlines) clear();
      permit.release();
      const durationMs = Math.round(performance.now() - started);
      options.metrics?.request(options.api, request.method, status, durationMs);
      if (options.metrics?.pacing) {
        const { lanes, concurrency, throttled, throttleWaitMs } = options.limiter.snapshot();
        const rates = Object.fromEntries(Object.entries(lanes).map(([name, lane]) => [name, lane.rate]));
        options.metrics.pacing(options.api, { rates, concurrency, throttled, throttleWaitMs });
      }
      options.logger?.debug(
        {
          service: options.service,
          api: options.api,
          method: request.method,
          path: url.pathname,
          status,
          durationMs,
          requestId,
          retry: retries,
          ...request.logFields,
        },
        'api call',
      );
    }
  }

  /**
   * `AbortSignal.timeout` would do, but Node keeps a timeout signal that has abort listeners
   * (undici adds one) alive until its timer fires, and the finished request with it: a timer
   * cleared when the attempt ends lets it go at once.
   */
  function deadline(signal: AbortSignal | undefined, clears: Array<() => void>): AbortSignal {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
      options.timeoutMs,
    );
    const forward = () => controller.abort(signal?.reason);
    if (signal?.aborted) forward();
    else signal?.addEventListener('abort', forward, { once: true });
    clears.push(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    });
    return controller.signal;
  }

  function fetchOnce(
    request: HttpRequest,
    url: URL,
    clientRequestId: string,
    token: string,
    clears: Array<() => void>,
  ) {
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...request.headers,
      authorization: `Bearer ${token}`,
      'client-request-id': clientRequestId,
    };
    let body: Uint8Array | string | undefined = request.body;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers['content-type'] = 'application/json';
    }
    const signal = deadline(request.signal, clears);
    return fetch(url, { method: request.method, headers, body, signal, redirect: 'manual' });
  }

  async function send(request: HttpRequest): Promise<HttpResponse> {
    const url = resolveUrl(request.url);
    const clientRequestId = randomUUID();
    const idempotent = request.idempotent ?? request.method.toUpperCase() !== 'POST';
    try {
      const { value } = await withRetry((n) => attempt(request, url, clientRequestId, n), options.retry, {
        clock: options.clock,
        random,
        idempotent,
        ...(request.signal ? { signal: request.signal } : {}),
        classify: (res) =>
          retryDecisionForStatus(res.status, res.headers.get('retry-after'), options.clock.now(), idempotent),
        // The limiter has heard of the 429 (and paused everyone as long as it asked) from `attempt`.
        onThrottled: () => options.metrics?.throttled(options.api),
        onRetry: (e) => options.metrics?.retry(options.api, e.reason),
      });
      return value;
    } catch (err) {
      if (err instanceof RemoteApiError) throw err;
      if (request.signal?.aborted) throw err;
      throw new RemoteApiError(
        options.service,
        undefined,
        'NetworkError',
        `${options.service} ${request.method} ${url.pathname}: ${describeNetworkError(err)}`,
        clientRequestId,
        { cause: err },
      );
    }
  }

  return { options, send, resolveUrl };
}

/** The innermost message of a fetch failure (undici wraps the useful part in `cause`). */
function describeNetworkError(err: unknown): string {
  let e = err;
  for (let depth = 0; e instanceof Error && e.cause instanceof Error && depth < 5; depth++) e = e.cause;
  if (!(e instanceof Error)) return 'request failed';
  if (e.name === 'TimeoutError') return 'timed out';
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
}
