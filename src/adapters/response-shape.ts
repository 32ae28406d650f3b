import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { RemoteApiError, type RemoteService } from '../errors/roster-error.js';

/** Where a response came from, for the error: never a query string (skip and delta tokens). */
export interface Endpoint {
  service: RemoteService;
  method: string;
  /** The path only, e.g. `/v1.0/users/delta`, with placeholders for ids. */
  path: string;
  /** What was asked of it, where the path does not say (the Exchange cmdlet). */
  operation?: string;
}

/** The error code of a response whose body is not the shape the endpoint returns. */
export const MALFORMED_RESPONSE = 'MalformedResponse';

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });

/** Compiles a JSON Schema (written in code beside the adapter that reads the response). */
export function responseShape<T>(schema: object): ValidateFunction<T> {
  return ajv.compile<T>(schema);
}

function describe(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return 'unexpected shape';
  const where = first.instancePath === '' ? 'the body' : first.instancePath.slice(1).replace(/\//g, '.');
  return `${where} ${first.message ?? first.keyword}`;
}

/** A `RemoteApiError` saying what was wrong with a response body, naming the endpoint. */
export function malformed(
  endpoint: Endpoint,
  status: number,
  problem: string,
  requestId: string | undefined,
): RemoteApiError {
  const suffix = requestId ? ` (request-id ${requestId})` : '';
  return new RemoteApiError(
    endpoint.service,
    status,
    MALFORMED_RESPONSE,
    `${endpoint.service} ${endpoint.method} ${endpoint.path}${endpoint.operation ? ` (${endpoint.operation})` : ''}: ${status} with a malformed body: ${problem}${suffix}`,
    requestId,
  );
}

/** The body as JSON, or undefined when it is empty or not JSON. */
export function tryParseJson(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Checks an already parsed value (a `$batch` item's body); returns the error instead of throwing. */
export function checkShape<T>(
  endpoint: Endpoint,
  status: number,
  value: unknown,
  shape: ValidateFunction<T>,
  requestId: string | undefined,
): { ok: true; value: T } | { ok: false; error: RemoteApiError } {
  if (shape(value)) return { ok: true, value };
  return { ok: false, error: malformed(endpoint, status, describe(shape.errors), requestId) };
}

/**
 * Parses a 2xx body and checks its shape at the boundary: an empty, non-JSON or misshapen body is
 * a `RemoteApiError` naming the endpoint, status and request id, never a `SyntaxError` or a
 * `TypeError` somewhere later.
 */
export function parseBody<T>(
  endpoint: Endpoint,
  res: { status: number; body: Buffer; requestId?: string },
  shape: ValidateFunction<T>,
): T {
  const text = res.body.toString('utf8');
  const value = tryParseJson(text);
  if (value === undefined) {
    const problem = text.trim() === '' ? 'the body is empty' : 'the body is not JSON';
    throw malformed(endpoint, res.status, problem, res.requestId);
  }
  const checked = checkShape(endpoint, res.status, value, shape, res.requestId);
  if (!checked.ok) throw checked.error;
  return checked.value;
}
