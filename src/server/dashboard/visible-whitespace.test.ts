import { describe, expect, it } from 'vitest';
import { differsOnlyInWhitespace, visibleWhitespace } from './visible-whitespace.js';

describe('whitespace made visible', () => {
  it('tells a whitespace-only difference from any other', () => {
    expect(differsOnlyInWhitespace('Oslo Sentrum', 'Oslo  Sentrum')).toBe(true);
    expect(differsOnlyInWhitespace('Oslo', 'Oslo\t')).toBe(true);
    expect(differsOnlyInWhitespace('Oslo\u00a0Sentrum', 'Oslo Sentrum')).toBe(true);
    expect(differsOnlyInWhitespace('Oslo', 'Oslo')).toBe(false);
    expect(differsOnlyInWhitespace('Oslo', 'Bergen')).toBe(false);
    expect(differsOnlyInWhitespace(null, ' ')).toBe(false);
  });

  it('draws each kind of whitespace as a titled mark, text escaped', () => {
    expect(visibleWhitespace('a b\tc\n<d>\u00a0\u2003').toString()).toBe(
      '<span class="ws-shown">a<span class="ws" title="space">·</span>b<span class="ws" title="tab">→</span>c' +
        '<span class="ws" title="newline">↵</span><br />&lt;d&gt;<span class="ws" title="no-break space">⍽</span>' +
        '<span class="ws" title="U+2003">¤</span></span>',
    );
  });
});
