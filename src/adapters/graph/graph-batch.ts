import { RemoteApiError } from '../../errors/roster-error.js';
import { GRAPH_UNITS, GRAPH_WRITES } from '../../http/api-limiters.js';
import type { HttpClient } from '../../http/http-client.js';
import { headerGetter, paceSignalOf, type PaceSignal } from '../../http/pace-signal.js';
import { backoffMs, retryDecisionForStatus } from '../../http/retry-policy.js';
import { parseBody, type Endpoint } from '../response-shape.js';
import { graphError } from './graph-response.js';
import { BATCH_ENVELOPE } from './graph-shapes.js';

/** Graph refuses more than 20 requests in one `$batch` (docs/microsoft-365.md#graph-batch). */
export const MAX_BATCH_SIZE = 20;

/** One request to run inside `$batch`. */
export interface BatchRequest {
  method: 'GET' | 'PATCH' | 'PUT' | 'DELETE';
  /** Relative to the version root, starting with `/` (e.g. `/users/{id}`). */
  url: string;
  /** JSON body (sent with `Content-Type: application/json`). */
  body?: unknown;
  /** Limiter budget this item costs (summed per batch). */
  cost: Record<string, number>;
}

/** One item's final response; errors stay data so one item never fails the others. */
export type BatchOutcome =
  | { ok: true; status: number; headers: Record<string, string>; body: unknown }
  | { ok: false; error: RemoteApiError };

const BATCH: Endpoint = { service: 'graph', method: 'POST', path: '/v1.0/$batch' };

/**
 * Runs requests through `POST /$batch` in chunks of 20 (concurrently, within the limiter), and
 * retries throttled items — Graph throttles each item on its own and SDKs do not retry them.
 * After a round with throttled items, the next round sends only as many items as got through
 * (at least one), doubling again once nothing is throttled: resending every refused item at once
 * would collide again, and a refused request still costs budget. The outcome list is in input
 * order. Item statuses that are not retried come back as responses for the caller to interpret
 * (a 404 may be an answer, not a failure).
 * https://learn.microsoft.com/graph/json-batching · https://learn.microsoft.com/graph/throttling
 */
export async function runBatch(http: HttpClient, requests: BatchRequest[]): Promise<BatchOutcome[]> {
  const { clock, retry: policy, metrics, api } = http.options;
  const random = http.options.random ?? Math.random;
  const outcomes = new Array<BatchOutcome | undefined>(requests.length);
  const retries = new Array<number>(requests.length).fill(0);
  let queue = requests.map((_, i) => i);
  let allowance = Infinity;
  while (queue.length > 0) {
    const sending = queue.slice(0, allowance);
    const deferred = queue.slice(sending.length);
    const again: number[] = [];
    let waitMs = 0;
    const chunks: number[][] = [];
    for (let i = 0; i < sending.length; i += MAX_BATCH_SIZE)
      chunks.push(sending.slice(i, i + MAX_BATCH_SIZE));
    await Promise.all(
      chunks.map(async (chunk) => {
        const results = await sendChunk(http, requests, chunk);
        for (const [index, res] of results) {
          const request = requests[index]!;
          if (!res.ok) {
            outcomes[index] = res;
            continue;
          }
          const decision = retryDecisionForStatus(
            res.status,
            header(res.headers, 'retry-after'),
            clock.now(),
            true,
          );
          if (!decision || retries[index]! >= policy.maxRetries) {
            outcomes[index] = decision ? { ok: false, error: itemError(request, res) } : res;
            continue;
          }
          const delay = decision.retryAfterMs ?? backoffMs(retries[index]!, policy, random);
          retries[index]! += 1;
          // The limiter heard of the refusal from `sendChunk` and paused every caller as asked.
          if (decision.reason === 'throttled') metrics?.throttled(api);
          metrics?.retry(api, decision.reason);
          waitMs = Math.max(waitMs, delay);
          again.push(index);
        }
      }),
    );
    queue = [...again, ...deferred].sort((a, b) => a - b);
    if (again.length > 0) {
      allowance = Math.max(1, sending.length - again.length);
      await clock.sleep(Math.min(waitMs, policy.maxRetryAfterMs));
    } else {
      allowance *= 2;
    }
  }
  return outcomes.map((o) => o!);
}

/** Sends one `$batch`; a failure of the whole batch becomes every item's error. */
async function sendChunk(
  http: HttpClient,
  requests: BatchRequest[],
  chunk: number[],
): Promise<Map<number, BatchOutcome>> {
  const cost: Record<string, number> = {};
  const wire = chunk.map((index) => {
    const r = requests[index]!;
    for (const [k, v] of Object.entries(r.cost)) cost[k] = (cost[k] ?? 0) + v;
    const item: Record<string, unknown> = { id: String(index), method: r.method, url: r.url };
    if (r.body !== undefined) {
      item.body = r.body;
      item.headers = { 'Content-Type': 'application/json' };
    }
    return item;
  });
  const out = new Map<number, BatchOutcome>();
  const fail = (error: RemoteApiError) => {
    for (const index of chunk) if (!out.has(index)) out.set(index, { ok: false, error });
    return out;
  };
  let res;
  try {
    // Every item Roster batches is idempotent (reads, absolute PATCHes), so the batch is too.
    res = await http.send({
      method: 'POST',
      url: '$batch',
      json: { requests: wire },
      idempotent: true,
      cost,
      itemsReported: true,
    });
  } catch (err) {
    if (err instanceof RemoteApiError) return fail(err);
    throw err;
  }
  if (res.status !== 200)
    return fail(graphError('POST', '/v1.0/$batch', res.status, res.body.toString('utf8'), res.requestId));
  let envelope;
  try {
    envelope = parseBody(BATCH, res, BATCH_ENVELOPE);
  } catch (err) {
    if (err instanceof RemoteApiError) return fail(err);
    throw err;
  }
  for (const r of envelope.responses) {
    const index = Number(r.id);
    if (!chunk.includes(index) || typeof r.status !== 'number') continue;
    const item = { ok: true, status: r.status, headers: r.headers ?? {}, body: r.body ?? null } as const;
    out.set(index, item);
    res.pace(itemSignal(http, requests[index]!, item));
  }
  const missing = new RemoteApiError(
    'graph',
    200,
    'BatchItemMissing',
    'graph POST /v1.0/$batch: an item got no response',
    res.requestId,
  );
  return fail(missing);
}

/** What one item's response says about the pace (Graph throttles every item on its own). */
function itemSignal(
  http: HttpClient,
  request: BatchRequest,
  item: { status: number; headers: Record<string, string>; body: unknown },
): PaceSignal {
  const { api, clock } = http.options;
  const signal = paceSignalOf(item.status, headerGetter(item.headers), clock.now(), {
    ...(item.status === 429 ? { text: JSON.stringify(item.body) } : {}),
    ...(api === 'graph'
      ? {
          lanes: { units: GRAPH_UNITS, writes: GRAPH_WRITES },
          isWrite: (request.cost[GRAPH_WRITES] ?? 0) > 0,
        }
      : {}),
  });
  return signal.kind === 'admitted' || signal.kind === 'refused' ? { ...signal, cost: request.cost } : signal;
}

/** Case-insensitive lookup in a batch item's headers (a plain object). */
export function header(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function pathOnly(url: string): string {
  return `/v1.0${url.split('?')[0]}`;
}

/** A `$batch` item's error response as a RemoteApiError. */
export function itemError(
  request: BatchRequest,
  res: { status: number; headers: Record<string, string>; body: unknown },
) {
  return graphError(
    request.method,
    pathOnly(request.url),
    res.status,
    res.body,
    header(res.headers, 'request-id'),
  );
}
