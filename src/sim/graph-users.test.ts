import { describe, expect, it } from 'vitest';
import { ORIGIN } from '../../test/sim/route-context.js';
import { directoryState, errorOf, json, send, userId, usersContext } from '../../test/sim/user-state.js';

const EVENTUAL = { consistencylevel: 'eventual' };

async function list(query: string, headers = {}) {
  const ctx = usersContext(directoryState());
  return send(ctx, 'GET', `/v1.0/users?${query}`, { headers });
}

async function upns(query: string, headers = {}): Promise<string[]> {
  const res = await list(query, headers);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return json(res)
    .value.map((u) => u['userPrincipalName'] as string)
    .sort();
}

describe('GET /v1.0/users', () => {
  it('returns the default property set and the context', async () => {
    const res = await list('');
    expect(res.status).toBe(200);
    const body = json(res);
    expect(body['@odata.context']).toBe(`${ORIGIN}/v1.0/$metadata#users`);
    expect(body.value).toHaveLength(7);
    expect(Object.keys(body.value[0] ?? {}).sort()).toEqual(
      [
        'businessPhones',
        'displayName',
        'givenName',
        'id',
        'jobTitle',
        'mail',
        'mobilePhone',
        'officeLocation',
        'preferredLanguage',
        'surname',
        'userPrincipalName',
      ].sort(),
    );
    expect(body['@odata.nextLink']).toBeUndefined();
  });

  it('pages 250 users in three pages of $top=100 through absolute https nextLinks', async () => {
    const state = directoryState(243);
    const ctx = usersContext(state);
    let url: string | undefined = '/v1.0/users?$top=100&$select=id,mail';
    const pages: number[] = [];
    const ids: string[] = [];
    while (url) {
      const body = json(await send(ctx, 'GET', url));
      pages.push(body.value.length);
      ids.push(...body.value.map((u) => u['id'] as string));
      expect(Object.keys(body.value[0] ?? {})).toEqual(['id', 'mail']);
      url = body['@odata.nextLink'] as string | undefined;
      if (url) {
        expect(url).toMatch(/^https:\/\/127\.0\.0\.1:4443\/v1\.0\/users\?/);
        const u = new URL(url);
        expect(u.searchParams.get('$top')).toBe('100');
        expect(u.searchParams.get('$select')).toBe('id,mail');
        expect(u.searchParams.get('$skiptoken')).toMatch(/^[A-Za-z0-9_-]+$/);
      }
    }
    expect(pages).toEqual([100, 100, 50]);
    expect(new Set(ids).size).toBe(250);
    expect(ids).toEqual([...ids].sort());
  });

  it('uses 100 as the default page size and keeps $filter in the nextLink', async () => {
    const ctx = usersContext(directoryState(150));
    const first = json(await send(ctx, 'GET', "/v1.0/users?$filter=surname eq 'Bulk'"));
    expect(first.value).toHaveLength(100);
    const next = first['@odata.nextLink'] as string;
    expect(new URL(next).searchParams.get('$filter')).toBe("surname eq 'Bulk'");
    const second = json(await send(ctx, 'GET', next));
    expect(second.value).toHaveLength(50);
    expect(second['@odata.nextLink']).toBeUndefined();
  });

  it.each(['0', '1000', 'ten'])('refuses $top=%s', async (top) => {
    expect(errorOf(await list(`$top=${top}`))).toEqual({
      status: 400,
      code: 'Request_BadRequest',
      message: `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.`,
    });
  });

  it('refuses $skip and a forged $skiptoken', async () => {
    expect(errorOf(await list('$skip=10'))).toMatchInlineSnapshot(`
      {
        "code": "Request_BadRequest",
        "message": "'$skip' is not supported by the service.",
        "status": 400,
      }
    `);
    expect(errorOf(await list('$skiptoken=nonsense')).status).toBe(400);
  });

  it('limits properties with $select and refuses unknown ones', async () => {
    const body = json(await list("$select=displayName,department&$filter=mail eq 'alice@contoso.com'"));
    expect(body['@odata.context']).toBe(`${ORIGIN}/v1.0/$metadata#users(displayName,department)`);
    expect(body.value).toEqual([{ displayName: 'Alice Able', department: 'Berlin', id: expect.any(String) }]);
    expect(errorOf(await list('$select=displayName,isAdmin'))).toMatchInlineSnapshot(`
      {
        "code": "Request_BadRequest",
        "message": "Could not find a property named 'isAdmin' on type 'microsoft.graph.user'.",
        "status": 400,
      }
    `);
  });

  it.each([
    ["mail eq 'ALICE@contoso.com'", ['alice@contoso.com']],
    ["userPrincipalName eq 'bob@contoso.com'", ['bob@contoso.com']],
    ["startsWith(displayName,'a')", ['admin@contoso.com', 'alice@contoso.com']],
    ["startswith(givenName,'Sa')", ['sync@contoso.com']],
    ["surname eq 'Baker'", ['bob@contoso.com']],
    ["jobTitle eq 'engineer'", ['alice@contoso.com']],
    ["startsWith(department,'Par')", ['bob@contoso.com']],
    ["startsWith(mail,'guest@')", ['guest@fabrikam.onmicrosoft.com']],
    ["employeeId eq 'E-1'", ['alice@contoso.com']],
    ['onPremisesSyncEnabled eq true', ['sync@contoso.com']],
    ["proxyAddresses/any(p:p eq 'smtp:AL@contoso.com')", ['alice@contoso.com']],
    ["mail eq 'alice@contoso.com' or mail eq 'bob@contoso.com'", ['alice@contoso.com', 'bob@contoso.com']],
    ["startsWith(mail,'a') and surname eq 'Admin'", ['admin@contoso.com']],
    ["(givenName eq 'Bob' or givenName eq 'Ada') and startsWith(jobTitle,'Man')", ['bob@contoso.com']],
    ["displayName eq 'It''s nobody'", []],
  ])('filters %s without advanced query', async (filter, expected) => {
    expect(await upns(`$filter=${encodeURIComponent(filter)}`)).toEqual(expected);
  });

  it('refuses filters that need advanced query capabilities without ConsistencyLevel and $count', async () => {
    const endsWith = `$filter=${encodeURIComponent("endsWith(mail,'@contoso.com')")}`;
    expect(errorOf(await list(endsWith))).toMatchInlineSnapshot(`
      {
        "code": "Request_UnsupportedQuery",
        "message": "Operator 'endsWith' is not supported because the required parameters might be missing. Try adding $count with a value of true and ConsistencyLevel header with a value of eventual.",
        "status": 400,
      }
    `);
    expect(errorOf(await list(endsWith, EVENTUAL)).code).toBe('Request_UnsupportedQuery');
    expect(errorOf(await list(`${endsWith}&$count=true`)).code).toBe('Request_UnsupportedQuery');
    for (const q of [
      "$filter=jobTitle ne 'Engineer'",
      "$filter=not(startsWith(mail,'a'))",
      '$filter=jobTitle eq null',
      '$search="displayName:ali"',
      "$filter=startsWith(mail,'a')&$orderby=displayName",
    ]) {
      expect(errorOf(await list(q)).code, q).toBe('Request_UnsupportedQuery');
    }
  });

  it('runs advanced queries with ConsistencyLevel: eventual and $count=true, adding @odata.count', async () => {
    const ends = `$count=true&$filter=${encodeURIComponent("endsWith(mail,'@CONTOSO.com')")}`;
    const res = await list(ends, EVENTUAL);
    expect(json(res)['@odata.count']).toBe(4);
    expect(await upns(ends, EVENTUAL)).toEqual([
      'admin@contoso.com',
      'alice@contoso.com',
      'bob@contoso.com',
      'sync@contoso.com',
    ]);
    expect(
      await upns("$count=true&$filter=endsWith(userPrincipalName,'.onmicrosoft.com')", EVENTUAL),
    ).toEqual(['ext_x#EXT#@contoso.onmicrosoft.com', 'guest@fabrikam.onmicrosoft.com']);
    expect(
      await upns("$count=true&$filter=not(endsWith(mail,'@contoso.com')) and mail ne null", EVENTUAL),
    ).toEqual(['guest@fabrikam.onmicrosoft.com']);
    expect(await upns('$count=true&$search="displayName:Ab"', EVENTUAL)).toEqual(['alice@contoso.com']);
    const ordered = json(
      await list("$count=true&$filter=startsWith(mail,'a')&$orderby=displayName desc", EVENTUAL),
    );
    expect(ordered.value.map((u) => u['displayName'])).toEqual(['Alice Able', 'Ada Admin']);
    expect(errorOf(await list("$count=true&$filter=endsWith(jobTitle,'er')", EVENTUAL))).toMatchObject({
      status: 400,
      code: 'Request_UnsupportedQuery',
    });
  });

  it('silently ignores $count=true alone', async () => {
    const res = await list('$count=true');
    expect(res.status).toBe(200);
    expect(json(res)['@odata.count']).toBeUndefined();
  });

  it('refuses unsupported and malformed filters with a message', async () => {
    expect(errorOf(await list("$filter=officeLocation eq 'Berlin'"))).toMatchInlineSnapshot(`
      {
        "code": "Request_UnsupportedQuery",
        "message": "Unsupported or invalid query filter clause specified for property 'officeLocation' of resource 'User'.",
        "status": 400,
      }
    `);
    expect(errorOf(await list("$filter=mail eq 'x"))).toMatchInlineSnapshot(`
      {
        "code": "BadRequest",
        "message": "Invalid filter clause: syntax error at position 8 in 'mail eq 'x'.",
        "status": 400,
      }
    `);
    expect(errorOf(await list("$filter=nickname eq 'x'")).message).toBe(
      "Could not find a property named 'nickname' on type 'microsoft.graph.user'.",
    );
    expect(errorOf(await list("$filter=onPremisesSyncEnabled eq 'true'")).code).toBe('Request_BadRequest');
  });
});

describe('GET /v1.0/users/$count', () => {
  it('needs ConsistencyLevel: eventual and answers text/plain', async () => {
    const ctx = usersContext(directoryState(10));
    expect(errorOf(await send(ctx, 'GET', '/v1.0/users/$count'))).toMatchInlineSnapshot(`
      {
        "code": "Request_BadRequest",
        "message": "$count is not currently supported.",
        "status": 400,
      }
    `);
    const res = await send(ctx, 'GET', '/v1.0/users/$count', { headers: EVENTUAL });
    expect(res.status).toBe(200);
    expect(res.headers?.['content-type']).toBe('text/plain');
    expect(String(res.body)).toBe('17');
    const filtered = await send(ctx, 'GET', "/v1.0/users/$count?$filter=endsWith(mail,'@fabrikam.com')", {
      headers: EVENTUAL,
    });
    expect(String(filtered.body)).toBe('1');
  });
});

describe('GET /v1.0/users/{id | userPrincipalName}', () => {
  it('finds a user by id, by UPN in any case, by the quoted form and with %23', async () => {
    const state = directoryState();
    const ctx = usersContext(state);
    const alice = userId(state, 'alice@contoso.com');
    for (const path of [
      `/v1.0/users/${alice}`,
      '/v1.0/users/ALICE@contoso.com',
      "/v1.0/users('alice@contoso.com')",
    ]) {
      const res = await send(ctx, 'GET', path);
      expect(res.status, path).toBe(200);
      expect(json(res)['id']).toBe(alice);
      expect(json(res)['@odata.context']).toBe(`${ORIGIN}/v1.0/$metadata#users/$entity`);
    }
    const svc = json(await send(ctx, 'GET', "/v1.0/users('$svc@contoso.com')?$select=displayName"));
    expect(svc).toEqual({
      '@odata.context': `${ORIGIN}/v1.0/$metadata#users(displayName)/$entity`,
      displayName: 'Service',
      id: userId(state, '$svc@contoso.com'),
    });
    const ext = json(await send(ctx, 'GET', '/v1.0/users/ext_x%23EXT%23@contoso.onmicrosoft.com'));
    expect(ext['displayName']).toBe('External');
    expect((await send(ctx, 'GET', '/v1.0/users/$svc@contoso.com')).status).toBe(400);
  });

  it('answers 404 Request_ResourceNotFound for an unknown user', async () => {
    const ctx = usersContext(directoryState());
    expect(errorOf(await send(ctx, 'GET', '/v1.0/users/nobody@contoso.com'))).toMatchInlineSnapshot(`
      {
        "code": "Request_ResourceNotFound",
        "message": "Resource 'nobody@contoso.com' does not exist or one of its queried reference-property objects are not present.",
        "status": 404,
      }
    `);
  });
});
