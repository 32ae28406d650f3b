/**
 * Text hygiene for everything that reaches Entra ID or a signature: trimmed, NFC-normalized,
 * and free of characters that only ever arrive by accident (control characters, the U+FFFD
 * left behind by invalid UTF-8). Bad text is rejected rather than silently repaired, so a
 * broken HR row never overwrites a good tenant value with a mangled one.
 */

/** The outcome of normalizing one value: the clean text, or why it was refused. */
export type NormalizedText = { ok: true; value: string } | { ok: false; reason: string };

// Cc covers C0, DEL and C1. U+2028/U+2029 break single-line Graph fields just like "\n".
// Format characters (Cf: ZWJ in emoji, RTL marks) are deliberately allowed.
const FORBIDDEN = /[\p{Cc}\u2028\u2029\uFFFD]/u;

function describe(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return code === 0xfffd ? `${hex} (the source text was not valid UTF-8)` : `a control character (${hex})`;
}

/** Trim, NFC-normalize and refuse control characters and U+FFFD; null/undefined become "". */
export function normalizeText(raw: string | null | undefined): NormalizedText {
  if (raw === null || raw === undefined) return { ok: true, value: '' };
  const value = raw.normalize('NFC').trim();
  const bad = FORBIDDEN.exec(value);
  if (bad) return { ok: false, reason: `contains ${describe(bad[0])} at position ${bad.index + 1}` };
  return { ok: true, value };
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
