import { UsageError } from '../errors/roster-error.js';

/** Where a command tried to listen, and how the user picks another place. */
export interface ListenTarget {
  host: string;
  port: number;
  /** E.g. `--port N (or ROSTER_STATUS_PORT)`. */
  choose: string;
}

/**
 * A server that could not listen is the user's to fix, not a bug: a busy port (another Roster,
 * another program), a port below 1024 without the right, an address this machine does not have.
 * Other errors pass through unchanged.
 */
export function explainListenError(error: unknown, target: ListenTarget): unknown {
  const e = error as NodeJS.ErrnoException & { port?: number; address?: string };
  if (!(error instanceof Error) || e.syscall !== 'listen') return error;
  const where = `port ${e.port ?? target.port} on ${e.address ?? target.host}`;
  const pick = `choose another with ${target.choose}; --port 0 takes any free port`;
  switch (e.code) {
    case 'EADDRINUSE':
      return new UsageError(`${where} is already in use (by another Roster or another program): ${pick}`);
    case 'EACCES':
      return new UsageError(`${where} needs privileges this process does not have: ${pick}`);
    case 'EADDRNOTAVAIL':
      return new UsageError(`${where}: this machine has no such address; check --host`);
    default:
      return error;
  }
}
