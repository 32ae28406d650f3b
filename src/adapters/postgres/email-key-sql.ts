/**
 * The characters JavaScript's `String.prototype.trim` removes (WhiteSpace and LineTerminator of
 * ECMA-262: the Unicode Zs category, tab, vertical tab, form feed, no-break spaces, line breaks).
 */
const JS_WHITESPACE = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
  0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
];

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** What the database can do for the key expression. */
export interface KeySqlSupport {
  /** `normalize(text, NFC)`: PostgreSQL 13 or later with a UTF8 server encoding. */
  nfc: boolean;
  /** Non-ASCII characters can be written in a literal (UTF8 server encoding). */
  unicode: boolean;
}

/**
 * SQL for Roster's match key of `column` (see `employeeKeyOf`): NFC-normalized, trimmed of what
 * JavaScript trims, ASCII-lowercased, byte-ordered. For every valid email (ASCII after
 * normalization) it is exactly the key Roster computes; `translate` rather than `lower()`, whose
 * result follows the database's locale. Where the database cannot normalize, the key differs for
 * the odd email that only NFC turns into ASCII, and the run's order check stops the run.
 */
export function emailKeySql(column: string, support: KeySqlSupport): string {
  const spaces = JS_WHITESPACE.filter((c) => c < 0x80 || support.unicode)
    .map((c) => `\\u${c.toString(16).padStart(4, '0')}`)
    .join('');
  const text = `${column}::text`;
  const normalized = support.nfc ? `normalize(${text}, NFC)` : text;
  return `translate(btrim(${normalized}, E'${spaces}'), '${UPPER}', '${UPPER.toLowerCase()}') COLLATE "C"`;
}
