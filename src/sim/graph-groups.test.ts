import { describe, expect, it } from 'vitest';
import { transitiveUsers } from './graph-groups.js';
import { buildState } from './seed.js';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';

describe('transitive group members', () => {
  it('flattens nested groups, lists each user once and survives a cycle', () => {
    const state = buildState({
      tenant: { domain: 'contoso.onmicrosoft.com' },
      users: [{ userPrincipalName: 'kari@contoso.no' }, { userPrincipalName: 'ola@contoso.no' }],
      groups: [
        { id: A, displayName: 'A', members: ['Kari@contoso.no', B] },
        { id: B, displayName: 'B', members: ['ola@contoso.no', 'kari@contoso.no', A] },
      ],
    });
    expect(
      transitiveUsers(state, A.toUpperCase())
        .map((u) => u.userPrincipalName)
        .sort(),
    ).toEqual(['kari@contoso.no', 'ola@contoso.no']);
    expect(transitiveUsers(state, 'cccccccc-0000-4000-8000-000000000003')).toEqual([]);
  });
});
