import { describe, expect, it } from 'vitest';
import { isHostAllowed, normalizeHost } from './host-allow-list.js';

describe('isHostAllowed', () => {
  const list = ['hr.example.no', '*.photos.example.no', '127.0.0.1', '[::1]', 'BILDER.Example.com.'];

  it.each([
    ['hr.example.no', true],
    ['HR.Example.NO', true],
    ['hr.example.no.', true],
    ['a.photos.example.no', true],
    ['a.b.photos.example.no', true],
    ['photos.example.no', false], // the apex of a wildcard is not included unless listed
    ['evilphotos.example.no', false],
    ['photos.example.no.evil.com', false],
    ['example.no', false],
    ['x.hr.example.no', false],
    ['127.0.0.1', true],
    ['127.0.0.2', false],
    ['[::1]', true],
    ['::1', true],
    ['bilder.example.com', true],
    ['', false],
  ])('%s → %s', (host, allowed) => {
    expect(isHostAllowed(host, list)).toBe(allowed);
  });

  it('allows nothing with an empty list', () => {
    expect(isHostAllowed('hr.example.no', [])).toBe(false);
  });

  it('matches international names as the URL parser writes them', () => {
    const fromUrl = new URL('https://Blåbær.example.no/a.jpg').hostname;
    expect(fromUrl).toBe('xn--blbr-roah.example.no');
    expect(normalizeHost('Blåbær.example.no')).toBe(fromUrl);
    expect(isHostAllowed(fromUrl, ['blåbær.example.no'])).toBe(true);
    expect(isHostAllowed(fromUrl, ['*.example.no'])).toBe(true);
    expect(isHostAllowed(fromUrl, ['blabaer.example.no'])).toBe(false);
  });

  it('does not treat a bare "*" or "*." as match-everything', () => {
    expect(isHostAllowed('hr.example.no', ['*'])).toBe(false);
    expect(isHostAllowed('hr.example.no', ['*.'])).toBe(false);
  });
});
