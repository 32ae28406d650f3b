import { ClientSecretCredential } from '@azure/identity';
import { Agent, request } from 'node:https';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimSeed } from './seed.js';
import { createSimulator, type Simulator } from './simulator.js';

const TENANT = 'contoso.onmicrosoft.com';
const READER = '11111111-1111-4111-8111-111111111111';
const NOBODY = '22222222-2222-4222-8222-222222222222';
const EXO = '33333333-3333-4333-8333-333333333333';
const SECRET = 'test-secret';

const seed: SimSeed = {
  tenant: { domain: TENANT, domains: ['contoso.com'] },
  apps: [
    { clientId: READER, clientSecret: SECRET, graphPermissions: ['User.Read.All'] },
    { clientId: NOBODY, clientSecret: SECRET },
    { clientId: EXO, clientSecret: SECRET, exchangeManageAsApp: true },
  ],
  users: [
    {
      userPrincipalName: 'ada@contoso.com',
      givenName: 'Ada',
      surname: 'Lovelace',
      photo: { generate: '#336699' },
    },
    { userPrincipalName: 'alan@contoso.com', givenName: 'Alan', surname: 'Turing', hasMailbox: false },
  ],
  throttle: { enabled: false },
};

let sim: Simulator;
beforeAll(async () => {
  sim = await createSimulator({ seed });
});
afterAll(() => sim.close());

function token(clientId: string, resource: string): Promise<string> {
  const credential = new ClientSecretCredential(TENANT, clientId, SECRET, {
    authorityHost: sim.origin,
    disableInstanceDiscovery: true,
  });
  return credential.getToken(`${resource}/.default`).then((t) => t.token);
}

async function call(path: string, init: RequestInit & { token?: string; origin?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const res = await fetch(`${init.origin ?? sim.origin}${path}`, { ...init, headers });
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('json') && text;
  return {
    status: res.status,
    headers: res.headers,
    // Loose on purpose: the tests walk response JSON by path and assert the values.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    body: json ? (JSON.parse(text) as Record<string, any>) : undefined,
    text,
  };
}

/** A call to the control plane, the listener apart from the service origin. */
function control(path: string, init: RequestInit = {}) {
  return call(path, { ...init, origin: sim.controlOrigin });
}

const GRAPH = 'https://graph.microsoft.com';
const EXCHANGE = 'https://outlook.office365.com';

describe('authentication and authorisation', () => {
  it('401 without a token, with Graph error body and request ids', async () => {
    const res = await call('/v1.0/users', { headers: { 'client-request-id': 'abc-123' } });
    expect(res.status).toBe(401);
    expect(res.body?.error).toMatchObject({
      code: 'InvalidAuthenticationToken',
      message: 'Access token is empty.',
    });
    expect(res.body?.error.innerError['client-request-id']).toBe('abc-123');
    expect(res.headers.get('request-id')).toBe(res.body?.error.innerError['request-id']);
  });

  it('binds tokens to their audience: an Exchange token on Graph is refused', async () => {
    const res = await call('/v1.0/users', { token: await token(EXO, EXCHANGE) });
    expect(res.status).toBe(401);
    expect(res.body?.error).toMatchObject({
      code: 'InvalidAuthenticationToken',
      message: 'Access token validation failure. Invalid audience.',
    });
    const forged = await call('/v1.0/users', { token: 'eyJhbGciOiJub25lIn0.e30.' });
    expect(forged.body?.error.message).toBe('Access token validation failure.');
  });

  it('403 Authorization_RequestDenied when the app lacks the permission', async () => {
    const res = await call('/v1.0/users', { token: await token(NOBODY, GRAPH) });
    expect(res.status).toBe(403);
    expect(res.body?.error).toMatchObject({
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
  });

  it('401 once the simulator clock passes the token expiry', async () => {
    const t = await token(READER, GRAPH);
    expect((await call('/v1.0/users', { token: t })).status).toBe(200);
    sim.advanceClock(3600_000);
    const res = await call('/v1.0/users', { token: t });
    expect(res.status).toBe(401);
    expect(res.body?.error.message).toBe('Access token has expired or is not yet valid.');
  });

  it('Exchange: 401 for a Graph token and for an app without Exchange.ManageAsApp; 200 with it', async () => {
    const body = JSON.stringify({ CmdletInput: { CmdletName: 'Get-OrganizationConfig', Parameters: {} } });
    const post = async (t: string) =>
      call(`/adminapi/beta/${sim.state.tenantId}/InvokeCommand`, {
        method: 'POST',
        token: t,
        body,
        headers: {
          'content-type': 'application/json',
          'x-anchormailbox': `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${TENANT}`,
        },
      });
    expect((await post(await token(EXO, GRAPH))).status).toBe(401);
    const noRole = await post(await token(NOBODY, EXCHANGE));
    expect(noRole.status).toBe(401);
    expect(noRole.body?.error.message).toMatch(
      /^The role assigned to application 22222222-2222-4222-8222-222222222222 isn't supported/,
    );
    expect((await post(await token(EXO, EXCHANGE))).status).toBe(200);
  });
});

describe('routing', () => {
  it('unknown Graph segment → 400 BadRequest naming it; other services → 404', async () => {
    const t = await token(READER, GRAPH);
    const res = await call('/v1.0/groupz', { token: t });
    expect(res.status).toBe(400);
    expect(res.body?.error).toMatchObject({
      code: 'BadRequest',
      message: "Resource not found for the segment 'groupz'.",
    });
    expect((await call('/nothing/here')).status).toBe(404);
  });

  it('refuses bodies over 5 MB with 413', async () => {
    const res = await call(`/${TENANT}/oauth2/v2.0/token`, {
      method: 'POST',
      body: Buffer.alloc(5 * 1024 * 1024 + 1),
    });
    expect(res).toMatchObject({ status: 413, text: 'Request Entity Too Large' });
  });

  it('runs $batch items through the pipeline with the outer app: permissions apply per item', async () => {
    const body = JSON.stringify({
      requests: [
        { id: '1', method: 'GET', url: '/users?$top=1' },
        {
          id: '2',
          method: 'PATCH',
          url: '/users/ada@contoso.com',
          headers: { 'content-type': 'application/json' },
          body: { jobTitle: 'x' },
        },
      ],
    });
    const res = await call('/v1.0/$batch', {
      method: 'POST',
      token: await token(READER, GRAPH),
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(
      (res.body?.responses as Array<{ id: string; status: number }>).map((r) => [r.id, r.status]),
    );
    expect(byId).toEqual({ '1': 200, '2': 403 });
  });

  it('counts requests per route and status', async () => {
    sim.resetStats();
    const t = await token(READER, GRAPH);
    await call('/v1.0/users', { token: t });
    await call('/v1.0/users', { token: t });
    const stats = sim.statsSnapshot();
    expect(stats.requests['GET /v1.0/users 200']).toBe(2);
    expect(stats.requests['POST /{tenant}/oauth2/v2.0/token 200']).toBe(1);
    await call('/v1.0/users');
    expect(sim.statsSnapshot().requests['GET (unmatched graph) 401']).toBe(1);
  });
});

describe('inspection endpoints', () => {
  it('are served on the control plane only: the service origin answers /_sim like any unknown path', async () => {
    expect(sim.controlOrigin).not.toBe(sim.origin);
    for (const [method, path] of [
      ['GET', '/_sim/state'],
      ['GET', '/_sim/budget'],
      ['GET', '/_sim/stats'],
      ['PATCH', '/_sim/throttle'],
      ['POST', '/_sim/clock'],
    ] as const) {
      const res = await call(path, { method, ...(method !== 'GET' && { body: '{"enabled":false}' }) });
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(res.text).not.toContain('exchange');
    }
    expect((await control('/_sim/budget')).body).toMatchObject({
      seed: 1,
      exchange: { requests: expect.any(Number) },
    });
    expect((await control('/v1.0/users')).status).toBe(404);
  });

  it('GET /_sim/state shows users, photo metadata without bytes, mailboxes, org, and no secrets', async () => {
    const res = await control('/_sim/state');
    const state = res.body!;
    expect(state.users).toHaveLength(2);
    const ada = state.users.find(
      (u: { userPrincipalName: string }) => u.userPrincipalName === 'ada@contoso.com',
    );
    expect(state.photos[ada.id]).toMatchObject({ contentType: 'image/jpeg', width: 240, height: 240 });
    expect(state.photos[ada.id].bytes).toBeUndefined();
    expect(Object.keys(state.mailboxConfig)).toEqual([ada.id]);
    expect(state.organizationConfig).toEqual({ Name: 'contoso', PostponeRoamingSignaturesUntilLater: false });
    expect(JSON.stringify(state)).not.toContain(SECRET);
  });

  it('PATCH /_sim/users/{id} drifts a user and records a change for delta', async () => {
    const before = sim.state.nextSeq;
    const res = await control('/_sim/users/ada@contoso.com', {
      method: 'PATCH',
      body: JSON.stringify({ jobTitle: 'Countess' }),
    });
    expect(res.body).toEqual({ changed: ['jobTitle'] });
    const ada = [...sim.state.users.values()].find((u) => u.userPrincipalName === 'ada@contoso.com');
    expect(ada?.jobTitle).toBe('Countess');
    expect(sim.state.changes.at(-1)).toMatchObject({
      seq: before,
      userId: ada?.id,
      kind: 'changed',
      properties: ['jobTitle'],
    });
    expect(sim.state.stats.writesPerUser.get(ada!.id)).toBeUndefined();
    const bad = await control('/_sim/users/nobody@contoso.com', { method: 'PATCH', body: '{}' });
    expect(bad).toMatchObject({ status: 404, body: { error: "no user 'nobody@contoso.com'" } });
  });

  it('PATCH /_sim/mailboxes/{id} changes the signature as the service stores it', async () => {
    const res = await control('/_sim/mailboxes/ada@contoso.com', {
      method: 'PATCH',
      body: JSON.stringify({ SignatureHtml: '<p onclick="x()">Hi</p>', AutoAddSignature: true }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      SignatureHtml: '<html><body><p>Hi</p></body></html>',
      AutoAddSignature: true,
    });
    const bad = await control('/_sim/mailboxes/ada@contoso.com', {
      method: 'PATCH',
      body: JSON.stringify({ AutoAddSignature: 'yes' }),
    });
    expect(bad).toMatchObject({
      status: 400,
      body: { error: "mailbox patch: 'AutoAddSignature' must be a boolean" },
    });
    expect((await control('/_sim/mailboxes/alan@contoso.com', { method: 'PATCH', body: '{}' })).status).toBe(
      404,
    );
  });

  it('PUT and DELETE /_sim/photos/{id} store a re-encoded photo and remove it', async () => {
    const png = await sharp({ create: { width: 1000, height: 500, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
    expect((await control('/_sim/photos/alan@contoso.com', { method: 'PUT', body: png })).status).toBe(204);
    const alan = [...sim.state.users.values()].find((u) => u.userPrincipalName === 'alan@contoso.com')!;
    expect(sim.state.photos.get(alan.id)).toMatchObject({
      contentType: 'image/jpeg',
      width: 648,
      height: 324,
    });
    expect(
      (await control('/_sim/photos/alan@contoso.com', { method: 'PUT', body: 'not an image' })).status,
    ).toBe(400);
    expect((await control('/_sim/photos/alan@contoso.com', { method: 'DELETE' })).status).toBe(204);
    expect(sim.state.photos.has(alan.id)).toBe(false);
  });

  it('PATCH /_sim/org, /_sim/faults, /_sim/throttle; POST /_sim/clock; stats reset', async () => {
    expect(
      (
        await control('/_sim/org', {
          method: 'PATCH',
          body: JSON.stringify({ PostponeRoamingSignaturesUntilLater: true }),
        })
      ).body,
    ).toMatchObject({
      PostponeRoamingSignaturesUntilLater: true,
    });
    expect(
      (await control('/_sim/faults', { method: 'PATCH', body: JSON.stringify({ latencyMs: 5 }) })).body,
    ).toMatchObject({ latencyMs: 5 });
    const unknown = await control('/_sim/throttle', {
      method: 'PATCH',
      body: JSON.stringify({ turbo: true }),
    });
    expect(unknown).toMatchObject({ status: 400, body: { error: "throttle patch: unknown key 'turbo'" } });
    expect(
      (
        await control('/_sim/throttle', {
          method: 'PATCH',
          body: JSON.stringify({ resourceUnitsPer10s: 100 }),
        })
      ).body,
    ).toMatchObject({ resourceUnitsPer10s: 100 });
    sim.patchFaults({ latencyMs: 0 });
    sim.patchThrottle({ resourceUnitsPer10s: null } as never);
    expect(sim.state.throttle.resourceUnitsPer10s).toBeUndefined();
    const before = sim.now();
    const clock = await control('/_sim/clock', {
      method: 'POST',
      body: JSON.stringify({ advanceMs: 60_000 }),
    });
    expect(clock.body?.now).toBeGreaterThanOrEqual(before + 60_000);
    expect(
      (await control('/_sim/clock', { method: 'POST', body: JSON.stringify({ advanceMs: -1 }) })).status,
    ).toBe(400);
    expect((await control('/_sim/stats/reset', { method: 'POST' })).status).toBe(204);
    expect((await control('/_sim/stats')).body).toMatchObject({
      requests: {},
      throttled: 0,
      resourceUnits: 0,
    });
  });
});

describe('TLS', () => {
  it('serves a certificate for 127.0.0.1 issued by the CA at caPath, on both listeners', async () => {
    const agent = new Agent({ ca: sim.caPem });
    const status = (url: string) =>
      new Promise<number>((resolve, reject) => {
        request(url, { agent }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    expect(await status(`${sim.origin}/v1.0/users`)).toBe(401);
    expect(await status(`${sim.controlOrigin}/_sim/stats`)).toBe(200);
    agent.destroy();
  });
});
