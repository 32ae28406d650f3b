import { html, pathTo, type SafeHtml } from './html.js';
import type { CampaignPreview } from './campaign-source.js';
import type { CampaignRow } from './campaign-view.js';
import { renderLayout, statusBadge } from './render-layout.js';

const STATE_LABEL = { active: 'Running', upcoming: 'Upcoming', ended: 'Ended' } as const;
const STATE_BADGE = { active: 'ok', upcoming: 'drift', ended: 'in-sync' } as const;

function row(r: CampaignRow): SafeHtml {
  return html`<tr>
    <th scope="row">
      <a href="${pathTo('campaigns', r.id)}">${r.name}</a> <span class="muted">${r.id}</span>
    </th>
    <td>${statusBadge(STATE_BADGE[r.state], STATE_LABEL[r.state])}</td>
    <td>${r.start}</td>
    <td>${r.end}</td>
    <td>${r.audience ?? '—'}</td>
    <td>${r.priority}</td>
  </tr>`;
}

/** `/campaigns`: every configured campaign, running, upcoming and ended, with its audience. */
export function renderCampaignsPage(tenantId: string, rows: readonly CampaignRow[]): string {
  const body = rows.length
    ? html`<h1>Campaigns</h1>
        <p class="muted">
          Audiences are those of the latest plan: who shows the banner now (running) or at the start
          (upcoming).
        </p>
        <table>
          <thead>
            <tr>
              <th scope="col">Campaign</th>
              <th scope="col">State</th>
              <th scope="col">Start</th>
              <th scope="col">End</th>
              <th scope="col">Audience</th>
              <th scope="col">Priority</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map(row)}
          </tbody>
        </table>`
    : html`<h1>Campaigns</h1>
        <p>No campaign is configured (<code>desired-state/campaigns/</code>).</p>`;
  return renderLayout({ title: 'Campaigns', tenantId, body });
}

function frame(campaignId: string, email: string, banner: 'with' | 'without', title: string): SafeHtml {
  return html`<iframe
    class="preview"
    sandbox=""
    referrerpolicy="no-referrer"
    src="${pathTo('campaigns', campaignId, 'preview', email, banner)}"
    title="${title}"
  ></iframe>`;
}

/** `/campaigns/:id`: the banner, its link whole, and an employee's signature with and without it. */
export function renderCampaignPage(
  tenantId: string,
  campaign: CampaignRow,
  preview: CampaignPreview | undefined,
  email: string,
): string {
  const body = html`<p><a href="/campaigns">All campaigns</a></p>
    <h1>${campaign.name} <span class="muted">${campaign.id}</span></h1>
    <p>
      ${statusBadge(STATE_BADGE[campaign.state], STATE_LABEL[campaign.state])} ${campaign.start} –
      ${campaign.end}
    </p>
    <dl>
      <dt>Banner image</dt>
      <dd><code>${campaign.image}</code></dd>
      <dt>Link (with its utm parameters)</dt>
      <dd><code>${campaign.link}</code></dd>
      <dt>Audience</dt>
      <dd>${campaign.audience ?? '—'}</dd>
    </dl>
    <form method="get" action="${pathTo('campaigns', campaign.id)}">
      <label for="preview-email">Preview for employee (email)</label>
      <input id="preview-email" name="email" type="email" value="${email}" required />
      <button type="submit">Preview</button>
    </form>
    ${
      preview
        ? html`<h2>With the banner</h2>
            ${frame(campaign.id, preview.email, 'with', `Signature of ${preview.email} with the banner`)}
            <pre>${preview.with.text}</pre>
            <h2>Without it</h2>
            ${frame(campaign.id, preview.email, 'without', `Signature of ${preview.email} without the banner`)}
            <pre>${preview.without.text}</pre>`
        : email
          ? html`<p>No managed signature for ${email} in the latest plan.</p>`
          : ''
    }`;
  return renderLayout({ title: campaign.name, tenantId, body });
}
