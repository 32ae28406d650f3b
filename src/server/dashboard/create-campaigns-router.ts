import express, { type Response, type Router } from 'express';
import { keepUrlQueries } from '../keep-url-queries.js';
import type { CampaignSource } from './campaign-source.js';
import { renderSignatureDocument } from './render-employee-page.js';
import { renderCampaignPage, renderCampaignsPage } from './render-campaigns-page.js';

/** The dashboard's page policy: its own script, style and frames only (as the other pages). */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/** A signature preview: markup and inline styles, https images; framed by the dashboard alone. */
const PREVIEW_CSP =
  "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; frame-ancestors 'self'";
const EMAIL = /^[^\s@/]{1,64}@[^\s@/]{1,253}$/;
const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

function sendPage(res: Response, status: number, body: string): void {
  res.status(status).set('Content-Security-Policy', PAGE_CSP).type('text/html; charset=utf-8').send(body);
}

/**
 * `/campaigns` (the list), `/campaigns/:id` (banner, link, a preview form) and the sandboxed
 * preview documents `/campaigns/:id/preview/:email/with|without`. Read-only: no action here.
 */
export function createCampaignsRouter(source: CampaignSource): Router {
  const router = express.Router();

  router.get('/campaigns', (_req, res) => {
    const { tenantId, rows } = source.list();
    sendPage(res, 200, renderCampaignsPage(tenantId, rows));
  });

  router.get('/campaigns/:id', async (req, res) => {
    const { tenantId, rows } = source.list();
    const campaign = rows.find((r) => r.id === req.params.id);
    if (!campaign) return void res.status(404).type('text/plain').send('No such campaign.');
    const email = typeof req.query.email === 'string' ? req.query.email.slice(0, 320) : '';
    const preview = EMAIL.test(email) ? await source.preview(campaign.id, email) : undefined;
    // Banner and link are reviewed configuration, shown whole (utm_* included), like the previews.
    keepUrlQueries(res);
    sendPage(res, 200, renderCampaignPage(tenantId, campaign, preview, EMAIL.test(email) ? email : ''));
  });

  router.get('/campaigns/:id/preview/:email/:banner', async (req, res) => {
    const { id, email, banner } = req.params;
    const preview =
      ID.test(id) && EMAIL.test(email) && (banner === 'with' || banner === 'without')
        ? await source.preview(id, email)
        : undefined;
    if (!preview) return void res.status(404).type('text/plain').send('No such preview.');
    keepUrlQueries(res);
    res
      .status(200)
      .set({ 'Content-Security-Policy': PREVIEW_CSP, 'X-Frame-Options': 'SAMEORIGIN' })
      .type('text/html; charset=utf-8')
      .send(renderSignatureDocument(banner === 'with' ? preview.with.html : preview.without.html));
  });

  return router;
}
