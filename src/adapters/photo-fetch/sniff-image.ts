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

/** What the bytes of a download turned out to be. */
export type SniffedImage =
  | { ok: true; contentType: PhotoContentType; width?: number; height?: number }
  | { ok: false; message: string };

/**
 * Judges a download by its bytes alone: a Content-Type header is whatever the server claims,
 * and Graph only takes JPEG and PNG. The header is then decoded by sharp so a file that merely
 * starts with the right magic number, or is too many pixels to decode safely, is refused too.
 */
export async function sniffImage(bytes: Uint8Array): Promise<SniffedImage> {
  const { fileTypeFromBuffer, sharp } = await decoders();
  const type = await fileTypeFromBuffer(bytes);
  if (!type)
    return { ok: false, message: 'the bytes are not a recognizable file type (JPEG or PNG expected)' };
  const contentType = asPhotoContentType(type.mime);
  if (!contentType) {
    return { ok: false, message: `the bytes are ${type.mime}; only image/jpeg and image/png are accepted` };
  }
  try {
    const meta = await sharp(bytes).metadata();
    const decoded = meta.format === 'jpeg' ? 'image/jpeg' : meta.format === 'png' ? 'image/png' : meta.format;
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

function asPhotoContentType(mime: string): PhotoContentType | undefined {
  return mime === 'image/jpeg' || mime === 'image/png' ? mime : undefined;
}
