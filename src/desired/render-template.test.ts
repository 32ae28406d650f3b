import { describe, expect, it } from 'vitest';
import { renderTemplate } from './render-template.js';

describe('renderTemplate', () => {
  const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  it('uses the escaping it is given, for every interpolation', () => {
    expect(renderTemplate('{{a}} {{b.c}}', { a: '<x>', b: { c: 'A&B' } }, html)).toBe('&lt;x> A&amp;B');
    expect(renderTemplate('{{a}}', { a: '<x>' }, (s) => s)).toBe('<x>');
  });
  it('renders sections only when their value is non-empty, and partials as nothing', () => {
    expect(renderTemplate('{{#m}}Mobile: {{m}}{{/m}}{{> p}}', { m: '' }, (s) => s)).toBe('');
    expect(renderTemplate('{{#m}}Mobile: {{m}}{{/m}}', { m: '+47' }, (s) => s)).toBe('Mobile: +47');
  });
});
