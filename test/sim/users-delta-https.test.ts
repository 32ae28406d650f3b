import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimSeedUser } from '../../src/sim/seed.js';
import { createSimulator, type Simulator } from '../../src/sim/simulator.js';

/** Users, PATCH and delta over real HTTPS with real client-credential tokens. */
const WRITER = '11111111-1111-4111-8111-111111111111';
const READER = '22222222-2222-4222-8222-222222222222';
let sim: Simulator;
let writer: string;
let reader: string;

async function token(clientId: string, secret: string): Promise<string> {
  const res = await fetch(`${sim.origin}/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: clientId,
      client_secret: secret,
      scope: 'https://graph.microsoft.com/.default',
      grant_type: 'client_credentials',
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A Graph JSON body, loosely typed for assertions. */
interface GraphBody {
  value: Array<Record<string, unknown>>;
  error: { code: string; message: string };
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
  '@odata.count'?: number;
  [property: string]: unknown;
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: GraphBody | undefined;
}

async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; token?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${init.token ?? writer}`,
    ...init.headers,
  };
  let body: string | undefined;
  if (init.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  }
  const res = await fetch(url.startsWith('https://') ? url : `${sim.origin}${url}`, {
    method: init.method ?? 'GET',
    headers,
    body,
  });
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('json') && text !== '';
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: json ? (JSON.parse(text) as GraphBody) : undefined,
  };
}

beforeAll(async () => {
  const users: SimSeedUser[] = [
    { userPrincipalName: 'alice@contoso.com', givenName: 'Alice', surname: 'Able', jobTitle: 'Engineer' },
    { userPrincipalName: 'sync@contoso.com', givenName: 'Sam', onPremisesSyncEnabled: true },
    { userPrincipalName: 'admin@contoso.com', givenName: 'Ada', isAdmin: true },
    { userPrincipalName: '$svc@contoso.com', displayName: 'Service', hasMailbox: false },
    { userPrincipalName: 'ext_x#EXT#@contoso.onmicrosoft.com', displayName: 'External', hasMailbox: false },
    { userPrincipalName: 'guest@fabrikam.onmicrosoft.com', mail: 'guest@fabrikam.com', displayName: 'Guest' },
  ];
  for (let i = 0; i < 244; i++)
    users.push({ userPrincipalName: `u${String(i).padStart(3, '0')}@contoso.com`, surname: 'Bulk' });
  sim = await createSimulator({
    seed: {
      tenant: { domain: 'contoso.onmicrosoft.com', domains: ['contoso.com'] },
      apps: [
        { clientId: WRITER, clientSecret: 'writer-secret', graphPermissions: ['User.ReadWrite.All'] },
        { clientId: READER, clientSecret: 'reader-secret', graphPermissions: ['User.Read.All'] },
      ],
      users,
      throttle: { enabled: false },
    },
  });
  writer = await token(WRITER, 'writer-secret');
  reader = await token(READER, 'reader-secret');
});
afterAll(() => sim.close());

describe('users over HTTPS', () => {
  it('pages 250 users with $top=100 in three pages through absolute https nextLinks', async () => {
    let url: string | undefined = '/v1.0/users?$top=100&$select=id,userPrincipalName';
    const sizes: number[] = [];
    const ids = new Set<string>();
    while (url) {
      const res: Reply = await call(url, { token: reader });
      expect(res.status).toBe(200);
      sizes.push(res.body?.value.length ?? 0);
      for (const u of res.body?.value ?? []) ids.add(String(u['id']));
      url = res.body?.['@odata.nextLink'];
      if (url) expect(url.startsWith(`${sim.origin}/v1.0/users?`)).toBe(true);
    }
    expect(sizes).toEqual([100, 100, 50]);
    expect(ids.size).toBe(250);
  });

  it('refuses $top=0 and $top=1000, and advanced filters without ConsistencyLevel', async () => {
    for (const top of ['0', '1000']) {
      const res = await call(`/v1.0/users?$top=${top}`);
      expect(res.status).toBe(400);
      expect(res.body?.error.code).toBe('Request_BadRequest');
    }
    const filter = `$filter=${encodeURIComponent("endsWith(mail,'@contoso.com')")}`;
    const refused = await call(`/v1.0/users?${filter}`);
    expect(refused.status).toBe(400);
    expect(refused.body?.error.code).toBe('Request_UnsupportedQuery');
    const ok = await call(`/v1.0/users?${filter}&$count=true&$top=999`, {
      headers: { ConsistencyLevel: 'eventual' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body?.['@odata.count']).toBe(247);
    const count = await call('/v1.0/users/$count', { headers: { ConsistencyLevel: 'eventual' } });
    expect(count.headers.get('content-type')).toBe('text/plain');
    expect(count.text).toBe('250');
  });

  it('filters by proxy address and gets users by UPN, quoted UPN and %23', async () => {
    const any = encodeURIComponent("proxyAddresses/any(p:p eq 'smtp:alice@contoso.com')");
    const found = await call(`/v1.0/users?$filter=${any}&$select=givenName`);
    expect(found.body?.value).toEqual([{ givenName: 'Alice', id: expect.any(String) }]);
    expect((await call('/v1.0/users/ALICE@contoso.com')).body?.givenName).toBe('Alice');
    expect((await call("/v1.0/users('$svc@contoso.com')")).body?.displayName).toBe('Service');
    expect((await call('/v1.0/users/ext_x%23EXT%23@contoso.onmicrosoft.com')).body?.displayName).toBe(
      'External',
    );
    const missing = await call('/v1.0/users/nobody@contoso.com');
    expect(missing.status).toBe(404);
    expect(missing.body?.error.code).toBe('Request_ResourceNotFound');
  });

  it('PATCH answers 204 with an empty body and refuses what Graph refuses', async () => {
    const ok = await call('/v1.0/users/alice@contoso.com', { method: 'PATCH', body: { jobTitle: 'Lead' } });
    expect(ok.status).toBe(204);
    expect(ok.text).toBe('');
    expect((await call('/v1.0/users/alice@contoso.com?$select=jobTitle')).body?.jobTitle).toBe('Lead');
    const cases: Array<[string, unknown, number, string]> = [
      ['alice@contoso.com', { jobTitle: '' }, 400, 'Request_BadRequest'],
      ['alice@contoso.com', { givenName: 'x'.repeat(65) }, 400, 'Request_BadRequest'],
      ['alice@contoso.com', { nickname: 'a' }, 400, 'Request_BadRequest'],
      ['sync@contoso.com', { jobTitle: 'x' }, 400, 'Request_BadRequest'],
      ['admin@contoso.com', { mobilePhone: '+1 555 0100' }, 403, 'Authorization_RequestDenied'],
    ];
    for (const [upn, body, status, code] of cases) {
      const res = await call(`/v1.0/users/${upn}`, { method: 'PATCH', body });
      expect([res.status, res.body?.error.code], JSON.stringify(body)).toEqual([status, code]);
    }
    const denied = await call('/v1.0/users/alice@contoso.com', {
      method: 'PATCH',
      body: { jobTitle: 'x' },
      token: reader,
    });
    expect(denied.status).toBe(403);
  });
});

describe('users delta over HTTPS', () => {
  async function round(url: string, headers: Record<string, string> = {}) {
    const items: Array<Record<string, unknown>> = [];
    let next: string | undefined = url;
    for (;;) {
      const res: Reply = await call(next, { headers });
      expect(res.status, res.text).toBe(200);
      items.push(...(res.body?.value ?? []));
      next = res.body?.['@odata.nextLink'];
      if (!next) return { items, deltaLink: res.body?.['@odata.deltaLink'] as string };
      expect(next.startsWith(`${sim.origin}/v1.0/users/delta?$skiptoken=`)).toBe(true);
    }
  }

  it('syncs, then reports changes, removals and minimal changes, but not photos', async () => {
    const first = await round('/v1.0/users/delta?$select=givenName,jobTitle');
    expect(first.items.length).toBe(250);
    expect(first.deltaLink.startsWith(`${sim.origin}/v1.0/users/delta?$deltatoken=`)).toBe(true);
    expect((await round(first.deltaLink)).items).toEqual([]);

    const alice = (await call('/v1.0/users/alice@contoso.com')).body?.id as string;
    await call(`/v1.0/users/${alice}`, { method: 'PATCH', body: { givenName: 'Alicia' } });
    sim.patchUser('u000@contoso.com', { jobTitle: 'Drifted' });
    const u001 = (await call('/v1.0/users/u001@contoso.com')).body?.id as string;
    sim.deleteUser('u001@contoso.com');
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123456' } })
      .jpeg()
      .toBuffer();
    await sim.putPhoto('alice@contoso.com', jpeg);

    const res = await call(first.deltaLink, { headers: { Prefer: 'return=minimal' } });
    expect(res.body?.value).toEqual([
      { givenName: 'Alicia', id: alice },
      { jobTitle: 'Drifted', id: expect.any(String) },
      { id: u001, '@removed': { reason: 'changed' } },
    ]);
    expect((await round(res.body?.['@odata.deltaLink'] as string)).items).toEqual([]);
  });

  it('answers 400 SyncStateNotFound after 7 days, and 400 syncStateNotFound for a garbage token', async () => {
    const latest = await call('/v1.0/users/delta?$deltaToken=latest');
    expect(latest.body?.value).toEqual([]);
    sim.advanceClock(7 * 24 * 3600 * 1000 + 1000);
    writer = await token(WRITER, 'writer-secret');
    const expired = await call(latest.body?.['@odata.deltaLink'] as string);
    expect([expired.status, expired.body?.error.code]).toEqual([400, 'SyncStateNotFound']);
    expect((await round('/v1.0/users/delta')).items.length).toBe(249);
    const garbage = await call('/v1.0/users/delta?$deltatoken=not-a-token');
    expect([garbage.status, garbage.body?.error.code]).toEqual([400, 'syncStateNotFound']);
  });
});
