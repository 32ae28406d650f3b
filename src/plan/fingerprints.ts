import { createHash } from 'node:crypto';
import type { ObservedSignature } from '../observe/model.js';
import type { SignatureFlags } from './plan-model.js';

function sha256(parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:${p}`);
  return h.digest('hex');
}

function flagString(f: SignatureFlags): string {
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
export function desiredSignatureHash(html: string, text: string, flags: SignatureFlags): string {
  return sha256(['sig-desired', html, text, flagString(flags)]);
}

/**
 * Identity of a signature as the service stores it. The service may rewrite HTML, so this is only
 * ever compared with the fingerprint observed right after Roster's own write.
 */
export function observedSignatureFingerprint(sig: ObservedSignature): string {
  return sha256(['sig-observed', sig.html, sig.text, flagString(sig)]);
}

export function flagsOf(sig: ObservedSignature): SignatureFlags {
  return {
    autoAddSignature: sig.autoAddSignature,
    autoAddSignatureOnReply: sig.autoAddSignatureOnReply,
    autoAddSignatureOnMobile: sig.autoAddSignatureOnMobile,
    useDefaultSignatureOnMobile: sig.useDefaultSignatureOnMobile,
  };
}

export function sameFlags(a: SignatureFlags, b: SignatureFlags): boolean {
  return flagString(a) === flagString(b);
}

/** Stable hash of a whole plan's actions (journaled with each run). */
export function contentHash(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
