import { describe, expect, it } from 'vitest';
import { count, NOUNS, planCountsOf, summarySentence } from './plan-counts.js';
import type { PlanSummary } from './plan-model.js';

function head(summary: Partial<PlanSummary>, sourceCount = 10) {
  return {
    sourceCount,
    summary: {
      employees: 8,
      matched: 7,
      inSync: 7,
      updateProfile: 0,
      setPhoto: 0,
      setSignature: 0,
      warnings: 0,
      ...summary,
    },
  };
}

describe('count', () => {
  it.each([
    [0, '0 warnings'],
    [1, '1 warning'],
    [2, '2 warnings'],
    [21, '21 warnings'],
  ])('%i → %s', (n, text) => {
    expect(count(n, NOUNS.warning)).toBe(text);
  });
});

describe('summarySentence: one vocabulary (employees, matched, in sync, changes)', () => {
  it.each([
    {
      name: 'changes, with only the kinds that occur',
      summary: { inSync: 5, updateProfile: 1, setSignature: 2, warnings: 1 },
      text: 'Plan: 3 changes (1 profile update, 2 signatures); 8 employees, 7 matched, 5 in sync; 1 warning.',
    },
    {
      name: 'one change',
      summary: { employees: 1, matched: 1, inSync: 0, setPhoto: 1 },
      text: 'Plan: 1 change (1 photo); 1 employee, 1 matched, 0 in sync; 0 warnings.',
    },
    {
      name: 'in sync',
      summary: { warnings: 2 },
      text: 'No changes: 8 employees, 7 matched, 7 in sync; 2 warnings.',
    },
    {
      name: 'no employee matched: not "No changes"',
      summary: { employees: 5, matched: 0, inSync: 0, warnings: 6 },
      text: 'No employee matched a tenant user: 5 employees, 0 matched, 0 in sync; 6 warnings (see no-match).',
    },
    {
      name: 'no employees at all',
      summary: { employees: 0, matched: 0, inSync: 0 },
      text: 'No changes: 0 employees, 0 matched, 0 in sync; 0 warnings.',
    },
  ])('$name', ({ summary, text }) => {
    expect(summarySentence(head(summary))).toBe(text);
  });

  it('counts the employees with changes as matched − in sync, and the active rows apart', () => {
    expect(planCountsOf(head({ inSync: 4, setSignature: 3 }, 12))).toMatchObject({
      active: 12,
      employees: 8,
      matched: 7,
      inSync: 4,
      withChanges: 3,
      changes: 3,
    });
  });
});
