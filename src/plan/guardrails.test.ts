import { describe, expect, it } from 'vitest';
import { evaluateGuardrails, maxChangesAllowed } from './guardrails.js';

const base = {
  signatureActions: false,
  sourceCount: 3,
  previousSourceCount: undefined,
  roamingSignaturesPostponed: undefined,
  whenRoamingEnabled: 'refuse' as const,
  signaturesEnabled: true,
};

describe('max-changes', () => {
  it.each([
    { percent: 10, managed: 3, allowed: 1 },
    { percent: 10, managed: 1, allowed: 1 },
    { percent: 10, managed: 0, allowed: 1 },
    { percent: 10, managed: 25, allowed: 2 },
    { percent: 50, managed: 9, allowed: 4 },
    { percent: 100, managed: 7, allowed: 7 },
  ])(
    '$percent % of $managed managed users allows $allowed (never below 1)',
    ({ percent, managed, allowed }) => {
      expect(maxChangesAllowed({ maxChanges: { percent }, maxSourceShrinkPercent: 20 }, managed)).toBe(
        allowed,
      );
    },
  );

  it('the stricter of an absolute and a percent limit wins; an absolute 0 stays 0', () => {
    expect(
      maxChangesAllowed({ maxChanges: { absolute: 5, percent: 10 }, maxSourceShrinkPercent: 20 }, 1000),
    ).toBe(5);
    expect(maxChangesAllowed({ maxChanges: { absolute: 0 }, maxSourceShrinkPercent: 20 }, 1000)).toBe(0);
  });

  it('a one-employee change on a small tenant with the default 10 % is not stopped', () => {
    const [maxChanges] = evaluateGuardrails({
      ...base,
      changedUsers: 1,
      managedUsers: 3,
      settings: { maxChanges: { percent: 10 }, maxSourceShrinkPercent: 20 },
    });
    expect(maxChanges).toMatchObject({ name: 'max-changes', tripped: false });
  });
});
