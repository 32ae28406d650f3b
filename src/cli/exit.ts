import { RosterError } from '../errors/roster-error.js';

/** 1 for every known error; bugs say they are bugs. */
export function exitCodeFor(_error: unknown): number {
  return 1;
}

export function describeError(error: unknown): string {
  if (error instanceof RosterError) return error.message;
  if (error instanceof Error) return `internal error (a bug in Roster): ${error.stack ?? error.message}`;
  return `internal error (a bug in Roster): ${String(error)}`;
}
