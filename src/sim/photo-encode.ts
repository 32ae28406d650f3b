import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { SimPhoto } from './types.js';

/** Exchange keeps photos up to 648×648; larger uploads are scaled down. */
const MAX_SIDE = 648;

/**
 * Re-encodes an uploaded image the way the service does: the bytes read back are not the
 * bytes uploaded (https://learn.microsoft.com/graph/api/profilephoto-update). Throws on bytes
 * that are not an image.
 */
export async function encodePhoto(input: Buffer): Promise<SimPhoto> {
  const { data, info } = await sharp(input)
    .rotate()
    .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 85 })
    .toBuffer({ resolveWithObject: true });
  return photoOf(data, info.width, info.height);
}

/** A solid-colour JPEG (`#rrggbb`), for seeds. */
export async function generatePhoto(colour: string, size = 240): Promise<SimPhoto> {
  const data = await sharp({ create: { width: size, height: size, channels: 3, background: colour } })
    .jpeg({ quality: 85 })
    .toBuffer();
  return photoOf(data, size, size);
}

function photoOf(bytes: Buffer, width: number, height: number): SimPhoto {
  const etag = `W/"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;
  return { bytes, contentType: 'image/jpeg', width, height, etag };
}
