import { describe, expect, it } from 'vitest';
import { collapseWhitespace, normalizeText, stripControlChars } from './normalize-text.js';

describe('normalizeText', () => {
  it.each([
    ['trims', '  Åse  ', 'Åse'],
    ['composes to NFC', 'A\u030Ase', 'Åse'],
    ['keeps Ærø and Søren', 'Søren Ærø', 'Søren Ærø'],
    ['keeps emoji with ZWJ', 'Kari 👩🏽‍💻', 'Kari 👩🏽‍💻'],
    ['keeps Arabic', 'مدير المبيعات', 'مدير المبيعات'],
    ['keeps Hebrew with RTL mark', 'מנהל\u200F', 'מנהל\u200F'],
    ['null is empty', null, ''],
  ])('%s', (_, raw, expected) => {
    expect(normalizeText(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['bell', 'Sales\u0007Lead', 'contains a control character (U+0007) at position 6'],
    ['newline inside', 'Sales\nLead', 'contains a control character (U+000A) at position 6'],
    ['C1 control', 'A\u0085B', 'contains a control character (U+0085) at position 2'],
    [
      'replacement character',
      'S\uFFFDren',
      'contains U+FFFD (the source text was not valid UTF-8) at position 2',
    ],
  ])('refuses %s', (_, raw, reason) => {
    expect(normalizeText(raw)).toEqual({ ok: false, reason });
  });

  it.each([
    ['right-to-left override', 'Sales\u202E Manager', 'Sales Manager', ['U+202E']],
    [
      'embeddings and isolates',
      '\u202AA\u202B\u202C\u202D\u2066B\u2067\u2068\u2069',
      'AB',
      ['U+202A', 'U+202B', 'U+202C', 'U+202D', 'U+2066', 'U+2067', 'U+2068', 'U+2069'],
    ],
    ['zero-width space and BOM', '\uFEFFKa\u200Bri\u200B', 'Kari', ['U+200B', 'U+FEFF']],
    ['a title that was only an override', '\u202E', '', ['U+202E']],
  ])('removes %s and says which', (_, raw, value, removed) => {
    expect(normalizeText(raw)).toEqual({ ok: true, value, removed });
  });

  it('keeps the joiners emoji and scripts need and the direction marks', () => {
    const kept = ['👨\u200D👩\u200D👧', 'می\u200Cخواهم', 'क्\u200Dष', 'מנהל\u200F', 'abc\u200E', 'مدير\u061C'];
    for (const value of kept) expect(normalizeText(value)).toEqual({ ok: true, value });
  });

  it('collapses whitespace left by empty variables and strips controls for plain text', () => {
    expect(collapseWhitespace('  Åse   Ærø ')).toBe('Åse Ærø');
    expect(stripControlChars('a\u0007b\r\nc\td')).toBe('ab\nc\td');
  });
});
