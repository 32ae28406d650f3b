import { RemoteApiError, RosterError } from '../errors/roster-error.js';

const MAX_TEXT = 600;

/** An error's message for a finding: Roster's own errors as they are, anything else named as a bug. */
export function errorText(error: unknown): string {
  const text =
    error instanceof RosterError
      ? error.message
      : error instanceof Error
        ? `unexpected error (a bug in Roster): ${error.name}: ${error.message}`
        : 'unexpected error (a bug in Roster)';
  const line = text.split('\n')[0] ?? text;
  return line.length > MAX_TEXT ? `${line.slice(0, MAX_TEXT)}…` : line;
}

/** The HTTP status a remote API answered with, if it answered. */
export function statusOf(error: unknown): number | undefined {
  return error instanceof RemoteApiError ? error.status : undefined;
}

/** 401 or 403: the service refused the app (a permission, a consent or a role is missing). */
export function isRefusal(error: unknown): boolean {
  const status = statusOf(error);
  return status === 401 || status === 403;
}
