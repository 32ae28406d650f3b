import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createLogger } from '../../src/logging/logger.js';
import { createMetrics } from '../../src/server/metrics.js';
import {
  createStatusApp,
  startStatusServer,
  statusRoutes,
  statusServerSettingsFromEnv,
  type StatusServer,
} from '../../src/server/create-status-server.js';
import { createDashboardRouter } from '../../src/server/dashboard/create-dashboard-router.js';
import type { DashboardSource } from '../../src/server/dashboard/dashboard-source.js';
import { FakeController, RUN_ID, samplePlan } from './fake-controller.js';

const TOKEN = 'tok-3f9a8c7e1d2b4a6f9e8d7c6b5a4f3e2d';
const SECRET = 'planted-client-secret-Zq81xP';

interface Harness {
  api: FakeController;
  server: StatusServer;
  lines: string[];
}

/** `apiToken: null` configures no token. */
async function start(apiToken: string | null = TOKEN): Promise<Harness> {
  const api = new FakeController();
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (l) => lines.push(l) },
    secrets: [SECRET],
  });
  const app = createStatusApp({
    api,
    metrics: createMetrics({ defaultMetrics: false }),
    ...(apiToken !== null ? { apiToken } : {}),
    logger,
    secrets: [SECRET],
  });
  const server = await startStatusServer({ app, port: 0 });
  return { api, server, lines };
}

let h: Harness;
beforeEach(async () => {
  h = await start();
});
afterEach(async () => {
  await h.server.close();
});

// Bodies are checked by value; `any` keeps the property paths short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function read(res: Response): Promise<any> {
  return res.json();
}

function call(path: string, init: RequestInit = {}) {
  return fetch(`${h.server.url}${path}`, init);
}

/** `token: null` sends no Authorization header. */
function post(path: string, body?: string, token: string | null = TOKEN) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return call(path, { method: 'POST', headers, ...(body !== undefined ? { body } : {}) });
}

describe('read routes', () => {
  it('binds to 127.0.0.1 and serves /healthz with security headers', async () => {
    expect(h.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await call('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(await read(res)).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200 when ready and 503 with the checks when not', async () => {
    expect((await call('/readyz')).status).toBe(200);
    h.api.ready = { ready: false, checks: { database: { ok: false, message: 'connection refused' } } };
    const res = await call('/readyz');
    expect(res.status).toBe(503);
    expect(await read(res)).toEqual(h.api.ready);
  });

  it('serves /status as JSON', async () => {
    const res = await call('/status');
    expect(res.status).toBe(200);
    const body = await read(res);
    expect(body.leader).toEqual({ isLeader: true, holder: 'instance-a' });
    expect(body.drift).toEqual({ profile: 1, photo: 0, signature: 0, warnings: 0 });
    expect(body.lastRun.actions).toEqual({ 'update-profile': 1, 'set-photo': 0, 'set-signature': 0 });
  });

  it('serves the latest plan in each format with its content type', async () => {
    const json = await call('/plan');
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await read(json)).actions[0].key).toBe('kari@example.no#profile');
    const md = await call('/plan?format=markdown');
    expect(md.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(await md.text()).toContain('kari@example.no');
    const text = await call('/plan?format=text');
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await text.text()).toContain('~ jobTitle: "Rådgiver" → "Seniorrådgiver"');
    const bad = await call('/plan?format=xml');
    expect(bad.status).toBe(400);
    expect((await read(bad)).error.code).toBe('invalid_format');
  });

  it('answers 404 JSON before the first plan', async () => {
    h.api.plan = undefined;
    const res = await call('/plan');
    expect(res.status).toBe(404);
    expect(await read(res)).toEqual({ error: { status: 404, code: 'no_plan', message: 'no plan yet' } });
  });

  it('lists runs with a validated limit and shows one run', async () => {
    const runs = await call('/runs?limit=5');
    expect(runs.status).toBe(200);
    expect((await read(runs)).runs[0].id).toBe(RUN_ID);
    expect(h.api.listCalls).toEqual([5]);
    expect((await call('/runs')).status).toBe(200);
    expect(h.api.listCalls).toEqual([5, 20]);
    expect((await call('/runs?limit=0')).status).toBe(400);
    expect((await call('/runs?limit=abc')).status).toBe(400);
    const one = await call(`/runs/${RUN_ID}`);
    expect(one.status).toBe(200);
    expect((await read(one)).journal).toEqual([]);
    expect((await call('/runs/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await call('/runs/not-a-uuid')).status).toBe(404);
  });

  it('serves Prometheus metrics', async () => {
    const res = await call('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain('# TYPE roster_runs_total counter');
  });

  it('answers unknown routes with 404 JSON and wrong methods with 405', async () => {
    const res = await call('/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await read(res)).toEqual({ error: { status: 404, code: 'not_found', message: 'no such route' } });
    const wrong = await call('/status', { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });
});

describe('mutating routes', () => {
  it('answers 401 with WWW-Authenticate without a token, without calling the controller', async () => {
    const res = await post('/apply', '{}', null);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="roster"');
    expect(await read(res)).toEqual({
      error: { status: 401, code: 'unauthorized', message: 'bearer token required' },
    });
    expect((await post('/plan', undefined, null)).status).toBe(401);
    expect(h.api.applyCalls).toEqual([]);
    expect(h.api.planNowCalls).toBe(0);
  });

  it('answers 403 to a wrong token, also one of another length', async () => {
    for (const token of [TOKEN.replace(/.$/, 'x'), 'short', `${TOKEN}extra`]) {
      const res = await post('/apply', '{}', token);
      expect(res.status).toBe(403);
      expect(await read(res)).toEqual({
        error: { status: 403, code: 'forbidden', message: 'invalid token' },
      });
    }
    expect(h.api.applyCalls).toEqual([]);
  });

  it('refuses mutations with 403 when no token is configured', async () => {
    await h.server.close();
    h = await start(null);
    for (const token of [null, TOKEN]) {
      const res = await post('/plan', '{}', token);
      expect(res.status).toBe(403);
      expect((await read(res)).error.message).toBe('mutations disabled: set ROSTER_API_TOKEN');
    }
    expect(h.api.planNowCalls).toBe(0);
  });

  it('applies with the right token, passing the email on', async () => {
    const res = await post('/apply', JSON.stringify({ email: 'kari@example.no' }));
    expect(res.status).toBe(200);
    expect((await read(res)).run).toMatchObject({ kind: 'apply', outcome: 'succeeded' });
    expect((await post('/apply')).status).toBe(200);
    expect(h.api.applyCalls).toEqual([{ email: 'kari@example.no' }, {}]);
  });

  it('plans now with the right token', async () => {
    const res = await post('/plan');
    expect(res.status).toBe(200);
    const body = await read(res);
    expect(body.run.kind).toBe('plan');
    expect(body.summary.updateProfile).toBe(1);
    expect(h.api.planNowCalls).toBe(1);
  });

  it('validates the apply body', async () => {
    const cases: [string, string][] = [
      ['[]', 'body must be a JSON object'],
      ['{"email": 3}', 'email must be an email address'],
      ['{"email": "not an email"}', 'email must be an email address'],
      ['{"email": "a@b.no", "force": true}', 'unknown field(s): force'],
    ];
    for (const [body, message] of cases) {
      const res = await post('/apply', body);
      expect(res.status).toBe(400);
      expect((await read(res)).error.message).toBe(message);
    }
    expect(h.api.applyCalls).toEqual([]);
  });

  it('answers 400 JSON to invalid JSON and 413 JSON to a 1 MB body', async () => {
    const invalid = await post('/apply', '{"email":');
    expect(invalid.status).toBe(400);
    expect(await read(invalid)).toEqual({
      error: { status: 400, code: 'invalid_json', message: 'request body is not valid JSON' },
    });
    const big = await post('/apply', JSON.stringify({ email: 'x'.repeat(1024 * 1024) }));
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await read(big)).error.code).toBe('payload_too_large');
    expect(h.api.applyCalls).toEqual([]);
  });

  it('maps refusals to 409 and 404', async () => {
    h.api.refusal = { accepted: false, reason: 'busy', message: 'a run is in progress' };
    const busy = await post('/apply');
    expect(busy.status).toBe(409);
    expect((await read(busy)).error).toEqual({ status: 409, code: 'busy', message: 'a run is in progress' });
    h.api.refusal = { accepted: false, reason: 'unknown-employee', message: 'no such employee in the plan' };
    expect((await post('/apply', '{"email":"x@example.no"}')).status).toBe(404);
  });
});

describe('secrets', () => {
  it('answers 500 without the internal message and logs it scrubbed', async () => {
    h.api.failure = new Error(`token endpoint said: client_secret ${SECRET} is wrong`);
    for (const res of [await post('/apply'), await call('/runs'), await call(`/runs/${RUN_ID}`)]) {
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).not.toContain(SECRET);
      expect(JSON.parse(text).error).toMatchObject({
        status: 500,
        code: 'internal',
        message: 'internal error',
      });
      expect(text).not.toContain('at ');
    }
    const readyz = await call('/readyz');
    expect(readyz.status).toBe(503);
    expect(await readyz.text()).not.toContain(SECRET);
    const logged = h.lines.join('');
    expect(logged).toContain('status API request failed');
    expect(logged).toContain('client_secret [redacted] is wrong');
    expect(logged).not.toContain(SECRET);
  });

  it('scrubs the token and known secrets from response bodies and never logs the token', async () => {
    h.api.ready = {
      ready: false,
      checks: { tenant: { ok: false, message: `sent Bearer ${TOKEN} and ${SECRET}` } },
    };
    const text = await (await call('/readyz')).text();
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SECRET);
    await post('/apply');
    expect(h.lines.join('')).not.toContain(TOKEN);
  });
});

describe('secrets in the dashboard', () => {
  it('scrubs pages and event streams the dashboard router sends, not only the API', async () => {
    const app = createStatusApp({
      api: new FakeController(),
      metrics: createMetrics({ defaultMetrics: false }),
      logger: createLogger({ level: 'silent' }),
      secrets: [SECRET],
      dashboard: (req, res, next) => {
        if (req.path === '/page') return void res.type('html').send(`<p>title: CEO ${SECRET}</p>`);
        if (req.path === '/events') {
          res.type('text/event-stream');
          res.write(`data: {"title":"${SECRET}"}\n\n`);
          return void res.end();
        }
        next();
      },
    });
    const server = await startStatusServer({ app, port: 0 });
    try {
      const page = await (await fetch(`${server.url}/page`)).text();
      expect(page).toBe('<p>title: CEO [redacted]</p>');
      const events = await (await fetch(`${server.url}/events`)).text();
      expect(events).toBe('data: {"title":"[redacted]"}\n\n');
    } finally {
      await server.close();
    }
  });
});

describe('OpenAPI description', () => {
  it('describes exactly the routes the app serves', () => {
    const doc = parse(
      readFileSync(new URL('../../schemas/status-api.openapi.yaml', import.meta.url), 'utf8'),
    );
    expect(doc.openapi).toBe('3.1.0');
    const described = Object.entries(doc.paths as Record<string, object>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .sort();
    const app = createStatusApp({
      api: new FakeController(),
      metrics: createMetrics({ defaultMetrics: false }),
      logger: createLogger({ level: 'silent' }),
      dashboard: createDashboardRouter({
        source: {} as DashboardSource,
        apiTokenCheck: (_req, _res, next) => next(),
      }),
    });
    // The dashboard's routes for programs (JSON and event streams); its pages and files are not API.
    const pages = /^get \/($|employees\/\{email\}$|employees\/\{email\}\/signature-preview$|static\/)/;
    const served = statusRoutes(app, true)
      .flatMap((r) => r.methods.map((m) => `${m} ${r.path.replace(/:(\w+)/g, '{$1}')}`))
      .filter((route) => !pages.test(route))
      .sort();
    expect(served).toEqual(described);
    expect(served).toContain('post /apply');
    expect(served).toEqual(expect.arrayContaining(['get /events', 'post /employees/{email}/read-back']));
    expect(doc.paths['/employees/{email}/read-back'].post.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/apply'].post.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

/** A request with exactly these headers (fetch would put its own Host in). */
function raw(
  path: string,
  headers: Record<string, string>,
  method = 'GET',
  body?: string,
): Promise<{ status: number; body: string }> {
  const { port } = h.server;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, setHost: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Host and Origin (DNS rebinding)', () => {
  it('refuses a rebinding-style Host with 421 and sends no employee data', async () => {
    for (const path of ['/plan?format=json', '/status', `/runs/${RUN_ID}`, '/metrics', '/healthz']) {
      const res = await raw(path, { host: `attacker.example:${h.server.port}` });
      expect(res.status, path).toBe(421);
      expect(JSON.parse(res.body).error.code).toBe('misdirected_request');
      expect(res.body).not.toContain('@');
    }
    expect(h.api.listCalls).toEqual([]);
  });

  it.each([
    ['127.0.0.1:PORT'],
    ['10.244.1.17:8080'],
    ['[::1]:PORT'],
    ['[fd00::17]'],
    ['localhost:PORT'],
    ['LOCALHOST'],
  ])('answers to the IP literal or localhost Host %s (probes at the pod address)', async (host) => {
    const res = await raw('/healthz', { host: host.replace('PORT', String(h.server.port)) });
    expect(res.status).toBe(200);
  });

  it.each([
    [''],
    ['attacker.example'],
    ['127.0.0.1.nip.io'],
    ['localhost.attacker.example'],
    ['a b'],
    ['x@127.0.0.1'],
  ])('refuses the Host %j', async (host) => {
    // Node itself answers 400 to an HTTP/1.1 request without Host.
    expect((await raw('/healthz', host === '' ? {} : { host })).status).toBe(host === '' ? 400 : 421);
  });

  it('answers to the names on ROSTER_ALLOWED_HOSTS', async () => {
    await h.server.close();
    const api = new FakeController();
    const app = createStatusApp({
      api,
      metrics: createMetrics({ defaultMetrics: false }),
      logger: createLogger({ level: 'silent' }),
      allowedHosts: statusServerSettingsFromEnv({ ROSTER_ALLOWED_HOSTS: 'roster.roster.svc, *.example.no' })
        .allowedHosts,
    });
    h = { api, server: await startStatusServer({ app, port: 0 }), lines: [] };
    expect((await raw('/healthz', { host: 'roster.roster.svc:8080' })).status).toBe(200);
    expect((await raw('/healthz', { host: 'roster.ops.example.no' })).status).toBe(200);
    expect((await raw('/healthz', { host: 'example.no' })).status).toBe(421);
    expect((await raw('/healthz', { host: 'roster.roster.svc.attacker.example' })).status).toBe(421);
  });

  it('refuses a request from another origin (403) before the token is looked at', async () => {
    const host = `127.0.0.1:${h.server.port}`;
    const headers = { host, authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    for (const origin of [
      'http://evil.example',
      'null',
      `http://127.0.0.1:${h.server.port + 1}`,
      `https://${host}x`,
    ]) {
      const res = await raw('/plan', { ...headers, origin }, 'POST', '{}');
      expect(res.status, origin).toBe(403);
      expect(JSON.parse(res.body).error.code).toBe('cross_origin');
    }
    expect(h.api.planNowCalls).toBe(0);
    const same = await raw('/plan', { ...headers, origin: `http://${host}` }, 'POST', '{}');
    expect(same.status).toBe(200);
    expect(h.api.planNowCalls).toBe(1);
  });
});

describe('URL query strings', () => {
  const url = 'https://hr.example.no/photos/kari.jpg?token=hr-photo-token-7Qx2';
  function withPhoto(): void {
    const plan = samplePlan();
    h.api.plan = {
      ...plan,
      actions: [
        ...plan.actions,
        {
          kind: 'set-photo',
          key: 'kari@example.no#photo',
          employee: 'kari@example.no',
          userId: 'id-kari',
          userPrincipalName: 'kari@example.no',
          reason: 'Roster has not set this photo yet',
          photoReason: 'not-set-by-roster',
          sourceUrl: url,
        },
      ],
      warnings: [{ kind: 'observation', message: `source photo ${url} could not be checked` }],
    };
    h.api.journal = [
      {
        id: 1,
        runId: RUN_ID,
        at: '2025-01-02T03:04:06.000Z',
        actionKey: 'kari@example.no#photo',
        userId: 'id-kari',
        employeeEmail: 'kari@example.no',
        aspect: 'photo',
        before: { etag: null },
        after: { sourceUrl: url, sha256: 'ab' },
        status: 'applied',
      },
    ];
  }

  it('hides them in the text and markdown plans and in /runs/{id}; the JSON plan keeps them', async () => {
    withPhoto();
    for (const path of ['/plan?format=text', '/plan?format=markdown', `/runs/${RUN_ID}`, '/status']) {
      const body = await (await call(path)).text();
      expect(body, path).not.toContain('hr-photo-token');
    }
    expect(await (await call('/plan?format=text')).text()).toContain(
      'https://hr.example.no/photos/kari.jpg?…',
    );
    expect((await read(await call(`/runs/${RUN_ID}`))).journal[0].after.sourceUrl).toBe(
      'https://hr.example.no/photos/kari.jpg?…',
    );
    const json = await read(await call('/plan?format=json'));
    expect(json.actions.find((a: { kind: string }) => a.kind === 'set-photo').sourceUrl).toBe(url);
  });
});

describe('settings from the environment', () => {
  it('reads token, host, port and allowed hosts with defaults', () => {
    expect(statusServerSettingsFromEnv({})).toEqual({ host: '127.0.0.1', port: 8080, allowedHosts: [] });
    expect(
      statusServerSettingsFromEnv({
        ROSTER_API_TOKEN: 't',
        ROSTER_STATUS_HOST: '0.0.0.0',
        ROSTER_STATUS_PORT: '9000',
        ROSTER_ALLOWED_HOSTS: 'roster.roster.svc,, *.example.no ',
      }),
    ).toEqual({
      apiToken: 't',
      host: '0.0.0.0',
      port: 9000,
      allowedHosts: ['roster.roster.svc', '*.example.no'],
    });
    expect(() => statusServerSettingsFromEnv({ ROSTER_STATUS_PORT: 'http' })).toThrow(/ROSTER_STATUS_PORT/);
    expect(() => statusServerSettingsFromEnv({ ROSTER_ALLOWED_HOSTS: 'https://roster.example.no' })).toThrow(
      /ROSTER_ALLOWED_HOSTS/,
    );
  });
});
