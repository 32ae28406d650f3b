import { html, type SafeHtml } from './html.js';

/** The page frame: skip link, token form, notices and progress live regions, then the content. */
export function renderLayout(page: { title: string; tenantId?: string; body: SafeHtml }): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${page.title} · Roster</title>
        <link rel="stylesheet" href="/static/dashboard.css" />
        <script src="/static/live.js" defer></script>
        <script src="/static/dashboard.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to main content</a>
        <header>
          <p class="brand">
            <a href="/">Roster</a
            >${page.tenantId ? html` <span class="muted">· tenant ${page.tenantId}</span>` : ''} ·
            <a href="/campaigns">Campaigns</a>
          </p>
          <form id="token-form" class="js-only" hidden>
            <div>
              <label for="api-token">API token (for actions)</label>
              <input id="api-token" type="password" autocomplete="off" spellcheck="false" />
            </div>
            <button type="submit">Save token</button>
            <button type="button" class="secondary" id="token-clear">Forget</button>
            <span id="token-state" class="muted" aria-live="polite"></span>
          </form>
        </header>
        <div id="notices" aria-live="polite" aria-label="Notices"></div>
        <div id="progress-region" hidden>
          <label for="apply-progress">Apply progress</label>
          <progress id="apply-progress" max="1" value="0"></progress>
          <p id="progress-text" aria-live="polite"></p>
        </div>
        <main id="main" tabindex="-1">${page.body}</main>
      </body>
    </html> `.toString();
}

/** A status label with a symbol and words, so it never depends on colour. */
export function statusBadge(kind: 'drift' | 'in-sync' | 'warning' | 'ok' | 'fail', label: string): SafeHtml {
  const symbol = { drift: '●', 'in-sync': '✓', warning: '⚠', ok: '✓', fail: '✗' }[kind];
  return html`<span class="badge badge-${kind}"><span aria-hidden="true">${symbol}</span> ${label}</span>`;
}
