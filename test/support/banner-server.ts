import sharp from 'sharp';
import { caFromEnv, generateCa, issueServerCertificate } from '../../src/sim/tls.js';
import { startPhotoServer, type PhotoServer } from './photo-servers.js';

/** An https server on 127.0.0.1 with banner images of known sizes, and the CA that trusts it. */
export interface BannerServer extends AsyncDisposable {
  server: PhotoServer;
  /** PEM of the CA that signed the server's certificate (for `createBannerImages(…, { ca })`). */
  ca: string;
  /** Sizes of the images served, in bytes. */
  sizes: { small: number; large: number };
  url(path: string): string;
}

/**
 * `/small.png` (a flat 64×48 PNG, a few hundred bytes), `/large.png` (noise, several KB, with a
 * Content-Length), `/large-chunked.png` (the same without one), `/small.gif`, `/page.html` (not an
 * image), `/unavailable.png` (503), `/gone.png` (404).
 */
export async function startBannerServer(): Promise<BannerServer> {
  const small = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
    .png()
    .toBuffer();
  const gif = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#993366' } })
    .gif()
    .toBuffer();
  const large = await sharp({
    create: {
      width: 96,
      height: 96,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  })
    .png()
    .toBuffer();
  // The suite's CA (Node trusts it through NODE_EXTRA_CA_CERTS, so a runtime downloads from here
  // as it would from a CDN), else one of its own.
  const ca = (await caFromEnv(process.env)) ?? (await generateCa());
  const png = { 'content-type': 'image/png' };
  const server = await startPhotoServer(
    {
      '/small.png': (_req, res) => res.writeHead(200, png).end(small),
      '/small.gif': (_req, res) => res.writeHead(200, { 'content-type': 'image/gif' }).end(gif),
      '/large.png': (_req, res) =>
        res.writeHead(200, { ...png, 'content-length': String(large.length) }).end(large),
      '/large-chunked.png': (_req, res) => {
        res.writeHead(200, png);
        res.write(large.subarray(0, 1000));
        res.end(large.subarray(1000));
      },
      '/page.html': (_req, res) =>
        res.writeHead(200, { 'content-type': 'image/png' }).end('<!doctype html><title>Not found</title>'),
      '/unavailable.png': (_req, res) => res.writeHead(503, { 'retry-after': '5' }).end(),
    },
    await issueServerCertificate(ca),
  );
  return {
    server,
    ca: ca.certPem,
    sizes: { small: small.length, large: large.length },
    url: (path) => `${server.origin}${path}`,
    [Symbol.asyncDispose]: () => server.close(),
  };
}

/**
 * Settings blocks for a test world whose campaign banners come from a local banner server: its
 * address allowed for signature URLs and for downloads (the example's variables kept).
 */
export function localBannerSettings(signatures: Record<string, unknown> = {}): {
  photos: Record<string, unknown>;
  signatures: Record<string, unknown>;
} {
  return {
    photos: { enabled: false, allowPrivateAddresses: true },
    signatures: {
      enabled: true,
      defaultTemplate: 'default',
      variables: {
        companyName: 'Eksempel AS',
        website: 'https://www.example.no',
        websiteLabel: 'www.example.no',
      },
      allowedHosts: ['example.no', '*.example.no', '127.0.0.1'],
      ...signatures,
    },
  };
}

/** A campaign file's text: `image` as its banner, the office as its target, running 2020-2099 by default. */
export function campaignYaml(
  id: string,
  image: string,
  office: string,
  span: { start?: string; end?: string } = {},
): string {
  return `id: ${id}
name: ${id}
banner:
  image: ${image}
  width: 480
  alt: ${id}
  link: https://www.example.no/${id}
start: { at: '${span.start ?? '2020-01-01T00:00'}', timeZone: UTC }
end: { at: '${span.end ?? '2099-01-01T00:00'}', timeZone: UTC }
target: { offices: ['${office}'] }
`;
}
