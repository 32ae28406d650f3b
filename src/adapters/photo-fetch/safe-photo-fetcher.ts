import { createHash } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { PhotoSettings } from '../../config/settings.js';
import type { FetchedPhoto, PhotoFetcher } from '../../ports/photo-fetcher.js';
import type { ResolveHost } from './download-once.js';
import { downloadChecked } from './download-checked.js';
import { sniffImage } from './sniff-image.js';

export type { ResolveHost } from './download-once.js';
export { MAX_PHOTO_REDIRECTS } from './download-checked.js';

/** Options of `createSafePhotoFetcher`; production passes none. */
export interface SafePhotoFetcherOptions {
  /**
   * CA certificate(s) (PEM) trusted for https photo hosts instead of Node's defaults — for a
   * local test server. Production relies on Node's trust store plus `NODE_EXTRA_CA_CERTS`.
   */
  ca?: string | Buffer;
  /** Name resolution (default: `dns.lookup` with `all: true`). Every address it returns is checked. */
  lookup?: ResolveHost;
}

/**
 * The photo fetcher for URLs from the HR database, which Roster does not control. Before any
 * connection: http(s) only, no credentials, host on `allowedHosts`, and every address the host
 * resolves to must be public unless `allowPrivateAddresses`. Then at most
 * `MAX_PHOTO_REDIRECTS` same-host redirects, a connect timeout and a total deadline, a size cap
 * enforced while streaming, and a verdict from the bytes alone: JPEG or PNG that decodes.
 */
export function createSafePhotoFetcher(
  settings: PhotoSettings,
  options: SafePhotoFetcherOptions = {},
): PhotoFetcher {
  const resolve = options.lookup ?? systemLookup;
  return {
    fetch: (url) => fetchPhoto(url, settings, resolve, options.ca),
  };
}

async function fetchPhoto(
  raw: string,
  settings: PhotoSettings,
  resolve: ResolveHost,
  ca: string | Buffer | undefined,
): Promise<FetchedPhoto> {
  const download = await downloadChecked(raw, settings, { resolve, ca });
  if (!download.ok) return { ok: false, reason: download.reason, message: download.message };
  return judge(download.bytes);
}

async function judge(bytes: Buffer): Promise<FetchedPhoto> {
  if (bytes.length === 0)
    return { ok: false, reason: 'not-an-image', message: 'the photo server sent no bytes' };
  const image = await sniffImage(bytes);
  if (!image.ok) return { ok: false, reason: 'not-an-image', message: image.message };
  return {
    ok: true,
    bytes,
    contentType: image.contentType,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    ...(image.width !== undefined ? { width: image.width } : {}),
    ...(image.height !== undefined ? { height: image.height } : {}),
  };
}

/** `dns.lookup` with every address, in the order the resolver gave them. */
export function systemLookup(hostname: string) {
  return dnsLookup(hostname, { all: true, verbatim: true });
}
