import { RosterError } from '../errors/roster-error.js';

/** 1 for every known error; bugs say they are bugs. */
export function exitCodeFor(_error: unknown): number {
  return 1;
}

/** Whether the user asked for details: `--log-level debug` (or `trace`), or `ROSTER_LOG_LEVEL`. */
export function wantsDetails(logLevel: string | undefined): boolean {
  return logLevel === 'debug' || logLevel === 'trace';
}

/** An error of a system call (`open`, `listen`, …): Node gives it a `code` and a `syscall`. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException & { syscall: string } {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    typeof (error as NodeJS.ErrnoException).syscall === 'string'
  );
}

/** Every stack of the error and its causes, for `--log-level debug`. */
function stacks(error: unknown): string {
  const lines: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    lines.push(depth === 0 ? (e.stack ?? String(e)) : `caused by: ${e.stack ?? String(e)}`);
  }
  return lines.join('\n');
}

/**
 * The one line (or lines) the top-level handler prints. Roster's own errors are written for the
 * user and stand alone; anything else is a bug, said as one line with how to get the details: a
 * stack trace only with `--log-level debug`.
 */
export function describeError(error: unknown, options: { details?: boolean } = {}): string {
  if (error instanceof RosterError) {
    return options.details ? `${error.message}\n${stacks(error)}` : error.message;
  }
  if (isSystemError(error)) {
    // The machine refused (a path that does not exist, a permission): not a bug, and the message says what.
    return options.details ? stacks(error) : `${error.syscall} failed: ${error.message}`;
  }
  const bug = 'internal error (a bug in Roster)';
  if (options.details) return `${bug}: ${error instanceof Error ? stacks(error) : String(error)}`;
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `${bug}: ${what}\n  run the command again with --log-level debug to see where it happened, and report it with that output`;
}
