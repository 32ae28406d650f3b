import { createHash } from 'node:crypto';

/** The four signature settings Roster writes with every signature. */
export interface SignatureFlagValues {
  autoAddSignature: boolean;
  autoAddSignatureOnReply: boolean;
  autoAddSignatureOnMobile: boolean;
  useDefaultSignatureOnMobile: boolean;
}

export function sha256(parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:${p}`);
  return h.digest('hex');
}

export function flagString(f: SignatureFlagValues): string {
  return [
    f.autoAddSignature,
    f.autoAddSignatureOnReply,
    f.autoAddSignatureOnMobile,
    f.useDefaultSignatureOnMobile,
  ]
    .map((b) => (b ? '1' : '0'))
    .join('');
}

/** Identity of what Roster intends to write as a signature. */
export function desiredSignatureHash(html: string, text: string, flags: SignatureFlagValues): string {
  return sha256(['sig-desired', html, text, flagString(flags)]);
}
