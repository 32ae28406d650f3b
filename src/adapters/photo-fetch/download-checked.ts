import type { RejectedPhoto } from '../../ports/photo-fetcher.js';
import { downloadOnce, type ResolveHost } from './download-once.js';
import { checkPhotoUrl, checkRedirect } from './photo-url.js';

/** Redirects followed per download; the next one is refused as `too-many-redirects`. */
export const MAX_PHOTO_REDIRECTS = 3;

/** What a download may do: where it may go, how long it may take, how much it may read. */
export interface DownloadLimits {
  allowedHosts: readonly string[];
  allowPrivateAddresses: boolean;
  maxBytes: number;
  connectTimeoutMs: number;
  totalTimeoutMs: number;
}

/** How a download is made: name resolution, trust, and what it is called in messages. */
export interface DownloadWay {
  resolve: ResolveHost;
  ca: string | Buffer | undefined;
  /** `photo` or `banner image`. */
  subject?: string;
  accept?: string;
}

/** The body of a download that kept to every rule, or why it was refused (the HTTP status or size when known). */
export type CheckedDownload =
  { ok: true; bytes: Buffer } | (RejectedPhoto & { status?: number; size?: number });

/**
 * One download of a URL Roster does not control, under the photo fetcher's rules: the URL policy
 * before any connection, every resolved address checked, at most `MAX_PHOTO_REDIRECTS` same-host
 * redirects, a connect timeout and a total deadline, the size cap enforced while streaming. The
 * bytes are not judged here: photos and banner images accept different types.
 */
export async function downloadChecked(
  raw: string,
  limits: DownloadLimits,
  way: DownloadWay,
): Promise<CheckedDownload> {
  const subject = way.subject ?? 'photo';
  const first = checkPhotoUrl(raw, limits.allowedHosts);
  if (!first.ok) return first;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), limits.totalTimeoutMs);
  try {
    let url = first.url;
    for (let redirects = 0; ; redirects += 1) {
      const hop = await downloadOnce({
        url,
        allowPrivateAddresses: limits.allowPrivateAddresses,
        maxBytes: limits.maxBytes,
        connectTimeoutMs: limits.connectTimeoutMs,
        totalTimeoutMs: limits.totalTimeoutMs,
        resolve: way.resolve,
        ca: way.ca,
        deadline: deadline.signal,
        subject,
        ...(way.accept ? { accept: way.accept } : {}),
      });
      if (hop.kind === 'rejected') {
        const { kind: _kind, ...rejection } = hop;
        return { ok: false, ...rejection };
      }
      if (hop.kind === 'body') return { ok: true, bytes: hop.bytes };
      if (redirects === MAX_PHOTO_REDIRECTS) {
        return {
          ok: false,
          reason: 'too-many-redirects',
          message: `the ${subject} server redirected more than ${MAX_PHOTO_REDIRECTS} times`,
        };
      }
      const next = checkRedirect(url, hop.location, limits.allowedHosts);
      if (!next.ok) return next;
      url = next.url;
    }
  } catch (error) {
    // Outcomes are data: anything unforeseen is still this download's problem alone.
    const name = error instanceof Error ? error.name : 'unknown error';
    return { ok: false, reason: 'network', message: `the ${subject} download failed unexpectedly (${name})` };
  } finally {
    clearTimeout(timer);
  }
}
