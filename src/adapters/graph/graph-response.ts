import { RemoteApiError } from '../../errors/roster-error.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../../http/http-client.js';

/** Graph's error envelope, https://learn.microsoft.com/graph/errors */
interface GraphErrorBody {
  error?: { code?: unknown; message?: unknown; innerError?: { 'request-id'?: unknown } };
}

/** The longest service message kept in an error (bodies can be pages of HTML from a proxy). */
const MAX_MESSAGE = 500;

/**
 * A RemoteApiError from a Graph error response (a whole one, or one `$batch` item). Codes are
 * what callers key on; the message says where, what, and which request id to quote to support.
 */
export function graphError(
  method: string,
  path: string,
  status: number,
  body: unknown,
  requestId: string | undefined,
): RemoteApiError {
  let code: string | undefined;
  let message: string | undefined;
  let id = requestId;
  const parsed = typeof body === 'string' ? tryJson(body) : body;
  const err = (parsed as GraphErrorBody | null | undefined)?.error;
  if (err && typeof err === 'object') {
    if (typeof err.code === 'string') code = err.code;
    if (typeof err.message === 'string') message = err.message;
    const inner = err.innerError?.['request-id'];
    if (id === undefined && typeof inner === 'string') id = inner;
  } else if (typeof body === 'string' && body.trim() !== '') {
    message = body.trim();
  }
  const text = `${status}${code ? ` ${code}` : ''}${message ? `: ${message.slice(0, MAX_MESSAGE)}` : ''}`;
  const suffix = id ? ` (request-id ${id})` : '';
  return new RemoteApiError('graph', status, code, `graph ${method} ${path}: ${text}${suffix}`, id);
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The path of a request URL for messages and logs: no query (skip tokens are long and opaque). */
export function pathOf(http: HttpClient, url: string): string {
  return http.resolveUrl(url).pathname;
}

export function errorOf(http: HttpClient, request: HttpRequest, res: HttpResponse): RemoteApiError {
  return graphError(
    request.method,
    pathOf(http, request.url),
    res.status,
    res.body.toString('utf8'),
    res.requestId,
  );
}
