import { ClientSecretCredential } from '@azure/identity';
import { Client, PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimSeed } from '../../src/sim/seed.js';
import { createSimulator, type Simulator } from '../../src/sim/simulator.js';

const TENANT = 'contoso.onmicrosoft.com';
const APP = '44444444-4444-4444-8444-444444444444';
const SECRET = 'sdk-test-secret';

let sim: Simulator;
let client: Client;

beforeAll(async () => {
  const seed: SimSeed = {
    tenant: { domain: TENANT, domains: ['contoso.com'] },
    apps: [
      {
        clientId: APP,
        clientSecret: SECRET,
        graphPermissions: ['User.ReadWrite.All', 'ProfilePhoto.ReadWrite.All'],
      },
    ],
    users: Array.from({ length: 5 }, (_, i) => ({
      userPrincipalName: `user${i}@contoso.com`,
      jobTitle: 'Clerk',
    })),
    throttle: { enabled: false },
  };
  sim = await createSimulator({ seed });
  // Unmodified SDKs: @azure/identity pointed at the simulator's authority, the Graph client at its
  // origin, with the simulator's host in customHosts (host only, no port) so the token is attached.
  const credential = new ClientSecretCredential(TENANT, APP, SECRET, {
    authorityHost: sim.origin,
    disableInstanceDiscovery: true,
  });
  const authProvider = new TokenCredentialAuthenticationProvider(credential, {
    scopes: ['https://graph.microsoft.com/.default'],
  });
  client = Client.initWithMiddleware({
    authProvider,
    baseUrl: sim.origin,
    customHosts: new Set(['127.0.0.1']),
  });
});
afterAll(() => sim.close());

describe('the official @microsoft/microsoft-graph-client against the simulator', () => {
  it('lists users page by page with PageIterator following the absolute https nextLink', async () => {
    const first = (await client
      .api('/users')
      .select(['id', 'userPrincipalName'])
      .top(2)
      .get()) as PageCollection;
    expect(first.value).toHaveLength(2);
    expect(first['@odata.nextLink']).toMatch(new RegExp(`^${sim.origin}/v1\\.0/users\\?`));
    const seen: string[] = [];
    await new PageIterator(client, first, (user: { userPrincipalName: string }) => {
      seen.push(user.userPrincipalName);
      return true;
    }).iterate();
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `user${i}@contoso.com`));
  });

  it('patches a user (204) and reads it back; a refused PATCH surfaces as a GraphError with the code', async () => {
    await client.api('/users/user1@contoso.com').patch({ jobTitle: 'Rådgiver' });
    const user = (await client.api('/users/user1@contoso.com').select('jobTitle').get()) as {
      jobTitle: string;
    };
    expect(user.jobTitle).toBe('Rådgiver');
    await expect(client.api('/users/user1@contoso.com').patch({ jobTitle: '' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'Request_BadRequest',
    });
  });

  it('uploads a photo with PUT $value and reads back re-encoded bytes', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#aa3355' } })
      .jpeg()
      .toBuffer();
    await client.api('/users/user2@contoso.com/photo/$value').header('Content-Type', 'image/jpeg').put(jpeg);
    const meta = (await client.api('/users/user2@contoso.com/photo').get()) as Record<string, unknown>;
    expect(meta['@odata.mediaContentType']).toBe('image/jpeg');
    const stream = (await client
      .api('/users/user2@contoso.com/photo/$value')
      .getStream()) as AsyncIterable<Uint8Array>;
    const chunks: Uint8Array[] = [];
    for await (const c of stream) chunks.push(c);
    const back = Buffer.concat(chunks);
    expect(back.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(back.equals(jpeg)).toBe(false);
  });
});
