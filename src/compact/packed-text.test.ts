import { describe, expect, it } from 'vitest';
import { definePackedText, packText, packedTextOf, unpackText } from './packed-text.js';

const template = '<table style="font-family:Arial,sans-serif;color:#1f2937"><tr><td style="padding:0 8px">';
const html = (name: string) => `${template}${name}</td></tr></table>`.repeat(12);

describe('packed text', () => {
  it('round-trips text of any length, including non-ASCII', () => {
    for (const value of ['', 'short', html('Zoë Ångström — 日本'), 'x'.repeat(100_000)]) {
      expect(unpackText(packText(value))).toBe(value);
      expect(unpackText(packText(value, Buffer.from(template)))).toBe(value);
    }
  });

  it('keeps short strings as they are and packs long markup to a fraction of its size', () => {
    expect(packText('short')).toBe('short');
    const value = html('Ada Lovelace');
    const plain = packText(value);
    const withDictionary = packText(value, Buffer.from(template));
    expect(typeof plain).toBe('object');
    expect((plain as { bytes: string }).bytes.length).toBeLessThan(value.length / 4);
    expect((withDictionary as { bytes: string }).bytes.length).toBeLessThanOrEqual(
      (plain as { bytes: string }).bytes.length,
    );
  });

  it('is an ordinary enumerable string property to readers: access, spread, JSON, keys', () => {
    const value = html('Grace Hopper');
    const target = definePackedText({ template: 'default' }, 'html', value, Buffer.from(template));
    const read = target as { template: string; html: string };
    expect(read.html).toBe(value);
    expect(Object.keys(target)).toEqual(['template', 'html']);
    expect({ ...target }).toEqual({ template: 'default', html: value });
    expect(JSON.parse(JSON.stringify(target))).toEqual({ template: 'default', html: value });
  });

  it('re-packs on write and shares the packed form when copied to another object', () => {
    const target = definePackedText({}, 'html', html('A'), Buffer.from(template)) as { html: string };
    target.html = html('B');
    expect(target.html).toBe(html('B'));
    const packed = packedTextOf(target, 'html');
    expect(packed).toBeDefined();
    const copy = definePackedText({}, 'html', packed!) as { html: string };
    expect(copy.html).toBe(html('B'));
    expect(packedTextOf(copy, 'html')).toBe(packed);
    expect(packedTextOf({ html: 'plain' }, 'html')).toBeUndefined();
  });
});
