import { describe, expect, it } from 'vitest';
import { directoryState, errorOf, send, userId, usersContext } from '../../test/sim/user-state.js';
import { applyUserPatch, deleteUserOutOfBand } from './user-patch.js';

const JSON_TYPE = { 'content-type': 'application/json' };

function setup() {
  const state = directoryState();
  const ctx = usersContext(state);
  const patch = (upn: string, body: unknown, headers: Record<string, string> = JSON_TYPE) =>
    send(ctx, 'PATCH', `/v1.0/users/${upn}`, {
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { state, ctx, patch };
}

const invalid = (prop: string) => ({
  status: 400,
  code: 'Request_BadRequest',
  message: `Invalid value specified for property '${prop}' of resource 'User'.`,
});

describe('PATCH /v1.0/users/{id | upn}', () => {
  it('answers 204 with no body, updates the user, counts the write and records the changed properties', async () => {
    const { state, patch } = setup();
    const alice = userId(state, 'alice@contoso.com');
    const res = await patch('alice@contoso.com', {
      jobTitle: 'Lead',
      department: 'Berlin',
      mobilePhone: '+49 30 1',
    });
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect(res.headers?.['request-id']).toBeTruthy();
    const user = state.users.get(alice);
    expect(user?.jobTitle).toBe('Lead');
    expect(user?.mobilePhone).toBe('+49 30 1');
    expect(state.stats.writesPerUser.get(alice)).toBe(1);
    // department already was Berlin: only what changed is recorded.
    expect(state.changes).toEqual([
      { seq: 1, userId: alice, kind: 'changed', properties: ['jobTitle', 'mobilePhone'] },
    ]);
    expect(state.nextSeq).toBe(2);
  });

  it('counts a no-op write but records no change', async () => {
    const { state, patch } = setup();
    expect((await patch('bob@contoso.com', { jobTitle: 'Manager' })).status).toBe(204);
    expect(state.stats.writesPerUser.get(userId(state, 'bob@contoso.com'))).toBe(1);
    expect(state.changes).toEqual([]);
  });

  it('clears with null, accepts one business phone and [] ', async () => {
    const { state, patch } = setup();
    const alice = state.users.get(userId(state, 'alice@contoso.com'));
    expect(
      (await patch('alice@contoso.com', { jobTitle: null, businessPhones: ['+1 555 0100'] })).status,
    ).toBe(204);
    expect(alice?.jobTitle).toBeNull();
    expect(alice?.businessPhones).toEqual(['+1 555 0100']);
    expect((await patch('alice@contoso.com', { businessPhones: [] })).status).toBe(204);
    expect(alice?.businessPhones).toEqual([]);
  });

  it.each([
    ['givenName', 64],
    ['surname', 64],
    ['displayName', 256],
    ['jobTitle', 128],
    ['department', 64],
    ['companyName', 64],
    ['employeeId', 16],
    ['mobilePhone', 64],
    ['officeLocation', 128],
    ['streetAddress', 1024],
    ['city', 128],
    ['postalCode', 40],
    ['country', 128],
  ])('accepts %s up to %i characters and refuses one more', async (prop, max) => {
    const { patch } = setup();
    expect((await patch('bob@contoso.com', { [prop]: 'x'.repeat(max) })).status).toBe(204);
    expect(errorOf(await patch('bob@contoso.com', { [prop]: 'x'.repeat(max + 1) }))).toEqual(invalid(prop));
  });

  it.each([
    ['an empty string', { jobTitle: '' }, 'jobTitle'],
    ['blank text', { department: '  ' }, 'department'],
    ['a number for a string', { givenName: 42 }, 'givenName'],
    ['a string for a boolean', { accountEnabled: 'yes' }, 'accountEnabled'],
    ['two business phones', { businessPhones: ['1', '2'] }, 'businessPhones'],
    ['a string for businessPhones', { businessPhones: '+1 555' }, 'businessPhones'],
    ['null businessPhones', { businessPhones: null }, 'businessPhones'],
    ['a null displayName', { displayName: null }, 'displayName'],
    ['mail on an unverified domain', { mail: 'bob@example.org' }, 'mail'],
    ['an accented mail', { mail: 'bób@contoso.com' }, 'mail'],
    ['a UPN on an unverified domain', { userPrincipalName: 'bob@example.org' }, 'userPrincipalName'],
    ['a bad preferredLanguage', { preferredLanguage: 'english' }, 'preferredLanguage'],
  ])('refuses %s', async (_what, body, prop) => {
    const { state, patch } = setup();
    expect(errorOf(await patch('bob@contoso.com', body))).toEqual(invalid(prop));
    expect(state.changes).toEqual([]);
    expect(state.stats.writesPerUser.size).toBe(0);
  });

  it('refuses unknown and read-only properties', async () => {
    const { patch } = setup();
    expect(errorOf(await patch('bob@contoso.com', { nickname: 'b' }))).toMatchInlineSnapshot(`
      {
        "code": "Request_BadRequest",
        "message": "Property 'nickname' does not exist as a declared property or extension property.",
        "status": 400,
      }
    `);
    expect(errorOf(await patch('bob@contoso.com', { isAdmin: true })).message).toContain(
      "Property 'isAdmin' does not exist",
    );
    for (const prop of ['id', 'proxyAddresses', 'onPremisesSyncEnabled']) {
      expect(errorOf(await patch('bob@contoso.com', { [prop]: null })).message).toBe(
        `Property '${prop}' is read-only and cannot be set.`,
      );
    }
  });

  it('refuses bodies that are not a JSON object', async () => {
    const { patch } = setup();
    const unreadable =
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.';
    expect(errorOf(await patch('bob@contoso.com', '{"jobTitle":'))).toMatchObject({
      status: 400,
      message: unreadable,
    });
    expect(errorOf(await patch('bob@contoso.com', { jobTitle: 'x' }, {}))).toMatchObject({
      message: unreadable,
    });
    expect(errorOf(await patch('bob@contoso.com', '["jobTitle"]'))).toMatchObject({ status: 400 });
  });

  it('refuses any profile change of an on-premises synced user', async () => {
    const { state, patch } = setup();
    expect(errorOf(await patch('sync@contoso.com', { jobTitle: 'Engineer' }))).toMatchInlineSnapshot(`
      {
        "code": "Request_BadRequest",
        "message": "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.",
        "status": 400,
      }
    `);
    expect(state.users.get(userId(state, 'sync@contoso.com'))?.jobTitle).toBeNull();
  });

  it("refuses changing an admin's phones with 403 but allows other properties", async () => {
    const { state, patch } = setup();
    for (const body of [
      { mobilePhone: '+1 555 0101' },
      { businessPhones: ['+1 555 0102'] },
      { mobilePhone: null },
    ]) {
      expect(errorOf(await patch('admin@contoso.com', body))).toEqual({
        status: 403,
        code: 'Authorization_RequestDenied',
        message: 'Insufficient privileges to complete the operation.',
      });
    }
    expect((await patch('admin@contoso.com', { jobTitle: 'CTO' })).status).toBe(204);
    expect(state.users.get(userId(state, 'admin@contoso.com'))?.jobTitle).toBe('CTO');
  });

  it('adds a new mail to proxyAddresses and keeps UPNs unique', async () => {
    const { state, patch } = setup();
    expect((await patch('bob@contoso.com', { mail: 'robert@contoso.com' })).status).toBe(204);
    const bob = state.users.get(userId(state, 'bob@contoso.com'));
    expect(bob?.proxyAddresses).toEqual(['SMTP:bob@contoso.com', 'smtp:robert@contoso.com']);
    expect(state.changes.at(-1)?.properties).toEqual(['mail', 'proxyAddresses']);
    expect(errorOf(await patch('bob@contoso.com', { userPrincipalName: 'Alice@contoso.com' })).message).toBe(
      'Another object with the same value for property userPrincipalName already exists.',
    );
    expect((await patch('bob@contoso.com', { userPrincipalName: 'robert@contoso.com' })).status).toBe(204);
    expect((await patch('robert@contoso.com', { givenName: 'Robert' })).status).toBe(204);
  });

  it('answers 404 for an unknown user', async () => {
    const { patch } = setup();
    expect(errorOf(await patch('nobody@contoso.com', { jobTitle: 'x' })).code).toBe(
      'Request_ResourceNotFound',
    );
  });
});

describe('applyUserPatch out of band', () => {
  it('bypasses Graph validation, counts no write, and still records the change', () => {
    const state = directoryState();
    const sync = userId(state, 'sync@contoso.com');
    const result = applyUserPatch(
      state,
      sync,
      { jobTitle: 'Drifted', proxyAddresses: ['SMTP:s@contoso.com'] },
      { outOfBand: true },
    );
    expect(result).toEqual({ ok: true, changed: ['jobTitle', 'proxyAddresses'] });
    expect(state.stats.writesPerUser.size).toBe(0);
    expect(state.changes).toEqual([
      { seq: 1, userId: sync, kind: 'changed', properties: ['jobTitle', 'proxyAddresses'] },
    ]);
    expect(applyUserPatch(state, sync, { jobTitle: 7 }, { outOfBand: true })).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it('records deletions for delta', () => {
    const state = directoryState();
    const bob = userId(state, 'bob@contoso.com');
    expect(deleteUserOutOfBand(state, bob, { permanent: true })).toBe(true);
    expect(deleteUserOutOfBand(state, bob)).toBe(false);
    expect(state.users.has(bob)).toBe(false);
    expect(state.changes).toEqual([
      { seq: 1, userId: bob, kind: 'deleted', properties: [], permanent: true },
    ]);
  });
});
