import type { fileTypeFromBuffer as fileTypeFromBufferType } from 'file-type';
import type SharpType from 'sharp';
import type { PhotoContentType } from '../../ports/photos.js';

let loaded: Promise<{ fileTypeFromBuffer: FileTypeFromBuffer; sharp: Sharp }> | undefined;
type FileTypeFromBuffer = typeof fileTypeFromBufferType;
type Sharp = typeof SharpType;

/**
 * Loaded on the first photo, not at start: a run that downloads no photo never maps libvips
 * (≈40 MB resident). Only headers are read, so sharp's operation cache would hold nothing of use.
 */
function decoders() {
  loaded ??= Promise.all([import('file-type'), import('sharp')]).then(([fileType, sharpModule]) => {
    sharpModule.default.cache(false);
    return { fileTypeFromBuffer: fileType.fileTypeFromBuffer, sharp: sharpModule.default };
  });
  return loaded;
}

/** The image types a download can be judged as: photos take JPEG and PNG, banners GIF too. */
export type ImageContentType = PhotoContentType | 'image/gif';

/** What Graph takes as a profile photo. */
export const PHOTO_TYPES: readonly PhotoContentType[] = ['image/jpeg', 'image/png'];

/** What the bytes of a download turned out to be. */
export type SniffedImage<T extends ImageContentType = PhotoContentType> =
  { ok: true; contentType: T; width?: number; height?: number } | { ok: false; message: string };

/**
 * Judges a download by its bytes alone: a Content-Type header is whatever the server claims,
 * and Graph only takes JPEG and PNG. The header is then decoded by sharp so a file that merely
 * starts with the right magic number, or is too many pixels to decode safely, is refused too.
 */
export async function sniffImage(bytes: Uint8Array): Promise<SniffedImage>;
export async function sniffImage<T extends ImageContentType>(
  bytes: Uint8Array,
  accepted: readonly T[],
): Promise<SniffedImage<T>>;
export async function sniffImage(
  bytes: Uint8Array,
  accepted: readonly ImageContentType[] = PHOTO_TYPES,
): Promise<SniffedImage<ImageContentType>> {
  const { fileTypeFromBuffer, sharp } = await decoders();
  const upper = accepted.map((t) => t.slice('image/'.length).toUpperCase());
  const names = upper.length > 1 ? `${upper.slice(0, -1).join(', ')} or ${upper.at(-1)}` : upper.join('');
  const type = await fileTypeFromBuffer(bytes);
  if (!type) return { ok: false, message: `the bytes are not a recognizable file type (${names} expected)` };
  const contentType = accepted.find((t) => t === type.mime);
  if (!contentType) {
    return { ok: false, message: `the bytes are ${type.mime}; only ${accepted.join(' and ')} are accepted` };
  }
  try {
    const meta = await sharp(bytes).metadata();
    const decoded = meta.format === 'jpeg' ? 'image/jpeg' : `image/${String(meta.format)}`;
    if (decoded !== contentType) {
      return {
        ok: false,
        message: `the bytes look like ${contentType} but decode as ${String(meta.format)}`,
      };
    }
    return { ok: true, contentType, width: meta.width, height: meta.height };
  } catch {
    return { ok: false, message: `the bytes look like ${contentType} but do not decode as an image` };
  }
}
