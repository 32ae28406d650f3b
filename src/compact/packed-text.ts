import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Signature HTML is the bulk of a large run's memory: a few kilobytes per employee, held by the
 * desired state, the observation and the plan at once (≈150 MB at 50,000 employees). Most of it
 * is the template's own markup and inline styles, repeated for every employee, so it is kept
 * deflated, with the template as the preset dictionary, and inflated only when read.
 */
export interface PackedText {
  /** Raw deflate output as a one-byte string (a JS string costs no separate allocation). */
  readonly bytes: string;
  readonly dictionary: Buffer | undefined;
}

/** Shorter strings are kept as they are: packing them saves nothing. */
const MIN_PACKED_LENGTH = 512;

/**
 * An 8 KB window (dictionaries longer than that contribute their last 8 KB) and a small hash
 * table: zlib's state for each call is ~64 KB instead of ~256 KB. At the default size every call
 * is a large allocation, and tens of thousands of them left ~40 MB of freed-but-held native memory
 * behind at 50,000 employees; at this size the allocator reuses the same blocks.
 */
const ZLIB = { windowBits: 13, memLevel: 6 } as const;
/** Fastest level: against a dictionary it still takes a signature to ~12 %, at a third of the time. */
const LEVEL = 1;

export function packText(value: string, dictionary?: Buffer): string | PackedText {
  if (value.length < MIN_PACKED_LENGTH) return value;
  const options = { ...ZLIB, level: LEVEL };
  const bytes = deflateRawSync(Buffer.from(value, 'utf8'), dictionary ? { ...options, dictionary } : options);
  return { bytes: bytes.toString('latin1'), dictionary };
}

export function unpackText(value: string | PackedText): string {
  if (typeof value === 'string') return value;
  const input = Buffer.from(value.bytes, 'latin1');
  return inflateRawSync(input, value.dictionary ? { ...ZLIB, dictionary: value.dictionary } : ZLIB).toString(
    'utf8',
  );
}

/** Where each packed property keeps its packed form: one hidden slot per property name. */
const slots = new Map<string, symbol>();
/**
 * One accessor pair per property name, shared by every object: objects built the same way then
 * share one hidden class (per-object closures would give each object its own, at ~1 KB apiece).
 */
const accessors = new Map<string, PropertyDescriptor>();

type Holder = Record<PropertyKey, unknown>;

function slotOf(key: string): symbol {
  let slot = slots.get(key);
  if (!slot) {
    slot = Symbol(`packed ${key}`);
    slots.set(key, slot);
  }
  return slot;
}

function accessorOf(key: string): PropertyDescriptor {
  let accessor = accessors.get(key);
  if (!accessor) {
    const slot = slotOf(key);
    accessor = {
      enumerable: true,
      configurable: true,
      get(this: Holder): string {
        return unpackText(this[slot] as string | PackedText);
      },
      set(this: Holder, next: string) {
        const previous = this[slot] as string | PackedText;
        this[slot] = packText(next, typeof previous === 'string' ? undefined : previous.dictionary);
      },
    };
    accessors.set(key, accessor);
  }
  return accessor;
}

/**
 * Defines `target[key]` as an enumerable string property stored packed: reads inflate, writes
 * deflate (with the same dictionary). To every reader — property access, spread, JSON — it is
 * an ordinary string property.
 */
export function definePackedText<T extends object>(
  target: T,
  key: string,
  value: string | PackedText,
  dictionary?: Buffer,
): T {
  Object.defineProperty(target, slotOf(key), {
    value: typeof value === 'string' ? packText(value, dictionary) : value,
    writable: true,
    enumerable: false,
    configurable: true,
  });
  Object.defineProperty(target, key, accessorOf(key));
  return target;
}

/** The packed form of `target[key]` when it has one (copying it keeps it packed). */
export function packedTextOf(target: object, key: string): string | PackedText | undefined {
  const slot = slots.get(key);
  return slot ? ((target as Holder)[slot] as string | PackedText | undefined) : undefined;
}
