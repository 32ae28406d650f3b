import { describe, expect, it } from 'vitest';
import { planChanges } from '../plan/plan-changes.js';
import { desiredState, employee, observedState, planOptions, user } from '../plan/test-builders.js';
import { countActions, driftOf, setCondition, type Condition, type ConditionUpdate } from './status-model.js';

const T0 = '2025-01-01T00:00:00.000Z';
const NOW = new Date('2025-01-02T12:00:00.000Z');

const ready: Condition = {
  type: 'Ready',
  status: 'True',
  reason: 'RunSucceeded',
  message: 'last run succeeded',
  lastTransitionTime: T0,
};
const degraded: Condition = {
  type: 'Degraded',
  status: 'False',
  reason: 'AllGood',
  message: '',
  lastTransitionTime: T0,
};

describe('setCondition', () => {
  const cases: { name: string; before: Condition[]; next: ConditionUpdate; after: Condition[] }[] = [
    {
      name: 'adds a new condition with now as its transition time',
      before: [degraded],
      next: { type: 'Ready', status: 'True', reason: 'RunSucceeded', message: 'ok' },
      after: [
        degraded,
        {
          type: 'Ready',
          status: 'True',
          reason: 'RunSucceeded',
          message: 'ok',
          lastTransitionTime: NOW.toISOString(),
        },
      ],
    },
    {
      name: 'keeps the transition time when only reason and message change',
      before: [ready, degraded],
      next: { type: 'Ready', status: 'True', reason: 'NoChanges', message: 'in sync' },
      after: [{ ...ready, reason: 'NoChanges', message: 'in sync' }, degraded],
    },
    {
      name: 'moves the transition time when the status changes',
      before: [ready, degraded],
      next: { type: 'Ready', status: 'False', reason: 'RunFailed', message: 'tenant unreachable' },
      after: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'RunFailed',
          message: 'tenant unreachable',
          lastTransitionTime: NOW.toISOString(),
        },
        degraded,
      ],
    },
    {
      name: 'treats Unknown as a status of its own',
      before: [degraded],
      next: { type: 'Degraded', status: 'Unknown', reason: 'NoRunYet', message: '' },
      after: [{ ...degraded, status: 'Unknown', reason: 'NoRunYet', lastTransitionTime: NOW.toISOString() }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const before = structuredClone(c.before);
      expect(setCondition(c.before, c.next, NOW)).toEqual(c.after);
      expect(c.before).toEqual(before);
    });
  }
});

describe('drift and action counts', () => {
  it('counts pending actions of a plan per aspect and kind', () => {
    const plan = planChanges(
      desiredState([
        employee('a@example.no', { fields: { jobTitle: 'Sjef' } }),
        employee('b@example.no', { fields: { jobTitle: 'Sjef' } }),
        employee('c@example.no'),
      ]),
      observedState([user('a@example.no'), user('b@example.no'), user('c@example.no')]),
      new Map(),
      planOptions(),
    );
    expect(driftOf(plan)).toEqual({ profile: 2, photo: 0, signature: 0, warnings: 0 });
    expect(countActions(plan)).toEqual({ 'update-profile': 2, 'set-photo': 0, 'set-signature': 0 });
    expect(countActions(undefined)).toEqual({ 'update-profile': 0, 'set-photo': 0, 'set-signature': 0 });
  });
});
