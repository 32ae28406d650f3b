import { graphError, headerValue } from './graph-errors.js';
import type { SimRequest, SimResponse } from './types.js';
import { isUserProperty, type UserPropertyName } from './user-properties.js';

/**
 * A refusal Graph would answer with `{"error":{code,message}}`. Thrown by the query parsers so the
 * handlers stay linear; `faultResponse` turns it into the response.
 */
export class GraphFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function badRequest(message: string): GraphFault {
  return new GraphFault(400, 'Request_BadRequest', message);
}

export function unsupportedQuery(message: string): GraphFault {
  return new GraphFault(400, 'Request_UnsupportedQuery', message);
}

/** Runs a handler body, turning a thrown `GraphFault` into Graph's error envelope. */
export function withFaults(req: SimRequest, body: () => SimResponse): SimResponse {
  try {
    return body();
  } catch (e) {
    if (e instanceof GraphFault) return graphError(req, e.status, e.code, e.message, e.headers);
    throw e;
  }
}

/**
 * System query options keyed by lower-case name (`$deltaToken` and `$deltatoken` both appear in
 * Microsoft's docs). A repeated option is refused rather than guessed at.
 */
export function readQueryOptions(url: URL): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    if (!key.startsWith('$')) continue;
    const k = key.toLowerCase();
    if (out.has(k)) throw badRequest(`Query option '${key}' was specified more than once.`);
    out.set(k, value);
  }
  return out;
}

/** Refuses any system query option outside `allowed` (lower-case names). */
export function rejectOtherOptions(options: Map<string, string>, allowed: readonly string[]): void {
  for (const key of options.keys()) {
    if (allowed.includes(key)) continue;
    if (key === '$skip') throw badRequest(`'$skip' is not supported by the service.`);
    throw badRequest(`Query option '${key}' is not supported for this request.`);
  }
}

/**
 * `$select=a,b`: every name must be a user property, else Graph's "Could not find a property".
 * https://learn.microsoft.com/graph/query-parameters#select-parameter
 */
export function parseSelect(raw: string | undefined): UserPropertyName[] | undefined {
  if (raw === undefined) return undefined;
  const names = raw.split(',').map((s) => s.trim());
  const out: UserPropertyName[] = [];
  for (const name of names) {
    if (!isUserProperty(name)) {
      throw badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.user'.`);
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * `$top` for directory collections: 1–999.
 * https://learn.microsoft.com/graph/paging
 */
export function parseTop(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 999) {
    throw badRequest(`Invalid page size specified: '${raw}'. Must be between 1 and 999 inclusive.`);
  }
  return n;
}

/** `ConsistencyLevel: eventual`, the header that unlocks advanced directory queries. */
export function hasEventualConsistency(req: SimRequest): boolean {
  return headerValue(req, 'consistencylevel')?.trim().toLowerCase() === 'eventual';
}

/** The `Prefer` header's tokens, lower-cased, e.g. `return=minimal`, `odata.maxpagesize=50`. */
export function preferences(req: SimRequest): string[] {
  const raw = req.headers['prefer'];
  const all = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  return all
    .split(/[,;]/)
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
}

/** Opaque paging/state tokens: base64url JSON, so clients cannot rely on their shape. */
export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeToken(raw: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
  try {
    return JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Builds an absolute https link on the simulator's origin with the given query options. */
export function buildLink(origin: string, path: string, params: ReadonlyArray<[string, string]>): string {
  // Written by hand so the option names keep their literal `$` as in Graph's own links.
  const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `${origin}${path}${query ? `?${query}` : ''}`;
}
