import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { graphError, graphJson } from './graph-errors.js';
import { isOutlookBackedPath } from './graph-photos.js';
import type { SimContext, SimRequest, SimResponse, SimRoute } from './types.js';

/**
 * JSON batching, https://learn.microsoft.com/graph/json-batching: at most 20 requests, unique
 * (case-insensitive) ids, relative urls, Content-Type required with a body, `dependsOn` with 424
 * for dependents of a failed request, responses in any order.
 */
export const MAX_BATCH_REQUESTS = 20;
/**
 * Outlook-backed requests (photos) in one batch run at most 4 at a time
 * (docs/microsoft-365.md#graph-batch).
 */
export const OUTLOOK_BATCH_CONCURRENCY = 4;

/** One validated item of `requests`. */
interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  dependsOn: string[];
}

/** One entry of `responses`. */
interface BatchItemResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

type Parsed = { items: BatchItem[] } | { error: string };

function parse(raw: Buffer): Parsed {
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch {
    return { error: 'Invalid batch payload format.' };
  }
  const requests = (doc as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(requests) || requests.length === 0) return { error: 'Invalid batch payload format.' };
  if (requests.length > MAX_BATCH_REQUESTS) {
    return { error: `Batch request cannot contain more than ${MAX_BATCH_REQUESTS} requests.` };
  }
  const items: BatchItem[] = [];
  const seen = new Set<string>();
  for (const r of requests as unknown[]) {
    const o = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
    const { id, method, url } = o;
    if (typeof id !== 'string' || id === '')
      return { error: 'Batch request id is required and must be a string.' };
    if (seen.has(id.toLowerCase())) return { error: `Batch request contains duplicate id '${id}'.` };
    seen.add(id.toLowerCase());
    if (typeof method !== 'string' || typeof url !== 'string' || url === '') {
      return { error: `Request id : ${id} must have a method and a url.` };
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
      return { error: `Request id : ${id} has an absolute url; batch urls must be relative, e.g. /users.` };
    }
    const headers = stringHeaders(o.headers);
    const hasBody = o.body !== undefined && o.body !== null;
    if (hasBody && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
      return { error: `Write request id : ${id} does not contain Content-Type header or body.` };
    }
    const dependsOn = Array.isArray(o.dependsOn)
      ? o.dependsOn.filter((d): d is string => typeof d === 'string')
      : [];
    items.push({ id, method: method.toUpperCase(), url, headers, body: o.body, dependsOn });
  }
  const ids = new Set(items.map((i) => i.id.toLowerCase()));
  for (const item of items) {
    const missing = item.dependsOn.find((d) => !ids.has(d.toLowerCase()));
    if (missing !== undefined)
      return { error: `Request id : ${item.id} depends on unknown request id '${missing}'.` };
  }
  if (hasCycle(items)) return { error: 'Batch request dependsOn contains a cycle.' };
  return { items };
}

function stringHeaders(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  }
  return out;
}

function hasCycle(items: BatchItem[]): boolean {
  const byId = new Map(items.map((i) => [i.id.toLowerCase(), i]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): boolean => {
    const s = state.get(id);
    if (s === 'visiting') return true;
    if (s === 'done') return false;
    state.set(id, 'visiting');
    const cyclic = (byId.get(id)?.dependsOn ?? []).some((d) => visit(d.toLowerCase()));
    state.set(id, 'done');
    return cyclic;
  };
  return items.some((i) => visit(i.id.toLowerCase()));
}

/** Builds the inner request as if the item had been sent alone, with the batch's credentials. */
function innerRequest(outer: SimRequest, item: BatchItem, origin: string): SimRequest {
  const relative = item.url.startsWith('/') ? item.url : `/${item.url}`;
  const url = new URL(`/v1.0${relative}`, origin);
  const headers: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(item.headers)) headers[k.toLowerCase()] = v;
  for (const k of ['authorization', 'client-request-id']) {
    const v = outer.headers[k];
    if (headers[k] === undefined && typeof v === 'string') headers[k] = v;
  }
  const body = encodeBody(item.body, headers['content-type']);
  if (body.length > 0) headers['content-length'] = String(body.length);
  return {
    method: item.method,
    url,
    path: safeDecode(url.pathname),
    headers,
    body,
    requestId: randomUUID(),
    ...(outer.app ? { app: outer.app } : {}),
    inner: true,
  };
}

/** JSON bodies are objects; binary bodies (image/*, octet-stream) arrive as base64 strings. */
function encodeBody(body: unknown, contentType: string | string[] | undefined): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  const type = (Array.isArray(contentType) ? contentType[0] : contentType)?.toLowerCase() ?? '';
  if (type.includes('json')) return Buffer.from(JSON.stringify(body));
  if (typeof body !== 'string') return Buffer.from(JSON.stringify(body));
  if (type.startsWith('text/')) return Buffer.from(body, 'utf8');
  return Buffer.from(body, 'base64');
}

function safeDecode(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

function toItemResponse(id: string, res: SimResponse): BatchItemResponse {
  if (res.drop) {
    return {
      id,
      status: 504,
      headers: {},
      body: { error: { code: 'GatewayTimeout', message: 'Gateway timeout.' } },
    };
  }
  let body: unknown = res.body ?? null;
  if (Buffer.isBuffer(body)) body = body.toString('base64');
  if (res.status === 204) body = null;
  return { id, status: res.status, headers: res.headers ?? {}, body };
}

/** A counting semaphore: Outlook-backed items share 4 slots within one batch. */
function limiter(slots: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let free = slots;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (free === 0) await new Promise<void>((resolve) => waiting.push(resolve));
    else free -= 1;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    }
  };
}

async function run(outer: SimRequest, items: BatchItem[], sim: SimContext): Promise<BatchItemResponse[]> {
  const outlook = limiter(OUTLOOK_BATCH_CONCURRENCY);
  const results = new Map<string, Promise<BatchItemResponse>>();
  const start = (item: BatchItem): Promise<BatchItemResponse> => {
    const key = item.id.toLowerCase();
    const existing = results.get(key);
    if (existing) return existing;
    const p = (async () => {
      const deps = await Promise.all(
        item.dependsOn.map((d) => start(byId.get(d.toLowerCase()) as BatchItem)),
      );
      if (deps.some((d) => d.status >= 400)) {
        return {
          id: item.id,
          status: 424,
          headers: { 'content-type': 'application/json' },
          body: { error: { code: 'FailedDependency', message: 'Failed dependency.' } },
        };
      }
      const req = innerRequest(outer, item, sim.origin);
      const version = /^\/?(v1\.0|beta)(\/|$)/i.exec(item.url);
      if (version) {
        // The url is relative to the version: `/v1.0/users` would address `/v1.0/v1.0/users`.
        return toItemResponse(
          item.id,
          graphError(req, 400, 'BadRequest', `Resource not found for the segment '${version[1]}'.`),
        );
      }
      if (/^\/v1\.0\/\$batch$/i.test(req.path)) {
        return toItemResponse(
          item.id,
          graphError(req, 400, 'BadRequest', 'Nested batch requests are not supported.'),
        );
      }
      const send = () =>
        sim.dispatch(req).catch(() => graphError(req, 500, 'InternalServerError', 'Internal error.'));
      const res = isOutlookBackedPath(req.path) ? await outlook(send) : await send();
      return toItemResponse(item.id, res);
    })();
    results.set(key, p);
    return p;
  };
  const byId = new Map(items.map((i) => [i.id.toLowerCase(), i]));
  return Promise.all(items.map(start));
}

/**
 * Responses come back "in a different order than the requests": ordered by a hash of the id,
 * and rotated when that happens to match the request order, so clients must match by id.
 */
export function shuffleResponses<T extends { id: string }>(responses: T[]): T[] {
  const key = (id: string) => createHash('sha256').update(id).digest('hex');
  const sorted = [...responses].sort((a, b) => (key(a.id) < key(b.id) ? -1 : 1));
  if (sorted.length >= 2 && sorted.every((r, i) => r.id === responses[i]?.id))
    sorted.push(sorted.shift() as T);
  return sorted;
}

async function handleBatch(req: SimRequest, _match: RegExpMatchArray, sim: SimContext): Promise<SimResponse> {
  const parsed = parse(req.body);
  if ('error' in parsed) return graphError(req, 400, 'BadRequest', parsed.error);
  const responses = await run(req, parsed.items, sim);
  return graphJson(req, 200, { responses: shuffleResponses(responses) });
}

/** `POST /v1.0/$batch`. No permission of its own: each item is authorised when dispatched. */
export const graphBatchRoutes: SimRoute[] = [
  {
    service: 'graph',
    method: 'POST',
    pattern: /^\/v1\.0\/\$batch$/i,
    name: '/v1.0/$batch',
    handle: handleBatch,
  },
];
