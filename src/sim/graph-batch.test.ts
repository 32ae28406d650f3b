import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { call, photoState, routeContext, simRequest } from '../../test/sim/route-context.js';
import { findUser } from './find-user.js';
import { graphBatchRoutes, shuffleResponses } from './graph-batch.js';
import { graphError } from './graph-errors.js';
import { graphPhotoRoutes } from './graph-photos.js';
import type { SimRequest, SimResponse, SimRoute } from './types.js';

interface Item {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Stand-ins for the user routes: a 204 PATCH and a GET that can fail. */
const stubRoutes: SimRoute[] = [
  {
    service: 'graph',
    method: 'PATCH',
    pattern: /^\/v1\.0\/users\/([^/]+)$/,
    handle: () => ({ status: 204 }),
  },
  {
    service: 'graph',
    method: 'GET',
    pattern: /^\/v1\.0\/users\/([^/]+)$/,
    handle: (req, m) =>
      m[1] === 'missing'
        ? graphError(req, 404, 'Request_ResourceNotFound', 'Resource does not exist.')
        : { status: 200, body: { id: m[1] } },
  },
];

function setup(intercept?: (req: SimRequest, route: SimRoute) => SimResponse | undefined) {
  const state = photoState();
  const ctx = routeContext(state, [...graphBatchRoutes, ...graphPhotoRoutes, ...stubRoutes], intercept);
  return { state, ctx };
}

async function batch(ctx: ReturnType<typeof setup>['ctx'], requests: unknown[]) {
  const res = await call(
    ctx,
    simRequest('POST', '/v1.0/$batch', { headers: { authorization: 'Bearer t' }, body: { requests } }),
  );
  return { res, items: (res.body as { responses?: Item[] }).responses ?? [] };
}

const byId = (items: Item[], id: string) => items.find((i) => i.id === id);

describe('POST /v1.0/$batch', () => {
  it('refuses 21 requests, duplicate ids (case-insensitive), absolute urls and bodies without Content-Type', async () => {
    const { ctx } = setup();
    const get = (id: string) => ({ id, method: 'GET', url: `/users/${id}` });
    const cases: [unknown[], string][] = [
      [
        Array.from({ length: 21 }, (_, i) => get(String(i))),
        'Batch request cannot contain more than 20 requests.',
      ],
      [[get('a'), get('A')], "Batch request contains duplicate id 'A'."],
      [
        [{ id: '1', method: 'GET', url: 'https://graph.microsoft.com/v1.0/users' }],
        'Request id : 1 has an absolute url; batch urls must be relative, e.g. /users.',
      ],
      [
        [{ id: '1', method: 'PATCH', url: '/users/x', body: { jobTitle: 'x' } }],
        'Write request id : 1 does not contain Content-Type header or body.',
      ],
      [[{ ...get('1'), dependsOn: ['9'] }], "Request id : 1 depends on unknown request id '9'."],
      [[], 'Invalid batch payload format.'],
    ];
    for (const [requests, message] of cases) {
      const { res } = await batch(ctx, requests);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'BadRequest', message } });
    }
    expect(ctx.dispatched.filter((r) => r.inner)).toHaveLength(0);
  });

  it('answers every item, in a different order, 204 bodies null, version-prefixed urls 400', async () => {
    const { ctx } = setup();
    const requests = [
      { id: '1', method: 'GET', url: '/users/u1' },
      {
        id: '2',
        method: 'PATCH',
        url: '/users/u2',
        headers: { 'Content-Type': 'application/json' },
        body: { jobTitle: 'x' },
      },
      { id: '3', method: 'GET', url: 'users/u3' },
      { id: '4', method: 'GET', url: '/v1.0/users/u4' },
    ];
    const { res, items } = await batch(ctx, requests);
    expect(res.status).toBe(200);
    expect(items.map((i) => i.id)).not.toEqual(['1', '2', '3', '4']);
    expect(items.map((i) => i.id).sort()).toEqual(['1', '2', '3', '4']);
    expect(byId(items, '1')).toMatchObject({ status: 200, body: { id: 'u1' } });
    expect(byId(items, '2')).toMatchObject({ status: 204, body: null });
    expect(byId(items, '3')).toMatchObject({ status: 200, body: { id: 'u3' } });
    expect(byId(items, '4')).toMatchObject({
      status: 400,
      body: { error: { message: "Resource not found for the segment 'v1.0'." } },
    });
    const inner = ctx.dispatched.filter((r) => r.inner);
    expect(inner.map((r) => r.path).sort()).toEqual(['/v1.0/users/u1', '/v1.0/users/u2', '/v1.0/users/u3']);
    expect(inner[0]?.headers.authorization).toBe('Bearer t');
    expect(JSON.parse(inner.find((r) => r.method === 'PATCH')?.body.toString() ?? '')).toEqual({
      jobTitle: 'x',
    });
  });

  it('uploads a base64 photo and reads it back as base64', async () => {
    const { ctx, state } = setup();
    const jpeg = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#aa2200' } })
      .jpeg()
      .toBuffer();
    const up = await batch(ctx, [
      {
        id: 'put',
        method: 'PUT',
        url: '/users/alice@contoso.com/photo/$value',
        headers: { 'Content-Type': 'image/jpeg' },
        body: jpeg.toString('base64'),
      },
    ]);
    expect(byId(up.items, 'put')?.status).toBe(200);
    const alice = findUser(state, 'alice@contoso.com');
    const stored = state.photos.get(alice?.id ?? '');
    expect(stored?.width).toBe(300);

    const get = await batch(ctx, [
      { id: 'get', method: 'GET', url: '/users/alice@contoso.com/photo/$value' },
    ]);
    const item = byId(get.items, 'get');
    expect(item?.status).toBe(200);
    expect(Buffer.from(item?.body as string, 'base64').equals(stored?.bytes ?? Buffer.alloc(0))).toBe(true);
  });

  it('answers 424 for dependents of a failed request and never dispatches them', async () => {
    const { ctx } = setup();
    const { items } = await batch(ctx, [
      { id: '1', method: 'GET', url: '/users/missing' },
      { id: '2', method: 'GET', url: '/users/b', dependsOn: ['1'] },
      { id: '3', method: 'GET', url: '/users/c', dependsOn: ['2'] },
      { id: '4', method: 'GET', url: '/users/d' },
    ]);
    expect(byId(items, '1')?.status).toBe(404);
    expect(byId(items, '2')).toMatchObject({ status: 424, body: { error: { code: 'FailedDependency' } } });
    expect(byId(items, '3')?.status).toBe(424);
    expect(byId(items, '4')?.status).toBe(200);
    expect(
      ctx.dispatched
        .filter((r) => r.inner)
        .map((r) => r.path)
        .sort(),
    ).toEqual(['/v1.0/users/d', '/v1.0/users/missing']);
  });

  it('passes an inner 429 through as an item with Retry-After in its headers', async () => {
    const { ctx } = setup((req, route) =>
      route.method === 'GET' && req.path.endsWith('/u2')
        ? graphError(req, 429, 'TooManyRequests', 'Please retry again later.', { 'Retry-After': '3' })
        : undefined,
    );
    const { items } = await batch(ctx, [
      { id: '1', method: 'GET', url: '/users/u1' },
      { id: '2', method: 'GET', url: '/users/u2' },
    ]);
    expect(byId(items, '1')?.status).toBe(200);
    expect(byId(items, '2')).toMatchObject({
      status: 429,
      headers: { 'Retry-After': '3' },
      body: { error: { code: 'TooManyRequests' } },
    });
  });

  it('runs at most 4 photo requests at a time while other items run together', async () => {
    let active = 0;
    let maxPhotos = 0;
    let maxOthers = 0;
    let others = 0;
    const slow: SimRoute[] = [
      {
        service: 'graph',
        method: 'GET',
        pattern: /^\/v1\.0\/users\/([^/]+)\/photo$/,
        outlookBacked: true,
        handle: async () => {
          active += 1;
          maxPhotos = Math.max(maxPhotos, active);
          await new Promise((r) => setTimeout(r, 20));
          active -= 1;
          return { status: 200, body: {} };
        },
      },
      {
        service: 'graph',
        method: 'GET',
        pattern: /^\/v1\.0\/users\/([^/]+)$/,
        handle: async () => {
          others += 1;
          maxOthers = Math.max(maxOthers, others);
          await new Promise((r) => setTimeout(r, 20));
          others -= 1;
          return { status: 200, body: {} };
        },
      },
    ];
    const ctx = routeContext(photoState(), [...graphBatchRoutes, ...slow]);
    const requests = [
      ...Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, method: 'GET', url: `/users/u${i}/photo` })),
      ...Array.from({ length: 10 }, (_, i) => ({ id: `u${i}`, method: 'GET', url: `/users/u${i}` })),
    ];
    const { items } = await batch(ctx, requests);
    expect(items).toHaveLength(20);
    expect(maxPhotos).toBe(4);
    expect(maxOthers).toBe(10);
  });

  it('never returns two or more responses in request order', () => {
    for (let n = 2; n <= 20; n++) {
      const ids = Array.from({ length: n }, (_, i) => ({ id: String(i + 1) }));
      expect(shuffleResponses(ids).map((r) => r.id)).not.toEqual(ids.map((r) => r.id));
    }
  });
});
