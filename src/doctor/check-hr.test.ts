import { describe, expect, it } from 'vitest';
import { row } from '../../test/support/builders.js';
import { SourceError } from '../errors/roster-error.js';
import { user } from '../plan/test-builders.js';
import { doctor } from '../../test/support/doctor-tenant.js';

describe('the HR checks', () => {
  it('an HR source that cannot be read is an error, and nothing is counted or matched', async () => {
    const { of } = await doctor({ hr: new SourceError('connect ECONNREFUSED 127.0.0.1:1') });
    expect(of('hr-source')).toMatchObject({
      status: 'error',
      message: 'the HR source could not be read: connect ECONNREFUSED 127.0.0.1:1',
    });
    expect(of('hr-employees').status).toBe('skipped');
    expect(of('match-share').status).toBe('skipped');
  });

  it('counts HR employees; data errors are a warning, nobody usable an error', async () => {
    const dup = [
      row({ id: '1', email: 'kari@contoso.no' }),
      row({ id: '2', email: 'kari@contoso.no' }),
      row({ id: '3', email: 'ola@contoso.no' }),
    ];
    const { of } = await doctor({ rows: dup });
    expect(of('hr-employees')).toMatchObject({
      status: 'warning',
      message:
        '3 active employee(s) in HR, 1 usable, 0 excluded by overrides, 2 error(s) in their data leaving employees out',
    });
    expect((await doctor({ rows: [] })).of('hr-employees')).toMatchObject({ status: 'error' });
  });
});

describe('the match share', () => {
  const rows = (n: number, domain = 'contoso.no') =>
    Array.from({ length: n }, (_, i) => row({ id: String(i + 1), email: `e${i + 1}@${domain}` }));
  const users = (n: number, domain = 'contoso.no') =>
    Array.from({ length: n }, (_, i) => user(`e${i + 1}@${domain}`));

  it.each([
    [20, 20, 'ok'],
    [20, 18, 'ok'],
    [20, 17, 'warning'],
    [20, 2, 'warning'],
    [20, 1, 'error'],
    [20, 0, 'error'],
  ])('%i employees, %i with a user: %s', async (employees, matched, status) => {
    const { of } = await doctor({ rows: rows(employees), users: users(matched) });
    expect(of('match-share')).toMatchObject({ status });
    expect(of('match-share').message).toMatch(
      new RegExp(`^${matched} of ${employees} employees match a tenant user`),
    );
  });

  it('nobody matching names scope.domains against the tenant domains and where the users are', async () => {
    const { of } = await doctor(
      { rows: rows(5, 'example.no'), users: users(5, 'contoso.no') },
      { scope: { domains: ['example.no'] } },
    );
    expect(of('match-share')).toMatchObject({ status: 'error' });
    expect(of('match-share').message).toBe(
      '0 of 5 employees match a tenant user (0 %): 0 outside scope.domains, 5 without a tenant user ' +
        '(e.g. e1@example.no, e2@example.no, e3@example.no), 0 ambiguous. scope.domains is example.no; ' +
        "the tenant's domains are contoso.onmicrosoft.com (initial), contoso.no (default); " +
        'HR emails by domain: example.no 5; tenant users by domain: contoso.no 5',
    );
    expect(of('match-share').fix).toMatch(/^set scope.domains to the mail domain\(s\)/);
  });

  it('employees outside scope.domains do not match', async () => {
    const { of } = await doctor(
      { rows: rows(3, 'contoso.no'), users: users(3) },
      { scope: { domains: ['example.no'] } },
    );
    expect(of('match-share').message).toMatch(
      /^0 of 3 employees match a tenant user \(0 %\): 3 outside scope.domains/,
    );
  });
});
