import express, { type RequestHandler, type Response, type Router } from 'express';
import { keepUrlQueries } from '../keep-url-queries.js';
import { sendError } from '../send-error.js';
import { createApplyJobs, type JobEvent } from './apply-jobs.js';
import type { DashboardSource, StatusFilter } from './dashboard-source.js';
import { DASHBOARD_LIVE_JS } from './dashboard-live-script.js';
import { DASHBOARD_JS } from './dashboard-script.js';
import { DASHBOARD_CSS } from './dashboard-style.js';
import { html } from './html.js';
import { createLiveOverview } from './live-overview.js';
import { renderEmployeePage, renderSignatureDocument } from './render-employee-page.js';
import { renderLayout } from './render-layout.js';
import { renderLiveParts, renderOverviewPage, type OverviewFilters } from './render-overview-page.js';

export interface DashboardRouterOptions {
  source: DashboardSource;
  /** Guards the actions; pass the status server's `requireBearer(apiToken)`. */
  apiTokenCheck: RequestHandler;
  /** Rows per page (default 50). */
  pageSize?: number;
  /** Most employees one batch may name (default 1,000). */
  maxBatch?: number;
  /** How often `GET /events` reads the overview for changes while a page follows it (default 2 s). */
  liveIntervalMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Pages may load only their own script, style, frames and images: a photo is shown through
 * Roster (the tenant's copy), never fetched by the browser from an HR URL.
 */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/** The signature preview: markup and inline styles only; framed by the dashboard alone. */
const PREVIEW_CSP =
  "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; frame-ancestors 'self'";
const EMAIL = /^[^\s@/]{1,64}@[^\s@/]{1,253}$/;
const JOB_ID = /^[0-9a-f]{32}$/;
const STATUSES = new Set<StatusFilter>(['all', 'drift', 'in-sync', 'warning']);

function sendPage(res: Response, status: number, body: string): void {
  res.status(status).set('Content-Security-Policy', PAGE_CSP).type('text/html; charset=utf-8').send(body);
}

function notFoundPage(res: Response, what: string): void {
  const body = html`<h1>Not found</h1>
    <p>${what}</p>
    <p><a href="/">Back to all employees</a></p>`;
  sendPage(res, 404, renderLayout({ title: 'Not found', body }));
}

function text(value: unknown, max: number): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

function filtersOf(query: Record<string, unknown>): OverviewFilters & { page: number } {
  const status = text(query.status, 20) as StatusFilter;
  const page = text(query.page, 7);
  return {
    search: text(query.search, 200),
    status: STATUSES.has(status) ? status : 'all',
    office: text(query.office, 200),
    page: /^\d{1,6}$/.test(page) ? Number(page) : 1,
  };
}

/** The emails of `POST /actions/apply`, or the reason the body is refused. */
function batchOf(body: unknown, max: number): string[] | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const keys = Object.keys(body);
  if (keys.some((k) => k !== 'emails')) return 'only the field emails is allowed';
  const emails = (body as { emails?: unknown }).emails;
  if (!Array.isArray(emails) || emails.length === 0 || emails.length > max) {
    return `emails must be a list of 1 to ${max} email addresses`;
  }
  if (!emails.every((e): e is string => typeof e === 'string' && EMAIL.test(e))) {
    return 'every entry of emails must be an email address';
  }
  return [...new Set(emails.map((e) => e.toLowerCase()))];
}

/**
 * The dashboard: server-rendered pages that work without JavaScript, a small script for the
 * actions, and the apply endpoints (token-guarded start, unguessable-id progress stream).
 */
export function createDashboardRouter(options: DashboardRouterOptions): Router {
  const { source } = options;
  const pageSize = options.pageSize ?? 50;
  const maxBatch = options.maxBatch ?? 1_000;
  const jobs = createApplyJobs({ source, ...(options.onError ? { onError: options.onError } : {}) });
  const live = createLiveOverview({
    async read() {
      const overview = await source.overview();
      // The parts of `/` that change, rendered as the page renders them (one vocabulary).
      return JSON.stringify({ overview, html: renderLiveParts(overview) });
    },
    ...(options.liveIntervalMs !== undefined ? { intervalMs: options.liveIntervalMs } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const router = express.Router();
  const json = express.json({ limit: '128kb', strict: true, type: () => true });

  router.get('/', async (req, res) => {
    const filters = filtersOf(req.query as Record<string, unknown>);
    const [overview, page] = await Promise.all([
      source.overview(),
      source.employees({ ...filters, pageSize }),
    ]);
    sendPage(res, 200, renderOverviewPage(overview, page, filters));
  });

  router.get('/employees/:email', async (req, res) => {
    const email = req.params.email;
    const detail = EMAIL.test(email) ? await source.employee(email) : undefined;
    if (!detail) return notFoundPage(res, 'No such employee in the latest plan.');
    sendPage(res, 200, renderEmployeePage(detail));
  });

  router.get('/employees/:email/signature-preview', async (req, res) => {
    const email = req.params.email;
    const detail = EMAIL.test(email) ? await source.employee(email) : undefined;
    if (!detail?.signature) return notFoundPage(res, 'No signature is managed for this employee.');
    keepUrlQueries(res);
    res
      .status(200)
      .set({ 'Content-Security-Policy': PREVIEW_CSP, 'X-Frame-Options': 'SAMEORIGIN' })
      .type('text/html; charset=utf-8')
      .send(renderSignatureDocument(detail.signature.desiredHtml));
  });

  // Live runs and state for open pages: the overview (what `/status` and `/readyz` tell, and the
  // table's counts) whenever it changes. Read-only like `/status`; the Host and Origin check
  // before every route keeps other sites' pages (and DNS rebinding) from following it.
  router.get('/events', (_req, res) => {
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const stop = live.follow((json) => res.write(`event: overview\ndata: ${json}\n\n`));
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    res.on('close', () => {
      clearInterval(heartbeat);
      stop();
    });
  });

  router.get('/static/dashboard.js', (_req, res) => {
    res.type('text/javascript; charset=utf-8').send(DASHBOARD_JS);
  });
  router.get('/static/live.js', (_req, res) => {
    res.type('text/javascript; charset=utf-8').send(DASHBOARD_LIVE_JS);
  });
  router.get('/static/dashboard.css', (_req, res) => {
    res.type('text/css; charset=utf-8').send(DASHBOARD_CSS);
  });

  router.post('/actions/apply', options.apiTokenCheck, json, async (req, res) => {
    const emails = batchOf(req.body, maxBatch);
    if (typeof emails === 'string') return sendError(res, 400, 'invalid_body', emails);
    for (const email of emails) {
      if (!(await source.employee(email))) {
        return sendError(res, 404, 'unknown-employee', `${email} is not in the latest plan`);
      }
    }
    const started = jobs.start(emails);
    if ('busy' in started)
      return sendError(res, 409, 'busy', 'another apply is running; try again when it ends');
    res.status(202).json(started);
  });

  // Calls Microsoft (one photo and one signature read): token-guarded like the other actions.
  router.post('/employees/:email/read-back', options.apiTokenCheck, async (req, res) => {
    const email = typeof req.params.email === 'string' ? req.params.email : '';
    if (!source.readBack) return sendError(res, 404, 'not_found', 'reading back is not available here');
    const found = EMAIL.test(email) ? await source.readBack(email) : undefined;
    if (!found)
      return sendError(res, 404, 'unknown-employee', `${email.slice(0, 320)} is not in the HR source`);
    res.status(200).json(found);
  });

  router.get('/actions/:jobId/events', (req, res) => {
    const jobId = req.params.jobId;
    const write = (event: JobEvent) => {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
      if (event.type === 'complete') res.end();
    };
    if (!JOB_ID.test(jobId) || !jobs.has(jobId)) return sendError(res, 404, 'job_not_found', 'no such job');
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const stop = jobs.follow(jobId, write);
    if (!stop || res.writableEnded) return;
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    res.on('close', () => {
      clearInterval(heartbeat);
      stop();
    });
  });

  return router;
}
