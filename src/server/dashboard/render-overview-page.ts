import type { ReadinessCheck } from '../../controller/controller-api.js';
import type { RunSummary } from '../../controller/status-model.js';
import type { DashboardOverview, EmployeePage, EmployeeRow, StatusFilter } from './dashboard-source.js';
import { count, NOUNS, type Noun } from '../../plan/plan-counts.js';
import { html, pathTo, type SafeHtml } from './html.js';
import { renderLayout, statusBadge } from './render-layout.js';

/** The table's filters as they came in the query string (already validated). */
export interface OverviewFilters {
  search: string;
  status: StatusFilter;
  office: string;
}

const STATUS_LABELS: Record<StatusFilter, string> = {
  all: 'All',
  drift: 'Drift',
  'in-sync': 'In sync',
  warning: 'With warnings',
};

/** A count's label in the plan vocabulary: `Profile updates`. */
function label(noun: Noun): string {
  return noun.other.charAt(0).toUpperCase() + noun.other.slice(1);
}

function checkRow(name: string, check: ReadinessCheck): SafeHtml {
  return html`<tr data-check="${name}">
    <th scope="row">${name}</th>
    <td>${check.ok ? statusBadge('ok', 'OK') : statusBadge('fail', 'Failing')}</td>
    <td>${check.message ?? ''}</td>
  </tr>`;
}

function connection(o: DashboardOverview): SafeHtml {
  const roaming =
    o.roamingSignaturesPostponed === undefined
      ? statusBadge('warning', 'Unknown')
      : o.roamingSignaturesPostponed
        ? statusBadge('ok', 'Postponed: signatures show in Outlook')
        : statusBadge('fail', 'Roaming signatures on: pushed signatures will not show');
  const leader = o.leader.isLeader
    ? statusBadge('ok', 'Leader (this instance)')
    : statusBadge('warning', `Standby${o.leader.holder ? `: leader is ${o.leader.holder}` : ''}`);
  return html`<section aria-labelledby="connection-h">
    <h2 id="connection-h">Tenant connection</h2>
    <div class="table-wrap">
      <table id="connection">
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">State</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          ${checkRow('Token', o.checks.token)}${checkRow('Microsoft Graph', o.checks.graph)}${checkRow('Exchange Online', o.checks.exchange)}${checkRow('Database', o.checks.database)}
          <tr>
            <th scope="row">Roaming signatures</th>
            <td colspan="2">${roaming}</td>
          </tr>
          <tr>
            <th scope="row">Controller</th>
            <td colspan="2">${leader}${o.mode ? html` <span class="muted">mode: ${o.mode}</span>` : ''}</td>
          </tr>
        </tbody>
      </table>
    </div>
  </section>`;
}

/** The last apply; the plans that follow applies (the dashboard's, the schedule's) are named apart. */
function lastApply(run: RunSummary | undefined, latest: RunSummary | undefined): SafeHtml {
  const plan =
    latest && latest.kind === 'plan' && latest.id !== run?.id
      ? html`<p class="muted" id="last-plan">
          Latest plan:
          ${latest.outcome}${latest.finishedAt ? html`, <time datetime="${latest.finishedAt}">${latest.finishedAt}</time>` : ''}
        </p>`
      : '';
  if (!run)
    return html`<p>No apply yet.</p>
      ${plan}`;
  const a = run.actions;
  return html`<dl class="counts" id="last-apply">
      <dt>Kind</dt>
      <dd>${run.kind}</dd>
      <dt>Outcome</dt>
      <dd>${run.outcome}</dd>
      <dt>Started</dt>
      <dd><time datetime="${run.startedAt}">${run.startedAt}</time></dd>
      ${
        run.durationSeconds !== undefined
          ? html`<dt>Duration</dt>
              <dd>${run.durationSeconds.toFixed(1)} s</dd>`
          : ''
      }
      <dt>Planned</dt>
      <dd>
        ${count(a['update-profile'] + a['set-photo'] + a['set-signature'], NOUNS.change)}:
        ${count(a['update-profile'], NOUNS.profileUpdate)}, ${count(a['set-photo'], NOUNS.photo)},
        ${count(a['set-signature'], NOUNS.signature)}
      </dd>
      <dt>Written</dt>
      <dd>
        ${run.results.applied} applied, ${run.results['skipped-stale']} skipped (stale), ${run.results.failed}
        failed
      </dd>
      ${
        run.guardrailsTripped.length > 0
          ? html`<dt>Guardrails</dt>
              <dd>${run.guardrailsTripped.join(', ')}</dd>`
          : ''
      }
      ${
        run.error
          ? html`<dt>Error</dt>
              <dd>${run.error}</dd>`
          : ''
      }
    </dl>
    ${plan}`;
}

function driftSection(o: DashboardOverview): SafeHtml {
  const d = o.drift;
  const conditions = o.conditions.map(
    (c) =>
      html`<tr>
        <th scope="row">${c.type}</th>
        <td>${c.status}</td>
        <td>${c.reason}</td>
        <td>${c.message}</td>
      </tr>`,
  );
  return html`<section class="grid">
      <div aria-labelledby="drift-h">
        <h2 id="drift-h">Drift</h2>
        <dl class="counts" id="drift-summary">
          <dt>${label(NOUNS.employee)}</dt>
          <dd id="drift-employees">${d.employees}</dd>
          <dt>With changes</dt>
          <dd id="drift-drifted">${d.drifted}</dd>
          <dt>In sync</dt>
          <dd id="drift-in-sync">${d.inSync}</dd>
          <dt>${label(NOUNS.change)}</dt>
          <dd id="drift-changes">${d.profile + d.photo + d.signature}</dd>
          <dt>${label(NOUNS.profileUpdate)}</dt>
          <dd id="drift-profile">${d.profile}</dd>
          <dt>${label(NOUNS.photo)}</dt>
          <dd id="drift-photo">${d.photo}</dd>
          <dt>${label(NOUNS.signature)}</dt>
          <dd id="drift-signature">${d.signature}</dd>
          <dt>${label(NOUNS.warning)}</dt>
          <dd id="drift-warnings">${d.warnings}</dd>
        </dl>
        ${o.plannedAt ? html`<p class="muted" id="planned-at">Planned at <time datetime="${o.plannedAt}">${o.plannedAt}</time></p>` : ''}
      </div>
      <div aria-labelledby="run-h" id="last-run">
        <h2 id="run-h">Last apply</h2>
        ${lastApply(o.lastApply, o.lastRun)}
      </div>
    </section>
    <section aria-labelledby="conditions-h">
      <h2 id="conditions-h">Conditions</h2>
      ${
        conditions.length === 0
          ? html`<p>No conditions reported.</p>`
          : html`<div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Type</th>
                    <th scope="col">Status</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Message</th>
                  </tr>
                </thead>
                <tbody>
                  ${conditions}
                </tbody>
              </table>
            </div>`
      }
    </section>`;
}

function rowStatus(row: EmployeeRow): SafeHtml {
  const label =
    row.status === 'drift'
      ? `Drift: ${row.pending.map((k) => k.replace(/^(update|set)-/, '')).join(', ')}`
      : row.status === 'warning'
        ? 'Warning'
        : 'In sync';
  return html`${statusBadge(row.status, label)}${row.warnings > 0 && row.status === 'drift' ? html` ${statusBadge('warning', count(row.warnings, NOUNS.warning))}` : ''}${row.matched ? '' : html` <span class="muted">(no tenant user)</span>`}`;
}

function pageLink(filters: OverviewFilters, page: number): string {
  const q = new URLSearchParams();
  if (filters.search) q.set('search', filters.search);
  if (filters.status !== 'all') q.set('status', filters.status);
  if (filters.office) q.set('office', filters.office);
  q.set('page', String(page));
  return `/?${q.toString()}`;
}

function employeeTable(page: EmployeePage, filters: OverviewFilters): SafeHtml {
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  const rows = page.rows.map(
    (r) =>
      html`<tr>
        <td>
          <input
            type="checkbox"
            name="select"
            value="${r.email}"
            class="js-only"
            hidden
            aria-label="Select ${r.email}"
          />
        </td>
        <th scope="row"><a href="${pathTo('employees', r.email)}">${r.email}</a></th>
        <td>${r.displayName}</td>
        <td>${r.jobTitle}</td>
        <td>${r.office}</td>
        <td>${rowStatus(r)}</td>
      </tr>`,
  );
  const options = (Object.keys(STATUS_LABELS) as StatusFilter[]).map(
    (s) =>
      html`<option value="${s}" ${s === filters.status ? html` selected` : ''}>${STATUS_LABELS[s]}</option>`,
  );
  const offices = page.offices.map(
    (o) => html`<option value="${o}" ${o === filters.office ? html` selected` : ''}>${o}</option>`,
  );
  return html`<section aria-labelledby="employees-h">
    <h2 id="employees-h">Employees</h2>
    <form class="filters" method="get" action="/" role="search">
      <div>
        <label for="f-search">Search</label
        ><input id="f-search" name="search" type="search" value="${filters.search}" />
      </div>
      <div>
        <label for="f-status">Status</label
        ><select id="f-status" name="status">
          ${options}
        </select>
      </div>
      <div>
        <label for="f-office">Office</label
        ><select id="f-office" name="office">
          <option value="">All offices</option>
          ${offices}
        </select>
      </div>
      <button type="submit">Filter</button>
    </form>
    <p id="employee-count">${count(page.total, NOUNS.employee)} match; page ${page.page} of ${pages}.</p>
    <div class="actions-bar js-only" hidden>
      <button type="button" data-action="apply-selected">Apply selected</button>
    </div>
    <div class="table-wrap">
      <table id="employees">
        <thead>
          <tr>
            <th scope="col">
              <input
                type="checkbox"
                id="select-all"
                class="js-only"
                hidden
                aria-label="Select all on this page"
              />
            </th>
            <th scope="col">Email</th>
            <th scope="col">Name</th>
            <th scope="col">Title</th>
            <th scope="col">Office</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </div>
    <nav class="pages" aria-label="Pagination">
      ${page.page > 1 ? html`<a href="${pageLink(filters, page.page - 1)}" rel="prev">← Previous page</a>` : ''}
      <span>Page ${page.page} of ${pages}</span>
      ${page.page < pages ? html`<a href="${pageLink(filters, page.page + 1)}" rel="next">Next page →</a>` : ''}
    </nav>
  </section>`;
}

/** The parts of `/` that `GET /events` sends again when they change (`#live-*` on the page). */
export function renderLiveParts(overview: DashboardOverview): { connection: string; summary: string } {
  return { connection: connection(overview).toString(), summary: driftSection(overview).toString() };
}

/** `/`: tenant connection, drift, last run and conditions, then the filtered, paginated table. */
export function renderOverviewPage(
  overview: DashboardOverview,
  page: EmployeePage,
  filters: OverviewFilters,
): string {
  return renderLayout({
    title: 'Directory status',
    tenantId: overview.tenantId,
    body: html`<h1>Directory status</h1>
      <div id="live-connection">${connection(overview)}</div>
      <div id="live-summary" data-planned-at="${overview.plannedAt ?? ''}">${driftSection(overview)}</div>
      ${employeeTable(page, filters)}`,
  });
}
