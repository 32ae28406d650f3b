import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_MAILBOX_GUID } from '../../src/sim/exchange.js';
import { createSimulator, type Simulator } from '../../src/sim/simulator.js';

/** Photos, $batch and the Exchange admin API over real HTTPS with real client-credential tokens. */
let sim: Simulator;
let graphToken: string;
let exchangeToken: string;
let readOnlyToken: string;

async function token(clientId: string, clientSecret: string, resource: string): Promise<string> {
  const res = await fetch(`${sim.origin}/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: clientId,
      client_secret: clientSecret,
      scope: `${resource}/.default`,
      grant_type: 'client_credentials',
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  sim = await createSimulator({
    seed: {
      tenant: { domain: 'contoso.onmicrosoft.com', domains: ['contoso.com'] },
      apps: [
        {
          clientId: '11111111-1111-4111-8111-111111111111',
          clientSecret: 'writer-secret',
          graphPermissions: ['User.ReadWrite.All', 'ProfilePhoto.ReadWrite.All'],
          exchangeManageAsApp: true,
        },
        {
          clientId: '22222222-2222-4222-8222-222222222222',
          clientSecret: 'reader-secret',
          graphPermissions: ['User.Read.All'],
        },
      ],
      users: [
        { userPrincipalName: 'alice@contoso.com', givenName: 'Alice' },
        { userPrincipalName: 'bob@contoso.com', givenName: 'Bob' },
        // Without a photo, Carol's metadata is the observed 404 (not the documented placeholder).
        { userPrincipalName: 'carol@contoso.com', givenName: 'Carol', noPhoto: 'not-found' },
      ],
      throttle: { enabled: false },
    },
  });
  graphToken = await token(
    '11111111-1111-4111-8111-111111111111',
    'writer-secret',
    'https://graph.microsoft.com',
  );
  exchangeToken = await token(
    '11111111-1111-4111-8111-111111111111',
    'writer-secret',
    'https://outlook.office365.com',
  );
  readOnlyToken = await token(
    '22222222-2222-4222-8222-222222222222',
    'reader-secret',
    'https://graph.microsoft.com',
  );
});

afterAll(async () => {
  await sim?.close();
});

describe('simulator over HTTPS', () => {
  it('uploads a photo, reads back different bytes, and refuses writes without the permission', async () => {
    const jpeg = await sharp({ create: { width: 700, height: 700, channels: 3, background: '#118844' } })
      .jpeg()
      .toBuffer();
    const url = `${sim.origin}/v1.0/users/alice@contoso.com/photo/$value`;
    const denied = await fetch(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${readOnlyToken}`, 'content-type': 'image/jpeg' },
      body: jpeg,
    });
    expect(denied.status).toBe(403);

    const put = await fetch(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${graphToken}`, 'content-type': 'image/jpeg' },
      body: jpeg,
    });
    expect(put.status).toBe(200);
    const meta = await fetch(`${sim.origin}/v1.0/users/alice@contoso.com/photo`, {
      headers: { authorization: `Bearer ${readOnlyToken}` },
    });
    expect(await meta.json()).toMatchObject({ id: '648X648', width: 648, height: 648 });
    const got = await fetch(url, { headers: { authorization: `Bearer ${readOnlyToken}` } });
    expect(got.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await got.arrayBuffer());
    expect(bytes.equals(jpeg)).toBe(false);
    expect((await sharp(bytes).metadata()).width).toBe(648);
  });

  it('runs a $batch whose items are authorised one by one and answered out of order', async () => {
    const png = await sharp({ create: { width: 96, height: 96, channels: 3, background: '#884411' } })
      .png()
      .toBuffer();
    const requests = [
      {
        id: '1',
        method: 'PUT',
        url: '/users/bob@contoso.com/photo/$value',
        headers: { 'Content-Type': 'image/png' },
        body: png.toString('base64'),
      },
      { id: '2', method: 'GET', url: '/users/bob@contoso.com/photo', dependsOn: ['1'] },
      { id: '3', method: 'GET', url: '/users/nobody@contoso.com/photo' },
      { id: '4', method: 'GET', url: '/users/nobody@contoso.com/photo/$value', dependsOn: ['3'] },
    ];
    const res = await fetch(`${sim.origin}/v1.0/$batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${graphToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requests }),
    });
    expect(res.status).toBe(200);
    const { responses } = (await res.json()) as {
      responses: { id: string; status: number; body: unknown }[];
    };
    expect(responses.map((r) => r.id)).not.toEqual(['1', '2', '3', '4']);
    const status = Object.fromEntries(responses.map((r) => [r.id, r.status]));
    expect(status).toEqual({ '1': 200, '2': 200, '3': 404, '4': 424 });
    expect(responses.find((r) => r.id === '2')?.body).toMatchObject({ width: 96, height: 96 });
  });

  it('reports an inner 429 from the throttler as an item with Retry-After', async () => {
    sim.patchThrottle({
      enabled: true,
      photoRequestsPer10min: 1,
      missingRetryAfterShare: 0,
      fractionalRetryAfterShare: 0,
      subLimit429Rate: 0,
    });
    try {
      const requests = ['a', 'b'].map((id) => ({ id, method: 'GET', url: '/users/carol@contoso.com/photo' }));
      const res = await fetch(`${sim.origin}/v1.0/$batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${graphToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ requests }),
      });
      expect(res.status).toBe(200);
      const { responses } = (await res.json()) as {
        responses: { status: number; headers: Record<string, string> }[];
      };
      expect(responses.map((r) => r.status).sort()).toEqual([404, 429]);
      const throttled = responses.find((r) => r.status === 429);
      const retryAfter = Object.entries(throttled?.headers ?? {}).find(
        ([k]) => k.toLowerCase() === 'retry-after',
      )?.[1];
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      sim.patchThrottle({ enabled: false });
    }
  });

  it('sets and reads a signature through InvokeCommand with an Exchange token', async () => {
    const invoke = (CmdletName: string, Parameters: Record<string, unknown>) =>
      fetch(`${sim.origin}/adminapi/beta/${sim.state.tenantId}/InvokeCommand`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${exchangeToken}`,
          'content-type': 'application/json',
          'x-anchormailbox': `APP:SystemMailbox{${SYSTEM_MAILBOX_GUID}}@contoso.onmicrosoft.com`,
        },
        body: JSON.stringify({ CmdletInput: { CmdletName, Parameters } }),
      });
    const set = await invoke('Set-MailboxMessageConfiguration', {
      Identity: 'alice@contoso.com',
      SignatureHtml: '<b>Alice</b>\n',
    });
    expect(set.status).toBe(200);
    const get = await invoke('Get-MailboxMessageConfiguration', { Identity: 'alice@contoso.com' });
    expect(((await get.json()) as { value: { SignatureHtml: string }[] }).value[0]?.SignatureHtml).toBe(
      '<html><body><b>Alice</b>\r\n</body></html>',
    );
    const withGraphToken = await fetch(`${sim.origin}/adminapi/beta/${sim.state.tenantId}/InvokeCommand`, {
      method: 'POST',
      headers: { authorization: `Bearer ${graphToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(withGraphToken.status).toBe(401);
  });
});
