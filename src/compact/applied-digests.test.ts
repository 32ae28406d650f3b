import { describe, expect, it } from 'vitest';
import type { AppliedDigest } from '../observe/model.js';
import { lastAppliedKey } from '../ports/state-store.js';
import { createAppliedDigests } from './applied-digests.js';

const hex = (c: string) => c.repeat(64);

describe('createAppliedDigests', () => {
  it('gives back every digest as it was added, per user and aspect', () => {
    const digests = createAppliedDigests();
    const cases: [string, 'profile' | 'photo' | 'signature', AppliedDigest][] = [
      [
        'u-1',
        'photo',
        { desiredHash: hex('a'), observedFingerprint: '"etag-1"', sourceUrl: 'https://hr/1.jpg' },
      ],
      ['u-1', 'signature', { desiredHash: hex('b'), observedFingerprint: hex('c') }],
      ['u-2', 'signature', { desiredHash: 'sha256:not-hex', observedFingerprint: null }],
      // Upper-case hex is not the canonical form: kept as it is, returned as it was.
      [
        'u-2',
        'photo',
        { desiredHash: hex('A'), observedFingerprint: '', sourceUrl: `https://hr/${'x'.repeat(70_000)}` },
      ],
      ['u/3', 'profile', { desiredHash: hex('0'), observedFingerprint: 'Ünïcode ✓' }],
    ];
    for (const [user, aspect, digest] of cases) digests.add(user, aspect, digest);
    expect(digests.size).toBe(5);
    for (const [user, aspect, digest] of cases) {
      expect(digests.get(lastAppliedKey(user, aspect))).toStrictEqual(digest);
      expect(digests.has(lastAppliedKey(user, aspect))).toBe(true);
    }
    expect(digests.get(lastAppliedKey('u-1', 'profile'))).toBeUndefined();
    expect(digests.has(lastAppliedKey('u-3', 'profile'))).toBe(false);
    expect(digests.get('u-1')).toBeUndefined();
    expect(digests.get('u-1/unknown')).toBeUndefined();
  });

  it('refuses the same user and aspect twice', () => {
    const digests = createAppliedDigests();
    digests.add('u-1', 'photo', { desiredHash: hex('a'), observedFingerprint: null });
    expect(() => digests.add('u-1', 'photo', { desiredHash: hex('b'), observedFingerprint: null })).toThrow(
      'applied digests: u-1/photo added twice (a bug in the caller)',
    );
  });
});
