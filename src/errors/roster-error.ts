/**
 * The handful of error classes Roster raises. Transport errors are converted to these at the
 * adapter boundary; one top-level handler maps them to exit codes and a human message.
 */
export type RosterErrorCode =
  'CONFIG' | 'SOURCE' | 'REMOTE_API' | 'GUARDRAIL' | 'PLAN_FILE' | 'USAGE' | 'APPLY_LOCKED';

export abstract class RosterError extends Error {
  abstract readonly code: RosterErrorCode;
}

/** A problem in one place of one input file. */
export interface ConfigProblem {
  file: string;
  line?: number;
  column?: number;
  /** JSON-pointer-like path of the key, e.g. `/fields/jobTitle`. */
  key?: string;
  message: string;
  severity: 'error' | 'warning';
}

export function formatProblem(p: ConfigProblem): string {
  const where = [p.file, p.line, p.column].filter((x) => x !== undefined).join(':');
  const key = p.key ? ` ${p.key}` : '';
  return `${where}${key}: ${p.severity}: ${p.message}`;
}

/** Configuration, overrides or templates are invalid; carries every problem found, not just the first. */
export class ConfigError extends RosterError {
  readonly code = 'CONFIG';
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** The HR source could not be read. */
export class SourceError extends RosterError {
  readonly code = 'SOURCE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceError';
  }
}

export type RemoteService = 'identity' | 'graph' | 'exchange' | 'photo-source';

/** A remote API answered with an error (or could not be reached). Never carries tokens or secrets. */
export class RemoteApiError extends RosterError {
  readonly code = 'REMOTE_API';
  constructor(
    readonly service: RemoteService,
    readonly status: number | undefined,
    readonly errorCode: string | undefined,
    message: string,
    readonly requestId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RemoteApiError';
  }
}

/** A safety rule stopped the run before any write. */
export class GuardrailError extends RosterError {
  readonly code = 'GUARDRAIL';
  constructor(
    readonly guardrail: string,
    message: string,
  ) {
    super(message);
    this.name = 'GuardrailError';
  }
}

/** Another apply holds the tenant's apply lock: this one wrote nothing. */
export class ApplyLockedError extends RosterError {
  readonly code = 'APPLY_LOCKED';
  constructor(message: string) {
    super(message);
    this.name = 'ApplyLockedError';
  }
}

/** Bad command-line usage. */
export class UsageError extends RosterError {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
