import { describe, expect, it } from 'vitest';
import { formatPhone } from './format-phone.js';

describe('formatPhone', () => {
  it.each([
    ['+47 912 34 567', 'INTERNATIONAL', '+47 91 23 45 67'],
    ['91234567', 'INTERNATIONAL', '+47 91 23 45 67'],
    ['0047 91234567', 'INTERNATIONAL', '+47 91 23 45 67'],
    ['91234567', 'E.164', '+4791234567'],
    ['+46 70 123 45 67', 'INTERNATIONAL', '+46 70 123 45 67'],
  ] as const)('%s as %s → %s', (raw, format, expected) => {
    expect(formatPhone(raw, { defaultRegion: 'NO', format })).toEqual({ ok: true, value: expected });
  });

  it.each(['garbage', '123', '+47 0000'])('refuses %s', (raw) => {
    expect(formatPhone(raw, { defaultRegion: 'no', format: 'INTERNATIONAL' })).toEqual({
      ok: false,
      reason: 'is not a valid phone number (default region NO)',
    });
  });
});
