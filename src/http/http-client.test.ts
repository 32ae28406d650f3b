import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RemoteApiError } from '../errors/roster-error.js';
import { createInMemoryApiMetrics } from './api-metrics.js';
import { createSystemClock } from './clock.js';
import { createHttpClient, type HttpClientOptions } from './http-client.js';
import { createRateLimiter } from './rate-limiter.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** A real HTTP server on 127.0.0.1 answering from a script, one handler per request. */
let script: Handler[] = [];
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString() });
    const handler = script.shift() ?? ((_q, s) => s.writeHead(500).end('no script'));
    handler(req, res, body);
  });
});
let origin = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  script = [];
  seen.length = 0;
});

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

function setup(overrides: Partial<HttpClientOptions> = {}) {
  const clock = createSystemClock();
  const logs: { obj: Record<string, unknown>; msg: string }[] = [];
  const metrics = createInMemoryApiMetrics();
  const limiter = createRateLimiter({
    name: 'graph',
    clock,
    lanes: { units: { rate: 1_000, phase: 'probing' }, writes: { rate: 1_000, phase: 'probing' } },
    concurrency: { start: 4, max: 4 },
  });
  const client = createHttpClient({
    service: 'graph',
    api: 'graph',
    baseUrl: `${origin}/v1.0`,
    tokens: { getToken: async () => 'secret-token-value' },
    limiter,
    retry: { maxRetries: 2, baseDelayMs: 10, maxBackoffMs: 20, maxRetryAfterMs: 1_000 },
    clock,
    metrics,
    logger: { debug: (obj, msg) => logs.push({ obj: obj as Record<string, unknown>, msg }) },
    timeoutMs: 2_000,
    ...overrides,
  });
  return { client, logs, metrics, limiter, clock };
}

describe('createHttpClient', () => {
  it('authenticates, sends a client-request-id, reads the request-id and logs without the token', async () => {
    const { client, logs, metrics } = setup();
    script.push(json(200, { ok: true }, { 'request-id': 'srv-1' }));
    const res = await client.send({ method: 'GET', url: 'users?$top=2', cost: { units: 1 } });
    expect(res).toMatchObject({ status: 200, requestId: 'srv-1', retries: 0 });
    expect(JSON.parse(res.body.toString())).toEqual({ ok: true });
    expect(seen[0]!.url).toBe('/v1.0/users?$top=2');
    expect(seen[0]!.headers.authorization).toBe('Bearer secret-token-value');
    expect(seen[0]!.headers['client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs).toHaveLength(1);
    expect(logs[0]!.obj).toMatchObject({
      service: 'graph',
      method: 'GET',
      path: '/v1.0/users',
      status: 200,
      requestId: 'srv-1',
      retry: 0,
    });
    expect(JSON.stringify(logs)).not.toContain('secret-token-value');
    expect(metrics.snapshot().requests).toEqual({ 'graph GET 200': 1 });
    expect(metrics.snapshot().pacing?.graph).toEqual({
      rates: { units: 1_000, writes: 1_000 },
      concurrency: 4,
      throttled: 0,
      throttleWaitMs: 0,
    });
  });

  it('sends JSON and raw bodies', async () => {
    const { client } = setup();
    script.push(json(204, null), json(200, {}));
    await client.send({ method: 'PATCH', url: 'users/u1', json: { jobTitle: 'Chef' } });
    await client.send({
      method: 'PUT',
      url: `${origin}/v1.0/users/u1/photo/$value`,
      body: new Uint8Array([0xff, 0xd8, 0xff]),
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(seen.map((s) => [s.method, s.url, s.headers['content-type'], s.body.length])).toEqual([
      ['PATCH', '/v1.0/users/u1', 'application/json', 19],
      ['PUT', '/v1.0/users/u1/photo/$value', 'image/jpeg', 3],
    ]);
  });

  it('retries a 429 after its Retry-After, tells the limiter, and counts it', async () => {
    const { client, metrics, limiter, logs } = setup();
    script.push(json(429, { error: { code: 'TooManyRequests' } }, { 'retry-after': '0.2' }), json(200, {}));
    const started = Date.now();
    const res = await client.send({ method: 'GET', url: 'users', cost: { units: 1 } });
    expect(res).toMatchObject({ status: 200, retries: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    expect(limiter.snapshot()).toMatchObject({ throttled: 1 });
    expect(seen[0]!.headers['client-request-id']).toBe(seen[1]!.headers['client-request-id']);
    expect(metrics.snapshot()).toMatchObject({
      requests: { 'graph GET 429': 1, 'graph GET 200': 1 },
      retries: { 'graph throttled': 1 },
      throttled: { graph: 1 },
    });
    expect(logs.map((l) => [l.obj.status, l.obj.retry])).toEqual([
      [429, 0],
      [200, 1],
    ]);
  });

  it("tells the limiter which Graph budget refused, and Exchange's concurrency refusal apart", async () => {
    const { client, limiter } = setup();
    script.push(
      json(429, {}, { 'x-ms-throttle-information': 'WriteLimitExceeded' }),
      json(429, {}, { 'x-ms-throttle-information': 'WriteLimitExceeded' }),
      json(200, {}),
    );
    await client.send({ method: 'PATCH', url: 'users/u1', json: {}, cost: { units: 1, writes: 1 } });
    const lanes = limiter.snapshot().lanes;
    expect(lanes.writes!.rate).toBeLessThan(1_000 * 0.97);
    expect(lanes.units!.rate).toBeGreaterThanOrEqual(1_000);

    script.push(
      (_req, res) =>
        res
          .writeHead(429, { 'content-type': 'text/plain' })
          .end('You have reached the maximum number of concurrent requests per tenant'),
      json(200, {}),
    );
    await client.send({
      method: 'POST',
      url: 'InvokeCommand',
      json: {},
      idempotent: true,
      cost: { units: 1 },
    });
    expect(limiter.snapshot().concurrency).toBe(1);
  });

  it('returns the last error response when retries run out', async () => {
    const { client } = setup();
    script.push(json(503, {}), json(503, {}), json(503, {}, { 'request-id': 'last' }));
    await expect(client.send({ method: 'GET', url: 'users' })).resolves.toMatchObject({
      status: 503,
      retries: 2,
      requestId: 'last',
    });
  });

  it('retries a dropped connection for idempotent requests only', async () => {
    const { client } = setup();
    const drop: Handler = (req) => req.socket.destroy();
    script.push(drop, json(200, { again: true }));
    await expect(client.send({ method: 'GET', url: 'users' })).resolves.toMatchObject({
      status: 200,
      retries: 1,
    });

    script.push(drop, json(200, {}));
    const err = await client.send({ method: 'POST', url: 'things', json: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteApiError);
    expect(err).toMatchObject({ service: 'graph', status: undefined, errorCode: 'NetworkError' });
    expect((err as Error).message).toMatch(/^graph POST \/v1\.0\/things: (other side closed|socket hang up)/);
  });

  it('times out a slow attempt and converts the final timeout', async () => {
    const { client } = setup({
      timeoutMs: 100,
      retry: { maxRetries: 0, baseDelayMs: 1, maxBackoffMs: 1, maxRetryAfterMs: 1 },
    });
    script.push((_req, res) => setTimeout(() => res.writeHead(200).end('{}'), 500));
    await expect(client.send({ method: 'GET', url: 'users' })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[RemoteApiError: graph GET /v1.0/users: timed out]`,
    );
  });

  it('never sends the token to another origin', async () => {
    const { client } = setup();
    await expect(
      client.send({ method: 'GET', url: 'https://attacker.example/v1.0/users?$skiptoken=x' }),
    ).rejects.toThrowError(
      `graph: refusing to follow a link to https://attacker.example (expected ${origin})`,
    );
    expect(seen).toHaveLength(0);
  });
});
