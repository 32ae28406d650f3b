import { describe, expect, it } from 'vitest';
import { checkPhotoUrl, checkRedirect } from './photo-url.js';

const allowed = ['hr.example.no', '*.cdn.example.no'];

describe('checkPhotoUrl', () => {
  it.each([
    ['javascript:alert(1)', 'scheme'],
    ['data:image/png;base64,iVBORw0KGgo=', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['ftp://hr.example.no/a.jpg', 'scheme'],
    ['gopher://hr.example.no/', 'scheme'],
    ['not a url', 'invalid-url'],
    ['/photos/1.jpg', 'invalid-url'],
    ['https://user:secret@hr.example.no/a.jpg', 'invalid-url'],
    ['https://evil.example.com/a.jpg', 'host-not-allowed'],
    ['https://cdn.example.no/a.jpg', 'host-not-allowed'],
    ['http://169.254.169.254/latest/meta-data/', 'host-not-allowed'],
  ])('refuses %s as %s', (url, reason) => {
    const result = checkPhotoUrl(url, allowed);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBe(reason);
  });

  it.each([
    'https://hr.example.no/a.jpg',
    'http://HR.example.no:8080/a.jpg?x=1',
    'https://eu.cdn.example.no/1.png',
  ])('accepts %s', (url) => {
    expect(checkPhotoUrl(url, allowed).ok).toBe(true);
  });

  it('explains refusals without echoing credentials', () => {
    expect(checkPhotoUrl('https://user:secret@hr.example.no/a.jpg', allowed)).toMatchInlineSnapshot(`
      {
        "message": "the photo URL must not carry a user name or password",
        "ok": false,
        "reason": "invalid-url",
      }
    `);
    expect(checkPhotoUrl('javascript:alert(1)', allowed)).toMatchInlineSnapshot(`
      {
        "message": "the photo URL uses the scheme "javascript:"; only http: and https: are allowed",
        "ok": false,
        "reason": "scheme",
      }
    `);
    expect(checkPhotoUrl('https://Evil.example.com/a.jpg', allowed)).toMatchInlineSnapshot(`
      {
        "message": "the photo host "evil.example.com" is not on photos.allowedHosts",
        "ok": false,
        "reason": "host-not-allowed",
      }
    `);
  });
});

describe('checkRedirect', () => {
  const from = new URL('http://hr.example.no/photos/1.jpg');

  it.each([
    ['/photos/2.jpg', 'http://hr.example.no/photos/2.jpg'],
    ['2.jpg', 'http://hr.example.no/photos/2.jpg'],
    ['https://hr.example.no/photos/1.jpg', 'https://hr.example.no/photos/1.jpg'],
    ['https://HR.example.no:8443/photos/1.jpg', 'https://hr.example.no:8443/photos/1.jpg'],
  ])('follows %s', (location, expected) => {
    const result = checkRedirect(from, location, allowed);
    expect(result.ok && result.url.href).toBe(expected);
  });

  it.each([
    ['http://evil.example.com/1.jpg', 'redirect-not-allowed'],
    ['http://a.cdn.example.no/1.jpg', 'redirect-not-allowed'],
    ['http://127.0.0.1/1.jpg', 'redirect-not-allowed'],
    ['//evil.example.com/1.jpg', 'redirect-not-allowed'],
    ['http://hr.example.no:81/1.jpg', 'redirect-not-allowed'],
    ['file:///etc/passwd', 'redirect-not-allowed'],
    ['http://u:p@hr.example.no/1.jpg', 'redirect-not-allowed'],
    ['http://[::1', 'redirect-not-allowed'],
    [undefined, 'http-status'],
  ])('refuses %s as %s', (location, reason) => {
    const result = checkRedirect(from, location, allowed);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBe(reason);
  });

  it('never downgrades https to http, even on the same host', () => {
    const result = checkRedirect(
      new URL('https://hr.example.no/1.jpg'),
      'http://hr.example.no/1.jpg',
      allowed,
    );
    expect(result).toMatchInlineSnapshot(`
      {
        "message": "a redirect from https: to http: is not allowed",
        "ok": false,
        "reason": "redirect-not-allowed",
      }
    `);
  });
});
