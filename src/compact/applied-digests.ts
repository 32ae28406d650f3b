import type { AppliedDigest, LastAppliedRecord } from '../observe/model.js';

type Aspect = LastAppliedRecord['aspect'];

/** Looks digests up by `lastAppliedKey(userId, aspect)`, as a `Map` of them would. */
export interface AppliedDigests {
  get(key: string): AppliedDigest | undefined;
  has(key: string): boolean;
  readonly size: number;
}

const ASPECT_CODES: Record<Aspect, string> = { profile: 'f', photo: 'p', signature: 's' };
const HEX_SHA256 = /^[0-9a-f]{64}$/;
/** Field tags: absent (null), a string as it is, a sha256 in hex kept as its 32 bytes. */
const NONE = '\u0000';
const TEXT = '\u0001';
const BYTES = '\u0002';

function putField(value: string | null | undefined): string {
  if (value === null || value === undefined) return NONE;
  if (HEX_SHA256.test(value)) return BYTES + Buffer.from(value, 'hex').toString('latin1');
  const n = value.length;
  // Three length characters (base 256): up to 16 MB, far beyond any stored value.
  return TEXT + String.fromCharCode((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff) + value;
}

function readField(s: string, at: number): [string | null, number] {
  const tag = s[at];
  if (tag === NONE) return [null, at + 1];
  if (tag === BYTES) return [Buffer.from(s.slice(at + 1, at + 33), 'latin1').toString('hex'), at + 33];
  const n = (s.charCodeAt(at + 1) << 16) | (s.charCodeAt(at + 2) << 8) | s.charCodeAt(at + 3);
  return [s.slice(at + 4, at + 4 + n), at + 4 + n];
}

/**
 * Last-applied digests held compactly: one string per user carrying every aspect's digest, its
 * sha256 values as bytes rather than hex. At 50,000 users a map of digest objects keyed per user
 * and aspect costs about twice as much; a plan holds this for the whole run. Lookups decode on
 * the fly (a few short strings, collected young).
 */
export function createAppliedDigests(): AppliedDigests & {
  add(userId: string, aspect: Aspect, digest: AppliedDigest): void;
} {
  const byUser = new Map<string, string>();
  let size = 0;

  function find(key: string): { packed: string; at: number } | undefined {
    const cut = key.lastIndexOf('/');
    const code = ASPECT_CODES[key.slice(cut + 1) as Aspect];
    const packed = cut < 0 || !code ? undefined : byUser.get(key.slice(0, cut));
    if (!packed) return undefined;
    for (let at = 0; at < packed.length;) {
      if (packed[at] === code) return { packed, at: at + 1 };
      at += 1;
      for (let field = 0; field < 3; field++) at = readField(packed, at)[1];
    }
    return undefined;
  }

  return {
    add(userId, aspect, digest) {
      const key = `${userId}/${aspect}`;
      if (find(key)) throw new Error(`applied digests: ${key} added twice (a bug in the caller)`);
      // Joined, not concatenated: one flat string, no tree of concatenation nodes to keep.
      const packed = [
        byUser.get(userId) ?? '',
        ASPECT_CODES[aspect],
        putField(digest.desiredHash),
        putField(digest.observedFingerprint),
        putField(digest.sourceUrl),
      ].join('');
      byUser.set(userId, packed);
      size += 1;
    },
    get(key) {
      const found = find(key);
      if (!found) return undefined;
      const [desiredHash, next] = readField(found.packed, found.at);
      const [observedFingerprint, last] = readField(found.packed, next);
      const [sourceUrl] = readField(found.packed, last);
      const digest: AppliedDigest = { desiredHash: desiredHash ?? '', observedFingerprint };
      if (sourceUrl !== null) digest.sourceUrl = sourceUrl;
      return digest;
    },
    has: (key) => find(key) !== undefined,
    get size() {
      return size;
    },
  };
}
