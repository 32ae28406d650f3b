import { describe, expect, it } from 'vitest';
import { displayUrl, hideUrlQueries } from './display-url.js';

describe('displayUrl', () => {
  it.each([
    ['https://hr.example.no/p/1.jpg?token=abc', 'https://hr.example.no/p/1.jpg?…'],
    ['https://hr.example.no/p/1.jpg#access_token=abc', 'https://hr.example.no/p/1.jpg?…'],
    ['https://hr.example.no/p/1.jpg', 'https://hr.example.no/p/1.jpg'],
    ['http://127.0.0.1:8080/?a=1', 'http://127.0.0.1:8080/?…'],
    ['not a url?secret=1', 'not a url?…'],
  ])('%s → %s', (raw, shown) => {
    expect(displayUrl(raw)).toBe(shown);
  });
});

describe('hideUrlQueries', () => {
  it('hides every http(s) query string in text, JSON and HTML, and nothing else', () => {
    expect(
      hideUrlQueries(
        'a https://x.no/a?t=1&u=2 b "http://y.no/?k=v" <code>https://z.no/p?q=1</code> ?not=url mailto:a@b.no?subject=x',
      ),
    ).toBe(
      'a https://x.no/a?… b "http://y.no/?…" <code>https://z.no/p?…</code> ?not=url mailto:a@b.no?subject=x',
    );
  });
});
