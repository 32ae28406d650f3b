import { createHash } from 'node:crypto';
import { SIGNATURE_FLAGS, type SignatureFlags } from '../config/field-catalog.js';

/** The signature settings Roster writes with every signature (the catalog's type). */
export type SignatureFlagValues = SignatureFlags;

export function sha256(parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:${p}`);
  return h.digest('hex');
}

export function flagString(f: SignatureFlagValues): string {
  return SIGNATURE_FLAGS.map(({ key }) => (f[key] ? '1' : '0')).join('');
}

/** Identity of what Roster intends to write as a signature. */
export function desiredSignatureHash(html: string, text: string, flags: SignatureFlagValues): string {
  return sha256(['sig-desired', html, text, flagString(flags)]);
}
