import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_MAILBOX_GUID } from '../../src/sim/exchange.js';
import { createSimulator, type Simulator } from '../../src/sim/simulator.js';

/** Writes that show late in reads, over real HTTPS (the control plane sees the truth at once). */
let sim: Simulator;
let graph: string;
let exchange: string;
const CLIENT = '11111111-1111-4111-8111-111111111111';

async function token(resource: string): Promise<string> {
  const res = await fetch(`${sim.origin}/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: CLIENT,
      client_secret: 'writer-secret',
      scope: `${resource}/.default`,
      grant_type: 'client_credentials',
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  sim = await createSimulator({
    seed: {
      tenant: { domain: 'contoso.onmicrosoft.com', domains: ['contoso.com'] },
      apps: [
        {
          clientId: CLIENT,
          clientSecret: 'writer-secret',
          graphPermissions: ['User.ReadWrite.All', 'ProfilePhoto.ReadWrite.All'],
          exchangeManageAsApp: true,
        },
      ],
      users: [{ userPrincipalName: 'alice@contoso.com', givenName: 'Alice', noPhoto: 'not-found' }],
      throttle: { enabled: false },
      behaviour: { propagation: { photoMaxMs: 600_000, signatureMaxMs: 600_000 } },
    },
  });
  graph = await token('https://graph.microsoft.com');
  exchange = await token('https://outlook.office365.com');
});
afterAll(async () => {
  await sim?.close();
});

async function photoStatus(): Promise<number> {
  const res = await fetch(`${sim.origin}/v1.0/users/alice@contoso.com/photo`, {
    headers: { authorization: `Bearer ${graph}` },
  });
  await res.arrayBuffer();
  return res.status;
}

async function cmdlet(name: string, parameters: Record<string, unknown>) {
  const res = await fetch(`${sim.origin}/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${exchange}`,
      'content-type': 'application/json',
      'x-anchormailbox': `APP:SystemMailbox{${SYSTEM_MAILBOX_GUID}}@contoso.onmicrosoft.com`,
    },
    body: JSON.stringify({ CmdletInput: { CmdletName: name, Parameters: parameters } }),
  });
  return (await res.json()) as { value: Record<string, unknown>[] };
}

describe('propagation lag', () => {
  it('a photo upload shows in reads only after its lag; the simulator itself holds it at once', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#336699' } })
      .jpeg()
      .toBuffer();
    const put = await fetch(`${sim.origin}/v1.0/users/alice@contoso.com/photo/$value`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${graph}`, 'content-type': 'image/jpeg' },
      body: jpeg,
    });
    expect(put.status).toBe(200);
    const id = sim.stateSnapshot().users.find((u) => u.userPrincipalName === 'alice@contoso.com')!.id;
    expect(sim.stateSnapshot().photos[id]).toBeDefined();
    expect(await photoStatus()).toBe(404);
    sim.advanceClock(600_001);
    expect(await photoStatus()).toBe(200);
  });

  it('a signature set shows in Get-MailboxMessageConfiguration only after its lag', async () => {
    await cmdlet('Set-MailboxMessageConfiguration', { Identity: 'alice@contoso.com', SignatureText: 'New' });
    expect(
      (await cmdlet('Get-MailboxMessageConfiguration', { Identity: 'alice@contoso.com' })).value[0],
    ).toMatchObject({
      SignatureText: '',
    });
    sim.advanceClock(600_001);
    expect(
      (await cmdlet('Get-MailboxMessageConfiguration', { Identity: 'alice@contoso.com' })).value[0],
    ).toMatchObject({
      SignatureText: 'New',
    });
  });
});
