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

  it('collapses whitespace left by empty variables and strips controls for plain text', () => {
    expect(collapseWhitespace('  Åse   Ærø ')).toBe('Åse Ærø');
    expect(stripControlChars('a\u0007b\r\nc\td')).toBe('ab\nc\td');
  });
});
