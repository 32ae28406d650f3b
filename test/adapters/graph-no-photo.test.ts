import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createMicrosoftAdapters } from '../../src/adapters/create-microsoft-adapters.js';
import type { RateLimitSettings } from '../../src/config/settings.js';
import { createSimulator } from '../../src/sim/simulator.js';

const TENANT = 'contoso.onmicrosoft.com';
const APP = '11111111-1111-4111-8111-111111111111';
const SECRET = 'test-only-photo-secret';
const LIMITS: RateLimitSettings = {
  graphReadsPer10s: 3_500,
  graphWritesPer150s: 3_000,
  graphConcurrency: 4,
  photoConcurrencyPerMailbox: 4,
  photoRequestsPer10min: 10_000,
  exchangeRequestsPerMinute: 300,
  exchangeConcurrency: 3,
  maxRetries: 3,
  maxBackoffMs: 200,
};

describe('the shapes of "no photo", against the simulator', () => {
  it('reads the documented placeholder and a 404 as no photo, and a real 1x1 photo as a photo', async () => {
    await using sim = await createSimulator({
      seed: {
        tenant: { domain: TENANT, domains: ['contoso.com'] },
        apps: [{ clientId: APP, clientSecret: SECRET, graphPermissions: ['User.ReadWrite.All'] }],
        users: [
          { userPrincipalName: 'gif@contoso.com', noPhoto: 'placeholder' },
          { userPrincipalName: 'gone@contoso.com', noPhoto: 'not-found' },
          { userPrincipalName: 'dot@contoso.com', photo: { generate: '#000000', size: 1 } },
        ],
        throttle: { enabled: false },
      },
    });
    const { photos } = createMicrosoftAdapters({
      env: {
        AZURE_TENANT_ID: TENANT,
        AZURE_CLIENT_ID: APP,
        AZURE_CLIENT_SECRET: SECRET,
        AZURE_AUTHORITY_HOST: sim.origin,
        ROSTER_GRAPH_URL: sim.origin,
        ROSTER_EXCHANGE_URL: sim.origin,
      },
      tenant: { id: sim.state.tenantId, domain: TENANT },
      rateLimits: LIMITS,
    });
    const id = (upn: string) => [...sim.state.users.values()].find((u) => u.userPrincipalName === upn)!.id;
    const [gif, gone, dot] = ['gif', 'gone', 'dot'].map((n) => id(`${n}@contoso.com`)) as [
      string,
      string,
      string,
    ];

    const meta = await photos.getPhotoMeta([gif, gone, dot]);
    expect(meta.map((m) => (m.ok ? m.value : m.error.message))).toEqual([
      null,
      null,
      { contentType: 'image/jpeg', etag: sim.state.photos.get(dot)!.etag, width: 1, height: 1 },
    ]);

    // A 1x1 PNG uploaded where the placeholder was reads back as that photo, not as none.
    const pixel = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    await photos.putPhoto(gif, pixel, 'image/png');
    const [after] = await photos.getPhotoMeta([gif]);
    expect(after).toMatchObject({ ok: true, value: { contentType: 'image/jpeg', width: 1, height: 1 } });
    expect((after as { value: { etag: string } }).value.etag).toBe(sim.state.photos.get(gif)!.etag);
  });
});
