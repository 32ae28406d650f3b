import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultBehaviourSettings } from '../../src/sim/seed.js';
import { createSimulator, type Simulator } from '../../src/sim/simulator.js';

/** photoUpdateSettings and the photo writes it refuses, over real HTTPS with real tokens. */
const ADMIN_ROLE = '62e90394-69f5-4237-9190-012177145e10';
const APPS = {
  reader: {
    id: '11111111-1111-4111-8111-111111111111',
    permissions: ['ProfilePhoto.ReadWrite.All', 'PeopleSettings.Read.All'],
  },
  privileged: { id: '22222222-2222-4222-8222-222222222222', permissions: ['ProfilePhoto.ReadWrite.All'] },
};
let sim: Simulator;
const tokens: Record<string, string> = {};
let jpeg: Buffer;

beforeAll(async () => {
  sim = await createSimulator({
    seed: {
      tenant: { domain: 'contoso.onmicrosoft.com', domains: ['contoso.com'] },
      apps: [
        { clientId: APPS.reader.id, clientSecret: 's', graphPermissions: APPS.reader.permissions },
        {
          clientId: APPS.privileged.id,
          clientSecret: 's',
          graphPermissions: APPS.privileged.permissions,
          directoryRoles: [ADMIN_ROLE],
        },
      ],
      users: [{ userPrincipalName: 'alice@contoso.com', photo: { generate: '#224466' } }],
      throttle: { enabled: false },
    },
  });
  for (const [name, app] of Object.entries(APPS)) {
    const res = await fetch(`${sim.origin}/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: app.id,
        client_secret: 's',
        scope: 'https://graph.microsoft.com/.default',
        grant_type: 'client_credentials',
      }),
    });
    tokens[name] = ((await res.json()) as { access_token: string }).access_token;
  }
  jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#884422' } })
    .jpeg()
    .toBuffer();
});
afterAll(() => sim?.close());

async function send(app: keyof typeof APPS, method: string, path: string, body?: Buffer) {
  const res = await fetch(`${sim.origin}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[app]}`, ...(body ? { 'content-type': 'image/jpeg' } : {}) },
    ...(body ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const put = (app: keyof typeof APPS) => send(app, 'PUT', '/v1.0/users/alice@contoso.com/photo/$value', jpeg);
const code = (r: { body?: Record<string, unknown> }) =>
  (r.body?.error as { code?: string } | undefined)?.code;

function settings(photoUpdateSettings: { source: 'cloud' | 'onPremises'; allowedRoles: string[] }) {
  sim.state.behaviour = { ...defaultBehaviourSettings(), photoUpdateSettings };
}

describe('photoUpdateSettings', () => {
  it('answers the settings on beta to an app with PeopleSettings.Read.All, and 403 to others', async () => {
    const read = await send('reader', 'GET', '/beta/admin/people/photoUpdateSettings');
    expect(read).toMatchObject({ status: 200, body: { source: 'cloud', allowedRoles: [] } });
    const denied = await send('privileged', 'GET', '/beta/admin/people/photoUpdateSettings');
    expect([denied.status, code(denied)]).toEqual([403, 'Authorization_RequestDenied']);
  });

  it('refuses photo uploads and deletes while photos are managed on-premises; reads still work', async () => {
    settings({ source: 'onPremises', allowedRoles: [] });
    expect((await send('reader', 'GET', '/beta/admin/people/photoUpdateSettings')).body).toMatchObject({
      source: 'onPremises',
    });
    for (const app of ['reader', 'privileged'] as const) {
      const refused = await put(app);
      expect([refused.status, code(refused)]).toEqual([403, 'ErrorAccessDenied']);
    }
    const del = await send('reader', 'DELETE', '/v1.0/users/alice@contoso.com/photo/$value');
    expect(del.status).toBe(403);
    expect((await send('reader', 'GET', '/v1.0/users/alice@contoso.com/photo')).status).toBe(200);
  });

  it('with allowedRoles, lets only an app holding one of the roles write', async () => {
    settings({ source: 'cloud', allowedRoles: [ADMIN_ROLE] });
    expect((await put('reader')).status).toBe(403);
    expect((await put('privileged')).status).toBe(200);
    settings({ source: 'cloud', allowedRoles: [] });
    expect((await put('reader')).status).toBe(200);
  });
});
