import type { RemoteApiError } from '../errors/roster-error.js';

/**
 * The outcome of one item of a bulk call. One item failing never fails the others: expected
 * remote outcomes are data, not exceptions.
 */
export type ItemResult<T> =
  { id: string; ok: true; value: T } | { id: string; ok: false; error: RemoteApiError };
