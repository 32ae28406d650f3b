import type {
  EmployeeDetail,
  FieldComparison,
  PhotoComparison,
  SignatureComparison,
} from './dashboard-source.js';
import { displayUrl } from '../../secrets/display-url.js';
import { html, pathTo, type SafeHtml } from './html.js';
import { renderLayout, statusBadge } from './render-layout.js';
import { differsOnlyInWhitespace, visibleWhitespace } from './visible-whitespace.js';

function value(v: string | null | undefined, absent: string): SafeHtml {
  if (v === undefined || v === null || v === '') return html`<span class="muted">${absent}</span>`;
  return html`${v}`;
}

function fieldRow(f: FieldComparison): SafeHtml {
  // Values that differ only in spaces, tabs or newlines look equal: draw the whitespace.
  if (f.differs && differsOnlyInWhitespace(f.current, f.desired)) {
    return html`<tr class="whitespace-only">
      <th scope="row">${f.field}</th>
      <td>${visibleWhitespace(f.current!)}</td>
      <td>${visibleWhitespace(f.desired!)}</td>
      <td>${statusBadge('drift', 'Differs in whitespace only')}</td>
    </tr>`;
  }
  return html`<tr>
    <th scope="row">${f.field}</th>
    <td>${value(f.current, '(empty)')}</td>
    <td>
      ${f.desired === undefined ? html`<span class="muted">(left alone)</span>` : value(f.desired, '(cleared)')}
    </td>
    <td>${f.differs ? statusBadge('drift', 'Differs') : statusBadge('in-sync', 'Same')}</td>
  </tr>`;
}

function fieldsTable(fields: FieldComparison[]): SafeHtml {
  if (fields.length === 0) return html`<p>No managed fields (no tenant user or no desired values).</p>`;
  const rows = fields.map(fieldRow);
  return html`<div class="table-wrap">
    <table id="fields">
      <caption class="muted">
        Current (tenant) against desired (HR and overrides)
      </caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Current</th>
          <th scope="col">Desired</th>
          <th scope="col">Compared</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`;
}

function photoSection(photo: PhotoComparison, name: string): SafeHtml {
  const current =
    photo.currentEtag === undefined
      ? html`<p class="muted">Not read back this run.</p>`
      : photo.currentEtag === null
        ? html`<p>No photo in the tenant.</p>`
        : html`<p>Tenant photo, version <code>${photo.currentEtag}</code>.</p>`;
  return html`<section aria-labelledby="photo-h">
    <h2 id="photo-h">Photo</h2>
    <div class="grid">
      <div>
        <h3>Current</h3>
        ${current}${photo.currentUrl ? html`<img class="photo" src="${photo.currentUrl}" alt="Current tenant photo of ${name}" />` : ''}
      </div>
      <div>
        <h3>Desired</h3>
        ${
          photo.desiredUrl
            ? html`<p>From HR: <code>${displayUrl(photo.desiredUrl)}</code></p>`
            : html`<p class="muted">No photo in HR (a tenant photo is never removed).</p>`
        }
      </div>
    </div>
    ${photo.action ? html`<p>${statusBadge('drift', 'Pending')} ${photo.action}</p>` : ''}
  </section>`;
}

function signatureSection(sig: SignatureComparison | undefined, email: string, name: string): SafeHtml {
  if (!sig)
    return html`<section aria-labelledby="sig-h">
      <h2 id="sig-h">Signature</h2>
      <p>No signature is managed for this employee.</p>
    </section>`;
  const diff = (d: string, what: string) =>
    d
      ? html`<pre class="diff">${d}</pre>`
      : html`<p class="muted">
          ${sig.currentText === undefined ? `Current ${what} not read back this run.` : `No ${what} difference.`}
        </p>`;
  return html`<section aria-labelledby="sig-h">
    <h2 id="sig-h">Signature <span class="muted">(template ${sig.template})</span></h2>
    <h3>Desired preview</h3>
    <iframe
      class="preview"
      sandbox=""
      referrerpolicy="no-referrer"
      src="${pathTo('employees', email, 'signature-preview')}"
      title="Desired signature of ${name}"
    ></iframe>
    <h3>Text version</h3>
    <pre id="signature-text">${sig.desiredText}</pre>
    <h3>Current against desired (text)</h3>
    ${diff(sig.textDiff, 'text')}
    <details>
      <summary>Current against desired (HTML)</summary>
      ${diff(sig.htmlDiff, 'HTML')}
    </details>
  </section>`;
}

/** `/employees/:email`: field-by-field comparison, photo, signature preview and diffs, actions. */
export function renderEmployeePage(detail: EmployeeDetail, tenantId?: string): string {
  const { row } = detail;
  const name = row.displayName || row.email;
  const status =
    row.status === 'drift'
      ? statusBadge('drift', 'Drift')
      : row.status === 'warning'
        ? statusBadge('warning', 'Warning')
        : statusBadge('in-sync', 'In sync');
  const actions = detail.actions.map((a) => html`<li><strong>${a.kind}</strong>: ${a.reason}</li>`);
  const warnings = detail.warnings.map((w) => html`<li>${w}</li>`);
  return renderLayout({
    title: name,
    ...(tenantId ? { tenantId } : {}),
    body: html`<p><a href="/">← All employees</a></p>
      <h1>${name} <span class="muted">${row.email}</span></h1>
      <p>
        ${status} ${row.jobTitle ? html`· ${row.jobTitle}` : ''}
        ${row.office ? html`· ${row.office}` : ''}${detail.userPrincipalName ? html` · tenant user <code>${detail.userPrincipalName}</code>` : html` · <strong>no matching tenant user</strong>`}
      </p>
      <div class="actions-bar js-only" hidden>
        <button type="button" data-action="apply-one" data-email="${row.email}">
          Apply for this employee
        </button>
        ${
          detail.userPrincipalName
            ? html`<button type="button" class="secondary" data-action="read-back" data-email="${row.email}">
                Read back now
              </button>`
            : ''
        }
      </div>
      <section id="read-back" class="read-back" aria-labelledby="read-back-h" tabindex="-1" hidden></section>
      <section aria-labelledby="actions-h">
        <h2 id="actions-h">Pending actions</h2>
        ${
          actions.length > 0
            ? html`<ul id="pending-actions">
                ${actions}
              </ul>`
            : html`<p>None: in sync.</p>`
        }
      </section>
      ${
        warnings.length > 0
          ? html`<section aria-labelledby="warnings-h">
              <h2 id="warnings-h">Warnings</h2>
              <ul>
                ${warnings}
              </ul>
            </section>`
          : ''
      }
      <section aria-labelledby="fields-h">
        <h2 id="fields-h">Profile fields</h2>
        ${fieldsTable(detail.fields)}
      </section>
      ${photoSection(detail.photo, name)} ${signatureSection(detail.signature, row.email, name)}`,
  });
}

/**
 * The desired signature as a standalone document for the sandboxed preview frame. The HTML goes in
 * unescaped on purpose: showing it is the point. The route serves it with a CSP allowing no
 * scripts, no connections and only https/data images, and the frame has no `allow-scripts`.
 */
export function renderSignatureDocument(desiredHtml: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>Signature preview</title></head><body>\n${desiredHtml}\n</body></html>\n`;
}
