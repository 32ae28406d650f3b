import { describe, expect, it } from 'vitest';
import { html, pathTo } from './html.js';

describe('html', () => {
  it('escapes every interpolation for text and quoted attributes, keeps nested html, drops empty values', () => {
    const name = `<img src=x onerror="alert('1')">&`;
    const items = ['a<b', html`<i>${'c&d'}</i>`];
    const list = items.map((i) => html`<li>${i}</li>`);
    // prettier-ignore
    const out = html`<p title="${name}">${name}</p><ul>${list}</ul>`;
    expect(out.toString()).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;">' +
        '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;</p><ul><li>a&lt;b</li><li><i>c&amp;d</i></li></ul>',
    );
    expect(html`${null}${undefined}${false}${0}`.toString()).toBe('0');
  });

  it('encodes path segments', () => {
    expect(pathTo('employees', 'a+b@example.no', 'signature-preview')).toBe(
      '/employees/a%2Bb%40example.no/signature-preview',
    );
  });
});
