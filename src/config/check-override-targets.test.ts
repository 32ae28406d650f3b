import { expect, test } from 'vitest';
import { formatProblem } from '../errors/roster-error.js';
import { findUnknownOverrideTargets } from './check-override-targets.js';
import type { Override } from './settings.js';

const base = { fields: {}, variables: {}, exclude: false, file: 'desired-state/overrides/a.yaml' };
const overrides: Override[] = [
  { ...base, line: 2, column: 5, target: { kind: 'employee', email: 'kari@example.no' } },
  { ...base, line: 5, column: 5, target: { kind: 'employee', email: 'gone@example.no' } },
  { ...base, line: 8, column: 5, target: { kind: 'office', office: '3' } },
  { ...base, line: 9, column: 5, target: { kind: 'office', office: 'tromsø sentrum' } },
  { ...base, line: 11, column: 5, target: { kind: 'office', office: 'Atlantis' } },
];

test('overrides of employees and offices the source does not have are reported at the override', () => {
  const problems = findUnknownOverrideTargets(overrides, {
    emails: ['Kari@Example.no', 'ola@example.no'],
    offices: ['3', 'Tromsø Sentrum', '1', 'Oslo Sentrum'],
  });
  expect(problems.map(formatProblem)).toEqual([
    "desired-state/overrides/a.yaml:5:5: warning: override has no effect: no active employee with email 'gone@example.no' in the HR source",
    "desired-state/overrides/a.yaml:11:5: warning: override has no effect: no office with id or name 'Atlantis' in the HR source",
  ]);
});
