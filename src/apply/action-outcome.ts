import { RemoteApiError, type RemoteService } from '../errors/roster-error.js';
import type { LastAppliedRecord } from '../observe/model.js';

/** Why a write failed, in the terms the summary and the journal show. No secrets. */
export interface FailureCause {
  service?: RemoteService;
  status?: number;
  code?: string;
  requestId?: string;
  message: string;
}

/** What happened to one action: data for the journal and the result, never an exception. */
export type ActionOutcome =
  | { status: 'applied'; before: unknown; after: unknown; requestId?: string; lastApplied: LastAppliedRecord }
  | { status: 'skipped-stale'; before: unknown; after: unknown; message: string }
  | { status: 'failed'; before: unknown; after: unknown; failure: FailureCause };

/** A remote error keeps its service, status, code and request id; anything else is a bug and says so. */
export function failureOf(error: unknown): FailureCause {
  if (error instanceof RemoteApiError) {
    return {
      service: error.service,
      ...(error.status !== undefined && { status: error.status }),
      ...(error.errorCode !== undefined && { code: error.errorCode }),
      ...(error.requestId !== undefined && { requestId: error.requestId }),
      message: error.message,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: `internal error: ${message}` };
}

/** Shows a value in a stale-check message: JSON, so `null`, `""` and lists are told apart. */
export function shown(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
