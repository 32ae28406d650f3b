import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { sendError } from './send-error.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Guards mutating routes with `Authorization: Bearer <token>`. The comparison runs on SHA-256
 * digests of equal length with `timingSafeEqual`, so neither content nor length leaks through
 * timing. Without a configured token mutations are refused, never left open.
 */
export function requireBearer(apiToken: string | undefined): RequestHandler {
  const expected = apiToken ? digest(apiToken) : undefined;
  return (req, res, next) => {
    if (!expected) {
      sendError(res, 403, 'mutations_disabled', 'mutations disabled: set ROSTER_API_TOKEN');
      return;
    }
    const match = /^Bearer +([^\s]+) *$/i.exec(req.get('authorization') ?? '');
    if (!match?.[1]) {
      res.set('WWW-Authenticate', 'Bearer realm="roster"');
      sendError(res, 401, 'unauthorized', 'bearer token required');
      return;
    }
    if (!timingSafeEqual(digest(match[1]), expected)) {
      sendError(res, 403, 'forbidden', 'invalid token');
      return;
    }
    next();
  };
}
