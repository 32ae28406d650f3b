import type { SignatureTemplate } from '../config/settings.js';
import type { SignatureWarning } from './render-signature.js';

/** What making a signature left to keep: the hash of its rendering and the warnings it raised. */
export type MadeSignature =
  | { hash: string; warnings: SignatureWarning[] }
  | { error: { kind: 'template-error' | 'signature-too-long'; message: string } };

/** Most signatures render without a warning: for them the memo keeps the hash alone. */
type Kept = string | Exclude<MadeSignature, { hash: string; warnings: [] }>;

/**
 * Signatures made by earlier builds. Rendering and hashing is most of a re-plan's CPU; a signature
 * whose template (the same template object, so a reloaded configuration starts afresh), view and
 * flags are unchanged — `input` is a digest of the view (which names the employee) and flags — gets
 * the same hash and warnings back without rendering. The caller owns it and passes it to each build
 * (the controller keeps one across its runs); a build without one renders every signature. It is
 * the one thing a run keeps per employee between runs, so an entry is two short strings: the
 * input digest and the hash.
 */
export interface SignatureMemo {
  /** The signature made from exactly `template` and `input`, if there is one. */
  get(template: SignatureTemplate, input: string): MadeSignature | undefined;
  set(template: SignatureTemplate, input: string, made: MadeSignature): void;
  /**
   * Forgets what no build used since the previous sweep (employees that left, views that
   * changed): called after a run that built every employee, never after one restricted to a few.
   */
  sweep(): void;
  readonly size: number;
}

const NO_WARNINGS: SignatureWarning[] = [];

export function createSignatureMemo(): SignatureMemo {
  /** Templates by the short id their entries carry; replaced at each sweep by those still used. */
  let templates = new Map<SignatureTemplate, string>();
  let used = new Map<SignatureTemplate, string>();
  let next = 0;
  // Two generations: what this cycle used or made, and what the previous one left. An entry
  // looked up moves to the current one; a sweep lets the rest go.
  let current = new Map<string, Kept>();
  let previous = new Map<string, Kept>();

  function entryKey(template: SignatureTemplate, input: string): string {
    let id = used.get(template) ?? templates.get(template);
    if (id === undefined) id = String(next++);
    used.set(template, id);
    return `${id} ${input}`;
  }

  return {
    get(template, input) {
      const key = entryKey(template, input);
      let kept = current.get(key);
      if (kept === undefined) {
        kept = previous.get(key);
        if (kept === undefined) return undefined;
        previous.delete(key);
        current.set(key, kept);
      }
      return typeof kept === 'string' ? { hash: kept, warnings: NO_WARNINGS } : kept;
    },
    set(template, input, made) {
      const kept = 'hash' in made && made.warnings.length === 0 ? made.hash : made;
      current.set(entryKey(template, input), kept);
    },
    sweep() {
      previous = current;
      current = new Map();
      templates = used;
      used = new Map();
    },
    get size() {
      return current.size + previous.size;
    },
  };
}
