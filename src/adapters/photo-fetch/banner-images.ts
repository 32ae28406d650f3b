import type { Settings } from '../../config/settings.js';
import { signatureLinkRule } from '../../desired/url-policy.js';
import type { BannerImages, BannerVerdict } from '../../ports/banner-images.js';
import { downloadChecked, type CheckedDownload } from './download-checked.js';
import { systemLookup, type SafePhotoFetcherOptions } from './safe-photo-fetcher.js';
import { sniffImage, type ImageContentType } from './sniff-image.js';

/** What a banner may be: the photo types, and GIF (common for banners; Outlook shows its first frame). */
const BANNER_TYPES: readonly ImageContentType[] = ['image/jpeg', 'image/png', 'image/gif'];

/**
 * Banner images fetched the way photos are (`downloadChecked`: URL policy, every address
 * checked, same-host redirects only, timeouts) but on the signature link rule's hosts and with
 * `signatures.maxBannerBytes` as the cap: the body is cut after `maxBannerBytes + 1` bytes, so a
 * huge banner costs no more than that to find out.
 */
export function createBannerImages(
  settings: Pick<Settings, 'photos' | 'signatures' | 'scope'>,
  options: SafePhotoFetcherOptions = {},
): BannerImages {
  const limit = settings.signatures.maxBannerBytes;
  const limits = {
    allowedHosts: signatureLinkRule(settings).allowedHosts,
    allowPrivateAddresses: settings.photos.allowPrivateAddresses,
    maxBytes: limit,
    connectTimeoutMs: settings.photos.connectTimeoutMs,
    totalTimeoutMs: settings.photos.totalTimeoutMs,
  };
  const way = {
    resolve: options.lookup ?? systemLookup,
    ca: options.ca,
    subject: 'banner image',
    accept: 'image/png, image/gif, image/jpeg',
  };
  return {
    async inspect(url) {
      const download = await downloadChecked(url, limits, way);
      if (!download.ok) return refused(download, limit);
      const image = await sniffImage(download.bytes, BANNER_TYPES);
      if (!image.ok)
        return { kind: 'invalid', message: `the banner image is not an image: ${image.message}` };
      return {
        kind: 'ok',
        bytes: download.bytes.length,
        contentType: image.contentType,
        ...(image.width !== undefined ? { width: image.width } : {}),
        ...(image.height !== undefined ? { height: image.height } : {}),
      };
    },
  };
}

/**
 * Which refusals say something about the banner, and which only about this attempt. A 4xx (but
 * 408 and 429) is the server's answer that the image is not there; a 5xx, a timeout or a network
 * error may be gone on the next run.
 */
function refused(download: Extract<CheckedDownload, { ok: false }>, limit: number): BannerVerdict {
  const { reason, message, status, size } = download;
  if (reason === 'too-large') {
    return {
      kind: 'invalid',
      message,
      size:
        size !== undefined
          ? { bytes: size, atLeast: false, limit }
          : { bytes: limit + 1, atLeast: true, limit },
    };
  }
  if (reason === 'network' || reason === 'timeout') return { kind: 'unchecked', message };
  if (
    reason === 'http-status' &&
    (status === undefined || status >= 500 || status === 408 || status === 429)
  ) {
    return { kind: 'unchecked', message };
  }
  return { kind: 'invalid', message };
}
