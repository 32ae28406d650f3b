import type { Response } from 'express';

/** The `res.locals` flag the status server reads before hiding URL query strings in a body. */
export const KEEP_URL_QUERIES = 'keepUrlQueries';

/**
 * Marks a response whose URLs must stay whole: the JSON plan, which `roster apply PLANFILE`
 * downloads photos from, the signature previews, which show the signature as it is mailed, and a
 * campaign's page, whose banner link is reviewed configuration shown whole (utm_* included).
 * Every other body of the status server shows URLs as `https://host/path?…`.
 */
export function keepUrlQueries(res: Response): void {
  res.locals[KEEP_URL_QUERIES] = true;
}
