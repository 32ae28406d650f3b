import type { SignatureTemplate } from '../config/settings.js';
import type { SignatureWarning } from './render-signature.js';

/** What making a signature left to keep: the hash of its rendering and the warnings it raised. */
export type MadeSignature =
  | { hash: string; warnings: SignatureWarning[] }
  | { error: { kind: 'template-error' | 'signature-too-long'; message: string } };

interface MemoEntry {
  template: SignatureTemplate;
  /** Digest of the view and flags the signature was made from. */
  input: string;
  made: MadeSignature;
  /** Looked up or stored since the last `sweep`. */
  used: boolean;
}

/**
 * Signatures made by earlier builds, per employee key. Rendering and hashing is most of a re-plan's
 * CPU; an employee whose template (the same template object, so a reloaded configuration starts
 * afresh), view and flags are unchanged gets the same hash and warnings back without rendering.
 * The caller owns it and passes it to each build (the controller keeps one across its runs); a
 * build without one renders every signature.
 */
export interface SignatureMemo {
  /** The signature made for `key` from exactly `template` and `input`, if there is one. */
  get(key: string, template: SignatureTemplate, input: string): MadeSignature | undefined;
  set(key: string, template: SignatureTemplate, input: string, made: MadeSignature): void;
  /**
   * Forgets the employees not built since the previous sweep (they left the source): called after
   * a run that built every employee, never after one restricted to a few.
   */
  sweep(): void;
  readonly size: number;
}

export function createSignatureMemo(): SignatureMemo {
  const entries = new Map<string, MemoEntry>();
  return {
    get(key, template, input) {
      const entry = entries.get(key);
      if (!entry || entry.template !== template || entry.input !== input) return undefined;
      entry.used = true;
      return entry.made;
    },
    set(key, template, input, made) {
      entries.set(key, { template, input, made, used: true });
    },
    sweep() {
      for (const [key, entry] of entries) {
        if (entry.used) entry.used = false;
        else entries.delete(key);
      }
    },
    get size() {
      return entries.size;
    },
  };
}
