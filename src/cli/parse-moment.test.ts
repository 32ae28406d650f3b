import { describe, expect, it } from 'vitest';
import { parseMoment } from './parse-moment.js';

describe('parseMoment (--at)', () => {
  it('takes a date-time with its offset', () => {
    expect(parseMoment('2026-12-14T09:00+01:00').toISOString()).toBe('2026-12-14T08:00:00.000Z');
    expect(parseMoment('2026-12-14T08:00Z').toISOString()).toBe('2026-12-14T08:00:00.000Z');
  });

  it('refuses a time without an offset (it would depend on the machine) and nonsense', () => {
    expect(() => parseMoment('2026-12-14T09:00')).toThrow(/with a time zone offset/);
    expect(() => parseMoment('tomorrow')).toThrow(/with a time zone offset/);
  });
});
