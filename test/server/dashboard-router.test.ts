import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { planChanges } from '../../src/plan/plan-changes.js';
import {
  desiredState,
  employee,
  observedState,
  planOptions,
  renderTestSignature,
  signature,
  user,
} from '../../src/plan/test-builders.js';
import {
  createStatusApp,
  startStatusServer,
  type StatusServer,
} from '../../src/server/create-status-server.js';
import { buildDashboardView, employeeDetail } from '../../src/server/dashboard/build-dashboard-view.js';
import { createDashboardRouter } from '../../src/server/dashboard/create-dashboard-router.js';
import { summarizeEmployees } from '../../src/plan/employee-summary.js';
import { indexUsers, matchEmployees } from '../../src/plan/match-employees.js';
import type { EmployeeLook } from '../../src/reconcile/make-plan.js';
import type { ApplyProgress, DashboardSource } from '../../src/server/dashboard/dashboard-source.js';
import { createMetrics } from '../../src/server/metrics.js';
import { requireBearer } from '../../src/server/require-bearer.js';
import { FakeController } from './fake-controller.js';

const TOKEN = 'dash-router-token-5b7d9f1a';
const KARI = 'kari@example.no';
const OLA = 'ola@example.no';

/** A source over a real plan; applies are recorded and can be held open with `gate`. */
function createSource() {
  const desired = desiredState([
    employee(KARI, {
      fields: { jobTitle: 'Seniorrådgiver' },
      photoUrl: 'https://hr.example.no/kari.jpg?token=hr-token-9d8e',
      signature: signature(
        '<p style="color:#123">Kari <b>Nordmann</b></p><script>parent.x=1</script>',
        'Kari Nordmann',
      ),
    }),
    employee(OLA, { fields: { jobTitle: 'Rådgiver' } }),
  ]);
  const observed = observedState([
    user(KARI, { fields: { jobTitle: 'Rådgiver' } }),
    user(OLA, { fields: { jobTitle: 'Rådgiver' } }),
  ]);
  const plan = planChanges(desired, observed, new Map(), planOptions());
  const { matches } = matchEmployees(desired.employees, indexUsers(observed.users), ['example.no']);
  const view = buildDashboardView(
    summarizeEmployees({
      employees: desired.employees,
      matches,
      actions: plan.actions,
      warnings: plan.warnings,
    }),
  );
  /** What `lookAtEmployee` gives for an employee of this plan. */
  const lookOf = (email: string): EmployeeLook | undefined => {
    const summary = view.summary(email);
    if (!summary) return undefined;
    const employee = desired.employees.find((e) => e.key === summary.email);
    const user = matches.find((m) => m.employee === employee)?.user;
    return {
      summary,
      ...(employee ? { employee } : {}),
      ...(user ? { user } : {}),
      ...(employee?.signature ? { signature: renderTestSignature(employee.signature) } : {}),
      actions: plan.actions.filter((a) => a.employee.toLowerCase() === summary.email),
    };
  };
  const calls: string[][] = [];
  let release: () => void = () => {};
  const state = { gate: undefined as Promise<void> | undefined };
  const source: DashboardSource = {
    overview: () => ({
      tenantId: 'tenant-1',
      checks: { token: { ok: true }, graph: { ok: true }, exchange: { ok: true }, database: { ok: true } },
      roamingSignaturesPostponed: true,
      leader: { isLeader: true },
      conditions: [],
      drift: { profile: 1, photo: 0, signature: 1, warnings: 0, employees: 2, drifted: 1, inSync: 1 },
    }),
    employees: (q) => view.query(q),
    employee: (email) => employeeDetail(lookOf(email), view.summary(email)),
    async applyEmployees(emails, onProgress: (e: ApplyProgress) => void) {
      calls.push(emails);
      for (const [i, email] of emails.entries()) {
        if (state.gate) await state.gate;
        onProgress({
          done: i + 1,
          total: emails.length,
          email,
          outcome: email === KARI ? 'applied' : 'nothing-to-do',
        });
      }
      return {
        total: emails.length,
        applied: emails.length,
        failed: 0,
        stopped: 0,
        results: emails.map((email) => ({ email, outcome: 'applied' as const })),
      };
    },
  };
  return {
    source,
    calls,
    hold() {
      state.gate = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
  };
}

let server: StatusServer;
let src: ReturnType<typeof createSource>;
beforeEach(async () => {
  src = createSource();
  const app = createStatusApp({
    api: new FakeController(),
    metrics: createMetrics({ defaultMetrics: false }),
    logger: createLogger({ level: 'silent' }),
    apiToken: TOKEN,
    dashboard: createDashboardRouter({ source: src.source, apiTokenCheck: requireBearer(TOKEN) }),
  });
  server = await startStatusServer({ app, port: 0 });
});
afterEach(async () => {
  await server.close();
});

function apply(body: unknown, token: string | null = TOKEN) {
  return fetch(`${server.url}/actions/apply`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

describe('dashboard pages', () => {
  it('serves the overview without JavaScript, filtered by the query string, under a strict CSP', async () => {
    const res = await fetch(`${server.url}/?status=drift&search=kari`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const body = await res.text();
    expect(body).toContain('1 employee match; page 1 of 1.');
    expect(body).toContain('href="/employees/kari%40example.no"');
    expect(body).not.toContain(OLA);
    expect(await (await fetch(`${server.url}/?status=in-sync`)).text()).toContain(OLA);
  });

  it('serves the signature preview as its own document: scripts blocked by CSP, framable only by the dashboard', async () => {
    const res = await fetch(`${server.url}/employees/${encodeURIComponent(KARI)}/signature-preview`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; frame-ancestors 'self'",
    );
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(await res.text()).toContain('<p style="color:#123">Kari <b>Nordmann</b></p>');
    const page = await (await fetch(`${server.url}/employees/${encodeURIComponent(KARI)}`)).text();
    expect(page).toMatch(/<iframe\s+class="preview"\s+sandbox=""\s/);
  });

  it('shows the HR photo URL as text without its query string and loads no image from HR', async () => {
    const res = await fetch(`${server.url}/employees/${encodeURIComponent(KARI)}`);
    expect(res.headers.get('content-security-policy')).toContain("img-src 'self' data:;");
    const page = await res.text();
    expect(page).toContain('<code>https://hr.example.no/kari.jpg?…</code>');
    expect(page).not.toContain('hr-token');
    expect(page).not.toMatch(/<img[^>]+hr\.example\.no/);
  });

  it('answers an unknown employee with an HTML 404 and an unknown path with the JSON 404', async () => {
    const res = await fetch(`${server.url}/employees/nobody%40example.no`);
    expect([res.status, res.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8']);
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);
  });
});

describe('apply actions', () => {
  it('refuses without a token or with a wrong one, before reading the body', async () => {
    const none = await apply({ emails: [KARI] }, null);
    expect([none.status, await none.json()]).toEqual([
      401,
      { error: { status: 401, code: 'unauthorized', message: 'bearer token required' } },
    ]);
    expect((await apply({ emails: [KARI] }, 'wrong')).status).toBe(403);
    expect(src.calls).toEqual([]);
  });

  it('validates the body and the employees', async () => {
    const bad = async (body: unknown) => {
      const res = await apply(body);
      return `${res.status} ${((await res.json()) as { error: { message: string } }).error.message}`;
    };
    expect(await bad({ emails: [] })).toBe('400 emails must be a list of 1 to 1000 email addresses');
    expect(await bad({ emails: ['not-an-email'] })).toBe(
      '400 every entry of emails must be an email address',
    );
    expect(await bad({ emails: [KARI], all: true })).toBe('400 only the field emails is allowed');
    expect(await bad({ emails: ['x@example.no'] })).toBe('404 x@example.no is not in the latest plan');
    expect(src.calls).toEqual([]);
  });

  it('starts a job with a 128-bit id and streams progress until complete; one job at a time', async () => {
    src.hold();
    const res = await apply({ emails: [KARI, 'OLA@example.no', KARI] });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: string };
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(src.calls).toEqual([[KARI, OLA]]);
    expect((await apply({ emails: [OLA] })).status).toBe(409);
    const events = fetch(`${server.url}/actions/${jobId}/events`);
    src.release();
    const stream = await events;
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await stream.text();
    expect(text).toBe(
      [
        `event: progress\ndata: {"done":1,"total":2,"email":"${KARI}","outcome":"applied"}`,
        `event: progress\ndata: {"done":2,"total":2,"email":"${OLA}","outcome":"nothing-to-do"}`,
        `event: complete\ndata: {"done":2,"total":2,"result":{"total":2,"applied":2,"failed":0,"stopped":0,"results":[{"email":"${KARI}","outcome":"applied"},{"email":"${OLA}","outcome":"applied"}]}}`,
        '',
      ].join('\n\n'),
    );
    // A late follower gets the whole history replayed.
    expect(await (await fetch(`${server.url}/actions/${jobId}/events`)).text()).toBe(text);
    expect((await fetch(`${server.url}/actions/${'0'.repeat(32)}/events`)).status).toBe(404);
  });

  it('answers no page, action or event stream to a rebinding Host or a foreign Origin', async () => {
    const res = await apply({ emails: [KARI] });
    const { jobId } = (await res.json()) as { jobId: string };
    const port = new URL(server.url).port;
    const get = (path: string, headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, headers, setHost: false }, (r) => {
          let body = '';
          r.setEncoding('utf8').on('data', (c: string) => (body += c));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        });
        req.on('error', reject).end();
      });
    const rebinding = { host: `attacker.example:${port}` };
    for (const path of ['/', `/employees/${encodeURIComponent(KARI)}`, `/actions/${jobId}/events`]) {
      const answer = await get(path, rebinding);
      expect(answer.status, path).toBe(421);
      expect(answer.body).not.toContain(KARI);
    }
    const foreign = await get(`/actions/${jobId}/events`, {
      host: `127.0.0.1:${port}`,
      origin: 'http://attacker.example',
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).not.toContain(KARI);
    const post = await fetch(`${server.url}/actions/apply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, origin: 'null' },
      body: JSON.stringify({ emails: [OLA] }),
    });
    expect(post.status).toBe(403);
    expect(src.calls).toEqual([[KARI]]);
  });
});
