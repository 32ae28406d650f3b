import type { Response } from 'express';

/** The one error shape of the status API (described in `schemas/status-api.openapi.yaml`). */
export interface ApiErrorBody {
  error: {
    status: number;
    code: string;
    message: string;
    /** Present on 500s: the id under which the failure was logged. */
    requestId?: string;
  };
}

export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  requestId?: string,
): void {
  const body: ApiErrorBody = { error: { status, code, message, ...(requestId ? { requestId } : {}) } };
  res.status(status).type('application/json').send(JSON.stringify(body));
}
