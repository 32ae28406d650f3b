import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { exchangeError } from './exchange-cmdlets.js';
import { shuffleResponses } from './graph-batch.js';
import { headerValue } from './graph-errors.js';
import type { SimContext, SimRequest, SimResponse, SimRoute } from './types.js';

/**
 * `POST /adminapi/beta/{tenant}/$batch`: up to 10 InvokeCommand calls in one request. Microsoft
 * documents neither this endpoint nor the admin API; the request shape is what a production
 * client sends (CIPP's New-ExoBulkRequest, https://github.com/KelvinTegelaar/CIPP-API/blob/master/Modules/CIPPCore/Public/GraphHelper/New-ExoBulkRequest.ps1):
 * `{"requests":[{"id","method":"POST","url":".../adminapi/beta/{tenant}/InvokeCommand?$select=…",
 * "headers":{…},"body":{"CmdletInput":{…}}}]}`, batches of at most 10, the url absolute (CIPP
 * puts `https://outlook.office365.com` in front) or relative. That client reads `responses[].id`
 * and `responses[].body` (`value`, `error`, `@adminapi.warnings`) and nothing else.
 * SIMULATOR ASSUMPTION: each response also has `status` and `headers`, as Graph's `$batch` has
 * (https://learn.microsoft.com/graph/json-batching), and they come back in any order.
 *
 * Each item is admitted against the Exchange budget and concurrency on its own (so an item can be
 * a 429 inside the 200 envelope, with its own Retry-After and rate headers), one after another.
 */
export const MAX_EXCHANGE_BATCH_REQUESTS = 10;

interface Item {
  id: string;
  /** Path and query of the InvokeCommand call, e.g. `/adminapi/beta/{tenant}/InvokeCommand?$select=Identity`. */
  target: URL;
  headers: Record<string, string>;
  body: Buffer;
}

function parse(req: SimRequest, tenant: string, origin: string): { items: Item[] } | { error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(req.body.toString('utf8'));
  } catch {
    return { error: 'The request body is not valid JSON.' };
  }
  const requests = (doc as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(requests) || requests.length === 0) {
    return { error: "The batch body must have a non-empty 'requests' array." };
  }
  if (requests.length > MAX_EXCHANGE_BATCH_REQUESTS) {
    return { error: `A batch cannot contain more than ${MAX_EXCHANGE_BATCH_REQUESTS} requests.` };
  }
  const base = new URL(`/adminapi/beta/${encodeURIComponent(tenant)}/`, origin);
  const seen = new Set<string>();
  const items: Item[] = [];
  for (const r of requests as unknown[]) {
    const o = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
    const { id, method, url, body } = o;
    if (typeof id !== 'string' || id === '') return { error: 'Every batch request needs a string id.' };
    if (seen.has(id.toLowerCase())) return { error: `The batch contains the id '${id}' twice.` };
    seen.add(id.toLowerCase());
    if (typeof method !== 'string' || method.toUpperCase() !== 'POST' || typeof url !== 'string') {
      return { error: `Request ${id}: only POST to InvokeCommand can be batched.` };
    }
    let absolute: URL;
    try {
      absolute = new URL(url, base);
    } catch {
      return { error: `Request ${id}: the url is not valid.` };
    }
    // Whatever host the client names (the real service's), the call is served here.
    const target = new URL(`${absolute.pathname}${absolute.search}`, origin);
    if (!/^\/adminapi\/beta\/[^/]+\/InvokeCommand$/i.test(target.pathname)) {
      return { error: `Request ${id}: only POST to InvokeCommand can be batched.` };
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body ?? null);
    items.push({ id, target, headers: stringHeaders(o.headers), body: Buffer.from(text, 'utf8') });
  }
  return { items };
}

function stringHeaders(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      out[k.toLowerCase()] = String(v);
  }
  return out;
}

/** The item as if sent alone: the envelope's headers (anchor, Prefer) under its own, JSON body. */
function innerRequest(outer: SimRequest, item: Item): SimRequest {
  const headers: IncomingHttpHeaders = {};
  for (const k of ['x-anchormailbox', 'prefer', 'client-request-id']) {
    const v = headerValue(outer, k);
    if (v !== undefined) headers[k] = v;
  }
  Object.assign(headers, item.headers);
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(item.body.length);
  return {
    method: 'POST',
    url: item.target,
    path: safeDecode(item.target.pathname),
    headers,
    body: item.body,
    requestId: randomUUID(),
    ...(outer.app ? { app: outer.app } : {}),
    inner: true,
  };
}

function safeDecode(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

async function handleBatch(req: SimRequest, match: RegExpMatchArray, sim: SimContext): Promise<SimResponse> {
  const tenant = match[1] ?? '';
  const t = tenant.toLowerCase();
  if (t !== sim.state.tenantId.toLowerCase() && t !== sim.state.tenantDomain.toLowerCase()) {
    return exchangeError(req, 404, 'NotFound', `Tenant '${tenant}' was not found.`);
  }
  if (!(headerValue(req, 'content-type') ?? '').toLowerCase().startsWith('application/json')) {
    return exchangeError(
      req,
      415,
      'UnsupportedMediaType',
      'The request Content-Type must be application/json.',
    );
  }
  const parsed = parse(req, tenant, sim.origin);
  if ('error' in parsed) return exchangeError(req, 400, 'BadRequest', parsed.error);
  const responses = [];
  // One after another: a batch never competes with itself for the tenant's concurrency.
  for (const item of parsed.items) {
    const inner = innerRequest(req, item);
    const res = await sim
      .dispatch(inner)
      .catch(() => exchangeError(inner, 500, 'InternalServerError', 'An internal server error occurred.'));
    responses.push({ id: item.id, status: res.status, headers: res.headers ?? {}, body: res.body ?? null });
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'request-id': req.requestId },
    body: { responses: shuffleResponses(responses) },
  };
}

/** `POST /adminapi/beta/{tenant}/$batch`; the envelope is free, each item pays its own way. */
export const exchangeBatchRoutes: SimRoute[] = [
  {
    service: 'exchange',
    method: 'POST',
    pattern: /^\/adminapi\/beta\/([^/]+)\/\$batch$/i,
    name: '/adminapi/beta/{tenant}/$batch',
    envelope: true,
    handle: handleBatch,
  },
];
