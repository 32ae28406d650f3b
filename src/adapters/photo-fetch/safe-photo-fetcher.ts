import { createHash } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { PhotoSettings } from '../../config/settings.js';
import type { FetchedPhoto, PhotoFetcher } from '../../ports/photo-fetcher.js';
import { downloadOnce, type ResolveHost } from './download-once.js';
import { checkPhotoUrl, checkRedirect } from './photo-url.js';
import { sniffImage } from './sniff-image.js';

export type { ResolveHost } from './download-once.js';

/** Redirects followed per photo; the next one is refused as `too-many-redirects`. */
export const MAX_PHOTO_REDIRECTS = 3;

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
  const first = checkPhotoUrl(raw, settings.allowedHosts);
  if (!first.ok) return first;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), settings.totalTimeoutMs);
  try {
    let url = first.url;
    for (let redirects = 0; ; redirects += 1) {
      const hop = await downloadOnce({
        url,
        allowPrivateAddresses: settings.allowPrivateAddresses,
        maxBytes: settings.maxBytes,
        connectTimeoutMs: settings.connectTimeoutMs,
        totalTimeoutMs: settings.totalTimeoutMs,
        resolve,
        ca,
        deadline: deadline.signal,
      });
      if (hop.kind === 'rejected') return { ok: false, reason: hop.reason, message: hop.message };
      if (hop.kind === 'body') return await judge(hop.bytes);
      if (redirects === MAX_PHOTO_REDIRECTS) {
        return {
          ok: false,
          reason: 'too-many-redirects',
          message: `the photo server redirected more than ${MAX_PHOTO_REDIRECTS} times`,
        };
      }
      const next = checkRedirect(url, hop.location, settings.allowedHosts);
      if (!next.ok) return next;
      url = next.url;
    }
  } catch (error) {
    // Outcomes are data: anything unforeseen is still this employee's problem alone.
    const name = error instanceof Error ? error.name : 'unknown error';
    return { ok: false, reason: 'network', message: `the photo download failed unexpectedly (${name})` };
  } finally {
    clearTimeout(timer);
  }
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

function systemLookup(hostname: string) {
  return dnsLookup(hostname, { all: true, verbatim: true });
}
