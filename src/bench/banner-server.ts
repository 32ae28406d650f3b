import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { issueServerCertificate } from '../sim/tls.js';

/** An https server on 127.0.0.1 serving one small PNG at every `/banners/<id>.png`. */
export interface BenchBannerServer {
  /** `https://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/**
 * Where the benchmark's campaign banners come from: each run downloads them, as from a CDN, and
 * nothing leaves the machine. The certificate is issued from the bench CA the worker trusts.
 */
export async function startBenchBannerServer(ca: {
  certPem: string;
  keyPem: string;
}): Promise<BenchBannerServer> {
  const png = await sharp({ create: { width: 480, height: 120, channels: 3, background: '#225588' } })
    .png()
    .toBuffer();
  const { key, cert } = await issueServerCertificate(ca);
  const server = createServer({ key, cert }, (req, res) => {
    if (/^\/banners\/[a-z0-9-]+\.png$/.test((req.url ?? '').split('?')[0] ?? '')) {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length) }).end(png);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
