import { createHash } from 'node:crypto';
import { pickSignatureFlags } from '../config/field-catalog.js';
import { flagString, sha256 } from '../desired/signature-hash.js';
import type { ObservedSignature } from '../observe/model.js';
import type { SignatureFlags } from './plan-model.js';

export { desiredSignatureHash } from '../desired/signature-hash.js';

/**
 * Identity of a signature as the service stores it. The service may rewrite HTML, so this is only
 * ever compared with the fingerprint observed right after Roster's own write.
 */
export function observedSignatureFingerprint(sig: ObservedSignature): string {
  return sha256(['sig-observed', sig.html, sig.text, flagString(sig)]);
}

export function flagsOf(sig: ObservedSignature): SignatureFlags {
  return pickSignatureFlags(sig);
}

export function sameFlags(a: SignatureFlags, b: SignatureFlags): boolean {
  return flagString(a) === flagString(b);
}

/** Stable hash of a whole plan's actions (journaled with each run). */
export function contentHash(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
