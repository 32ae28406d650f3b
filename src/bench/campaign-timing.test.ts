import { describe, expect, it } from 'vitest';
import { switchTiming } from './campaign-timing.js';

const T = 1_800_000_000_000;
const audience = new Set(Array.from({ length: 200 }, (_, i) => `u${i}@example.no`));

describe('switchTiming', () => {
  it('times the first write, 99 % and all of the audience from the declared moment', () => {
    const writes = [...audience].map((mailbox, i) => ({ at: T + 1000 + i * 100, mailbox }));
    expect(switchTiming(writes, audience, T)).toEqual({
      audience: 200,
      written: 200,
      writesBeforeMoment: 0,
      outsideWrites: 0,
      firstWriteSeconds: 1,
      // The 198th mailbox (99 % of 200) was written at 1 s + 197 × 0.1 s.
      p99Seconds: 20.7,
      allSeconds: 20.9,
    });
  });

  it('counts writes before the moment and outside the audience, and a mailbox at its last write', () => {
    const writes = [
      { at: T - 500, mailbox: 'u0@example.no' },
      { at: T + 10, mailbox: 'outsider@example.no' },
      ...[...audience].map((mailbox, i) => ({ at: T + i * 10, mailbox })),
      { at: T + 60_000, mailbox: 'u0@example.no' },
    ];
    const timing = switchTiming(writes, audience, T);
    expect(timing).toMatchObject({ writesBeforeMoment: 1, outsideWrites: 1, firstWriteSeconds: -0.5 });
    expect(timing.allSeconds).toBe(60);
  });

  it('has no 99 % moment when fewer than 99 % were ever written', () => {
    const writes = [...audience].slice(0, 197).map((mailbox) => ({ at: T, mailbox }));
    const timing = switchTiming(writes, audience, T);
    expect(timing.written).toBe(197);
    expect(timing.p99Seconds).toBeUndefined();
    expect(timing.allSeconds).toBeUndefined();
  });
});
