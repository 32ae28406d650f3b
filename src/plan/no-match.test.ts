import { describe, expect, it } from 'vitest';
import { noMatchWarning, withLeadingWarning } from './no-match.js';
import { planChanges } from './plan-changes.js';
import { renderPlanText } from './render-text.js';
import { desiredState, employee, observedState, planOptions, user } from './test-builders.js';

const contoso = [
  { name: 'contoso.onmicrosoft.com', isVerified: true, isDefault: false, isInitial: true },
  { name: 'contoso.com', isVerified: true, isDefault: true, isInitial: false },
];

function planOf(emails: string[], upns: string[]) {
  return planChanges(
    desiredState(emails.map((e) => employee(e))),
    observedState(upns.map((u) => user(u))),
    new Map(),
    planOptions(),
  );
}

describe('the no-match warning', () => {
  it("names scope.domains against the tenant's domains when none of them is the tenant's", () => {
    const plan = planOf(['a@example.no', 'b@example.no'], ['ada@contoso.com']);
    expect(noMatchWarning(plan, ['example.no'], { domains: contoso })).toEqual({
      kind: 'no-match',
      message:
        '0 of 2 employees matched a tenant user, so nothing was compared: scope.domains (example.no) names no domain of this tenant, ' +
        'whose domains are contoso.onmicrosoft.com (initial), contoso.com (default); set scope.domains in roster.yaml to the mail domains your employees use in this tenant',
    });
  });

  it('says every employee is outside scope.domains', () => {
    const plan = planOf(['a@other.no'], []);
    const domains = [{ name: 'example.no', isVerified: true, isDefault: true, isInitial: false }];
    expect(noMatchWarning(plan, ['example.no'], { domains }).message).toContain(
      "every employee's email is outside scope.domains (example.no)",
    );
  });

  it("with the scope among the tenant's domains, points at the addresses; an unreadable domain list is named", () => {
    const plan = planOf(['a@example.no', 'b@example.no'], ['someone@example.no']);
    const domains = [{ name: 'example.no', isVerified: true, isDefault: true, isInitial: false }];
    expect(noMatchWarning(plan, ['example.no'], { domains }).message).toBe(
      "0 of 2 employees matched a tenant user, so nothing was compared: no tenant user has an employee's email as mail, " +
        "userPrincipalName or SMTP proxy address (2 without a tenant user); check that the HR emails are the users' addresses " +
        '(roster doctor shows employees and users by domain)',
    );
    expect(
      noMatchWarning(plan, ['example.no'], { error: 'Graph 403 Authorization_RequestDenied' }).message,
    ).toContain(
      "the tenant's domains could not be read (Graph 403 Authorization_RequestDenied), so compare scope.domains (example.no) with them",
    );
  });

  it('leads the warnings, is counted, and the text plan shows it instead of "No changes"', () => {
    const plan = planOf(['a@example.no'], ['ada@contoso.com']);
    const head = withLeadingWarning(plan, noMatchWarning(plan, ['example.no'], { domains: contoso }));
    expect(head.warnings.map((w) => w.kind)).toEqual(['no-match', 'unmatched']);
    expect(head.summary.warnings).toBe(2);
    const text = renderPlanText(head, { color: false });
    expect(text).toContain('! no-match: 0 of 1 employee matched');
    expect(text).toContain(
      'No employee matched a tenant user: 1 employee, 0 matched, 0 in sync; 2 warnings (see no-match).',
    );
    expect(text).not.toContain('No changes');
  });
});
