import type { SimRequest, SimResponse } from './types.js';

/**
 * Graph's error envelope:
 * `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`
 * with `request-id`/`client-request-id` headers.
 * https://learn.microsoft.com/graph/errors
 */
export function graphError(
  req: SimRequest,
  status: number,
  code: string,
  message: string,
  extraHeaders: Record<string, string> = {},
): SimResponse {
  const clientRequestId = headerValue(req, 'client-request-id') ?? req.requestId;
  return {
    status,
    headers: {
      'content-type': 'application/json',
      'request-id': req.requestId,
      'client-request-id': clientRequestId,
      ...extraHeaders,
    },
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
          'request-id': req.requestId,
          'client-request-id': clientRequestId,
        },
      },
    },
  };
}

/** A successful Graph JSON response with the standard id headers. */
export function graphJson(
  req: SimRequest,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): SimResponse {
  return {
    status,
    headers: {
      'content-type':
        'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
      'request-id': req.requestId,
      'client-request-id': headerValue(req, 'client-request-id') ?? req.requestId,
      ...extra,
    },
    body,
  };
}

export function headerValue(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
