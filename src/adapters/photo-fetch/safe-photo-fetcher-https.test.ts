import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhotoSettings } from '../../config/settings.js';
import { generateCa, issueServerCertificate } from '../../sim/tls.js';
import {
  makeImages,
  startPhotoServer,
  startSilentServer,
  type PhotoServer,
} from '../../../test/support/photo-servers.js';
import { createSafePhotoFetcher } from './safe-photo-fetcher.js';

function settings(partial: Partial<PhotoSettings> = {}): PhotoSettings {
  return {
    enabled: true,
    allowedHosts: ['127.0.0.1'],
    allowPrivateAddresses: true,
    maxBytes: 4 * 1024 * 1024,
    connectTimeoutMs: 2_000,
    totalTimeoutMs: 5_000,
    ...partial,
  };
}

describe('https', () => {
  let images: { jpeg: Buffer };
  let server: PhotoServer;
  let tlsServer: PhotoServer;
  let caPem: string;

  beforeAll(async () => {
    images = await makeImages();
    server = await startPhotoServer({});
    const ca = await generateCa();
    caPem = ca.certPem;
    tlsServer = await startPhotoServer(
      {
        '/photo.jpg': (_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(images.jpeg),
        '/slow-photo': (_req, res) =>
          void setTimeout(() => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(images.jpeg), 600),
        '/downgrade': (_req, res) =>
          res.writeHead(302, { location: `http://127.0.0.1:${server.port}/photo.jpg` }).end(),
      },
      await issueServerCertificate(ca),
    );
  });

  afterAll(async () => {
    await tlsServer.close();
    await server.close();
  });

  it('fetches over https from a server whose CA is trusted', async () => {
    const result = await createSafePhotoFetcher(settings(), { ca: caPem }).fetch(
      `${tlsServer.origin}/photo.jpg`,
    );
    expect(result.ok && result.contentType).toBe('image/jpeg');
  });

  it('stops the connect timeout once the TLS handshake is done', async () => {
    const fetcher = createSafePhotoFetcher(settings({ connectTimeoutMs: 300 }), { ca: caPem });
    const result = await fetcher.fetch(`${tlsServer.origin}/slow-photo`);
    expect(result.ok && result.contentType).toBe('image/jpeg');
  });

  it('refuses a certificate it does not trust', async () => {
    const result = await createSafePhotoFetcher(settings()).fetch(`${tlsServer.origin}/photo.jpg`);
    expect(result.ok || result.reason).toBe('network');
    expect(result.ok || result.message).toMatch(
      /^the photo download from "127\.0\.0\.1" failed \([A-Z_]+\)$/,
    );
  });

  it('refuses a redirect from https down to http on the same host', async () => {
    const before = server.requests.length;
    const result = await createSafePhotoFetcher(settings(), { ca: caPem }).fetch(
      `${tlsServer.origin}/downgrade`,
    );
    expect(result).toEqual({
      ok: false,
      reason: 'redirect-not-allowed',
      message: 'a redirect from https: to http: is not allowed',
    });
    expect(server.requests.length).toBe(before);
  });

  it('gives up on a TLS handshake that never completes at the connect timeout', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const fetcher = createSafePhotoFetcher(settings({ connectTimeoutMs: 300, totalTimeoutMs: 5_000 }));
      expect(await fetcher.fetch(`https://127.0.0.1:${silent.port}/photo.jpg`)).toEqual({
        ok: false,
        reason: 'timeout',
        message: 'no connection to "127.0.0.1" within 300 ms',
      });
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await silent.close();
    }
  });
});
