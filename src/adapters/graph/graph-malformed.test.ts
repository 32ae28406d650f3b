import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RemoteApiError } from '../../errors/roster-error.js';
import { createSystemClock } from '../../http/clock.js';
import { createHttpClient } from '../../http/http-client.js';
import { createRateLimiter } from '../../http/rate-limiter.js';
import { createGraphDirectory } from './graph-directory.js';
import { createGraphPhotos } from './graph-photos.js';

/**
 * Graph bodies that are not what the endpoint returns, from a real HTTP server: each must become
 * a RemoteApiError naming the endpoint (never its query), status and request id.
 */
let script: Array<(res: ServerResponse) => void> = [];
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => (script.shift() ?? ((r: ServerResponse) => r.writeHead(500).end()))(res));
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
});

const answer =
  (body: string | object, contentType = 'application/json') =>
  (res: ServerResponse) =>
    res
      .writeHead(200, { 'content-type': contentType, 'request-id': 'req-7' })
      .end(typeof body === 'string' ? body : JSON.stringify(body));

function client() {
  const clock = createSystemClock();
  return createHttpClient({
    service: 'graph',
    api: 'graph',
    baseUrl: `${origin}/v1.0`,
    tokens: { getToken: async () => 'token' },
    limiter: createRateLimiter({ name: 'graph', clock, lanes: {}, concurrency: { start: 4, max: 4 } }),
    retry: { maxRetries: 0, baseDelayMs: 1, maxBackoffMs: 1, maxRetryAfterMs: 1 },
    clock,
    timeoutMs: 2_000,
  });
}

async function firstPage(iterable: AsyncIterable<unknown>) {
  for await (const page of iterable) return page;
  return undefined;
}

describe('malformed Graph responses', () => {
  it.each([
    ['an HTML page', answer('<html>gateway</html>', 'text/html'), 'the body is not JSON'],
    ['an empty body', answer(''), 'the body is empty'],
    [
      'a user without an id',
      answer({ value: [{ displayName: 'x' }] }),
      "value.0 must have required property 'id'",
    ],
    ['value that is not a list', answer({ value: {} }), 'value must be array'],
  ])('listUsers: %s is a RemoteApiError naming GET /v1.0/users', async (_name, reply, problem) => {
    script.push(reply);
    const error = await firstPage(createGraphDirectory(client()).listUsers(['contoso.com'])).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RemoteApiError);
    expect(error).toMatchObject({
      service: 'graph',
      status: 200,
      errorCode: 'MalformedResponse',
      requestId: 'req-7',
    });
    expect((error as Error).message).toBe(
      `graph GET /v1.0/users: 200 with a malformed body: ${problem} (request-id req-7)`,
    );
  });

  it('delta: a page with a mistyped link fails the round, not with a TypeError', async () => {
    script.push(answer({ value: [], '@odata.deltaLink': 42 }));
    await expect(
      createGraphDirectory(client()).delta(
        `${origin}/v1.0/users/delta?$deltatoken=secret`,
        async () => undefined,
      ),
    ).rejects.toThrow(
      /^graph GET \/v1\.0\/users\/delta: 200 with a malformed body: @odata\.deltaLink must be string \(request-id req-7\)$/,
    );
  });

  it('$batch: a broken envelope fails its items; a broken item body fails that item alone', async () => {
    script.push(answer({ responses: 'none' }));
    const broken = await createGraphDirectory(client()).getUsers(['a', 'b']);
    expect(broken.map((r) => (r.ok ? 'ok' : r.error.message))).toEqual([
      'graph POST /v1.0/$batch: 200 with a malformed body: responses must be array (request-id req-7)',
      'graph POST /v1.0/$batch: 200 with a malformed body: responses must be array (request-id req-7)',
    ]);

    script.push(
      answer({
        responses: [
          { id: '0', status: 200, headers: { 'request-id': 'item-0' }, body: { id: 'a', jobTitle: 7 } },
          { id: '1', status: 200, body: { id: 'b', jobTitle: 'Baker' } },
        ],
      }),
    );
    const [a, b] = await createGraphDirectory(client()).getUsers(['a', 'b']);
    expect(a).toMatchObject({
      id: 'a',
      ok: false,
      error: {
        errorCode: 'MalformedResponse',
        message:
          'graph GET /v1.0/users/{id}: 200 with a malformed body: jobTitle must be string,null (request-id item-0)',
      },
    });
    expect(b).toMatchObject({ id: 'b', ok: true, value: { fields: { jobTitle: 'Baker' } } });

    script.push(answer({ responses: [{ id: '0', status: 200, body: { width: 'wide' } }] }));
    const [photo] = await createGraphPhotos(client()).getPhotoMeta(['a']);
    expect(photo).toMatchObject({
      ok: false,
      error: {
        message: expect.stringMatching(
          /^graph GET \/v1\.0\/users\/\{id\}\/photo: 200 with a malformed body: width must be integer,null/,
        ),
      },
    });
  });
});
