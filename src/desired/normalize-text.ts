/**
 * Text hygiene for everything that reaches Entra ID or a signature: trimmed, NFC-normalized,
 * without the invisible characters that disguise text, and free of characters that only ever arrive by accident (control characters, the U+FFFD
 * left behind by invalid UTF-8). Bad text is rejected rather than silently repaired, so a
 * broken HR row never overwrites a good tenant value with a mangled one.
 */

/**
 * The outcome of normalizing one value: the clean text, or why it was refused. `removed` lists
 * the invisible characters taken out (`U+202E`, …), for a warning.
 */
export type NormalizedText = { ok: true; value: string; removed?: string[] } | { ok: false; reason: string };

// Cc covers C0, DEL and C1. U+2028/U+2029 break single-line Graph fields just like "\n".
const FORBIDDEN = /[\p{Cc}\u2028\u2029\uFFFD]/u;

/**
 * Removed rather than refused: the bidi embedding, override and isolate controls (U+202A–U+202E,
 * U+2066–U+2069), which make a title display as something else (`‮Manager` reads backwards), and
 * the zero-width space and no-break space (U+200B, U+FEFF), which make two equal-looking values
 * differ. Other format characters stay: the zero-width joiner and non-joiner that emoji and
 * scripts such as Persian and the Indic ones need (U+200D, U+200C) and the direction marks
 * (U+200E, U+200F, U+061C) that right-to-left text uses legitimately.
 */
const INVISIBLE = /[\u202A-\u202E\u2066-\u2069\u200B\uFEFF]/gu;

function describe(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return code === 0xfffd ? `${hex} (the source text was not valid UTF-8)` : `a control character (${hex})`;
}

/** Trim, NFC-normalize and refuse control characters and U+FFFD; null/undefined become "". */
export function normalizeText(raw: string | null | undefined): NormalizedText {
  if (raw === null || raw === undefined) return { ok: true, value: '' };
  const normalized = raw.normalize('NFC');
  const bad = FORBIDDEN.exec(normalized.trim());
  if (bad) return { ok: false, reason: `contains ${describe(bad[0])} at position ${bad.index + 1}` };
  const found = normalized.match(INVISIBLE);
  if (!found) return { ok: true, value: normalized.trim() };
  const removed = [...new Set(found)].map(codePoint).sort();
  return { ok: true, value: normalized.replace(INVISIBLE, '').trim(), removed };
}

function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The warning text for characters `normalizeText` removed from `field`. */
export function removedMessage(field: string, removed: readonly string[]): string {
  return `${field} contained invisible direction or zero-width characters (${removed.join(', ')}); they were removed`;
}

/** Single-line rendering of a mapping result: whitespace runs (left by empty variables) collapse. */
export function collapseWhitespace(value: string): string {
  return value.replace(/\s+/gu, ' ').trim();
}

const STRIPPABLE = /[\p{Cc}\u2028\u2029\uFFFD]/gu;

/** For the plain-text signature: keep line breaks and tabs, drop every other control character. */
export function stripControlChars(value: string): string {
  return value.replace(STRIPPABLE, (ch) => (ch === '\n' || ch === '\t' ? ch : ''));
}
