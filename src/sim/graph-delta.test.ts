import { describe, expect, it } from 'vitest';
import type { SimContext } from './types.js';
import { directoryState, errorOf, json, send, userId, usersContext } from '../../test/sim/user-state.js';
import { invalidateDeltaTokens } from './graph-delta.js';
import { defaultBehaviourSettings } from './seed.js';
import { applyUserPatch, deleteUserOutOfBand } from './user-patch.js';

type Item = Record<string, unknown>;

/** Follows nextLinks to the deltaLink; returns every item, page sizes and the deltaLink. */
async function syncRound(ctx: SimContext, url: string, headers: Record<string, string> = {}) {
  const items: Item[] = [];
  const pages: number[] = [];
  let next: string | undefined = url;
  for (;;) {
    const res = await send(ctx, 'GET', next, { headers });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = json(res);
    items.push(...body.value);
    pages.push(body.value.length);
    next = body['@odata.nextLink'] as string | undefined;
    if (next) {
      expect(next).toMatch(/^https:\/\/127\.0\.0\.1:4443\/v1\.0\/users\/delta\?\$skiptoken=[A-Za-z0-9_-]+$/);
      continue;
    }
    const deltaLink = body['@odata.deltaLink'] as string;
    expect(deltaLink).toMatch(
      /^https:\/\/127\.0\.0\.1:4443\/v1\.0\/users\/delta\?\$deltatoken=[A-Za-z0-9_-]+$/,
    );
    return { items, pages, deltaLink, headers: res.headers ?? {} };
  }
}

function setup(extra = 0) {
  const state = directoryState(extra);
  return { state, ctx: usersContext(state) };
}

describe('GET /v1.0/users/delta', () => {
  it('pages the initial sync (200 a page) and ends with a deltaLink', async () => {
    const { ctx } = setup(243);
    const round = await syncRound(ctx, '/v1.0/users/delta');
    expect(round.pages).toEqual([200, 50]);
    expect(new Set(round.items.map((u) => u['id'])).size).toBe(250);
    expect(Object.keys(round.items[0] ?? {})).toContain('userPrincipalName');
    expect(Object.keys(round.items[0] ?? {})).not.toContain('department');
  });

  it('honours Prefer: odata.maxpagesize', async () => {
    const { ctx } = setup(243);
    const round = await syncRound(ctx, '/v1.0/users/delta', { prefer: 'odata.maxpagesize=100' });
    expect(round.pages).toEqual([100, 100, 50]);
    expect(round.headers['preference-applied']).toBe('odata.maxpagesize=100');
  });

  it('reports nothing when nothing changed, then each changed user once with its selected properties', async () => {
    const { state, ctx } = setup();
    const first = await syncRound(ctx, '/v1.0/users/delta?$select=displayName,jobTitle,department');
    expect(Object.keys(first.items[0] ?? {})).toEqual(['displayName', 'jobTitle', 'department', 'id']);
    const quiet = await syncRound(ctx, first.deltaLink);
    expect(quiet.items).toEqual([]);

    const alice = userId(state, 'alice@contoso.com');
    const bob = userId(state, 'bob@contoso.com');
    await send(ctx, 'PATCH', `/v1.0/users/${alice}`, {
      headers: { 'content-type': 'application/json' },
      body: { jobTitle: 'Lead' },
    });
    applyUserPatch(state, bob, { department: 'Rome' }, { outOfBand: true });
    applyUserPatch(state, alice, { department: 'Munich' }, { outOfBand: true });
    // Untracked property: not reported.
    applyUserPatch(
      state,
      userId(state, 'guest@fabrikam.onmicrosoft.com'),
      { city: 'Oslo' },
      { outOfBand: true },
    );

    const changed = await syncRound(ctx, quiet.deltaLink);
    expect(changed.items).toEqual([
      { displayName: 'Bob Baker', jobTitle: 'Manager', department: 'Rome', id: bob },
      { displayName: 'Alice Able', jobTitle: 'Lead', department: 'Munich', id: alice },
    ]);
    expect((await syncRound(ctx, changed.deltaLink)).items).toEqual([]);
  });

  it('returns only the changed properties with Prefer: return=minimal', async () => {
    const { state, ctx } = setup();
    const first = await syncRound(ctx, '/v1.0/users/delta');
    const alice = userId(state, 'alice@contoso.com');
    applyUserPatch(state, alice, { jobTitle: 'Lead' }, { outOfBand: true });
    applyUserPatch(state, alice, { mobilePhone: '+1 555 0100' }, { outOfBand: true });
    const next = await syncRound(ctx, first.deltaLink, { prefer: 'return=minimal' });
    expect(next.items).toEqual([{ jobTitle: 'Lead', mobilePhone: '+1 555 0100', id: alice }]);
    expect(next.headers['preference-applied']).toBe('return=minimal');
  });

  it('reports deleted users as @removed (changed for soft, deleted for permanent)', async () => {
    const { state, ctx } = setup();
    const first = await syncRound(ctx, '/v1.0/users/delta');
    const bob = userId(state, 'bob@contoso.com');
    const guest = userId(state, 'guest@fabrikam.onmicrosoft.com');
    applyUserPatch(state, bob, { jobTitle: 'Gone soon' }, { outOfBand: true });
    deleteUserOutOfBand(state, bob);
    deleteUserOutOfBand(state, guest, { permanent: true });
    const next = await syncRound(ctx, first.deltaLink);
    expect(next.items).toEqual([
      { id: bob, '@removed': { reason: 'changed' } },
      { id: guest, '@removed': { reason: 'deleted' } },
    ]);
  });

  it('pages a large change set and reports changes made while paging in the next round', async () => {
    const { state, ctx } = setup(243);
    const first = await syncRound(ctx, '/v1.0/users/delta');
    for (const u of [...state.users.values()]) {
      applyUserPatch(state, u.id, { jobTitle: `T-${u.id}` }, { outOfBand: true });
    }
    const res = await send(ctx, 'GET', first.deltaLink, { headers: { prefer: 'odata.maxpagesize=100' } });
    const page1 = json(res);
    expect(page1.value).toHaveLength(100);
    applyUserPatch(state, userId(state, 'alice@contoso.com'), { givenName: 'Alicia' }, { outOfBand: true });
    const rest = await syncRound(ctx, page1['@odata.nextLink'] as string);
    expect(rest.pages).toEqual([100, 50]);
    const after = await syncRound(ctx, rest.deltaLink);
    expect(after.items.map((u) => u['givenName'])).toEqual(['Alicia']);
  });

  it('gives only a deltaLink for $deltaToken=latest, and later changes from there', async () => {
    const { state, ctx } = setup();
    const latest = json(await send(ctx, 'GET', '/v1.0/users/delta?$deltaToken=latest&$select=jobTitle'));
    expect(latest.value).toEqual([]);
    expect(latest['@odata.nextLink']).toBeUndefined();
    const bob = userId(state, 'bob@contoso.com');
    applyUserPatch(state, bob, { jobTitle: 'Director' }, { outOfBand: true });
    const next = await syncRound(ctx, latest['@odata.deltaLink'] as string);
    expect(next.items).toEqual([{ jobTitle: 'Director', id: bob }]);
  });

  it('tracks only the ids of an id filter and refuses other filters', async () => {
    const { state, ctx } = setup();
    const alice = userId(state, 'alice@contoso.com');
    const bob = userId(state, 'bob@contoso.com');
    const filter = encodeURIComponent(`id eq '${alice}' or id eq '${bob}'`);
    const first = await syncRound(ctx, `/v1.0/users/delta?$filter=${filter}`);
    expect(first.items.map((u) => u['id']).sort()).toEqual([alice, bob].sort());
    applyUserPatch(state, userId(state, 'admin@contoso.com'), { jobTitle: 'x' }, { outOfBand: true });
    applyUserPatch(state, bob, { jobTitle: 'y' }, { outOfBand: true });
    expect((await syncRound(ctx, first.deltaLink)).items.map((u) => u['id'])).toEqual([bob]);

    const many = Array.from({ length: 51 }, (_, i) => `id eq '${i}'`).join(' or ');
    expect(
      errorOf(await send(ctx, 'GET', `/v1.0/users/delta?$filter=${encodeURIComponent(many)}`)),
    ).toMatchObject({
      status: 400,
      code: 'Request_UnsupportedQuery',
    });
    const other = encodeURIComponent("startsWith(mail,'a')");
    expect(errorOf(await send(ctx, 'GET', `/v1.0/users/delta?$filter=${other}`)).status).toBe(400);
  });

  it('refuses $top, $orderby, $expand, and query options next to a state token', async () => {
    const { ctx } = setup();
    for (const q of ['$top=10', '$orderby=displayName', '$expand=manager']) {
      expect(errorOf(await send(ctx, 'GET', `/v1.0/users/delta?${q}`)).status, q).toBe(400);
    }
    const first = await syncRound(ctx, '/v1.0/users/delta');
    expect(errorOf(await send(ctx, 'GET', `${first.deltaLink}&$select=jobTitle`))).toMatchInlineSnapshot(`
      {
        "code": "Request_BadRequest",
        "message": "Query options cannot be combined with a state token: they apply only to the first delta request.",
        "status": 400,
      }
    `);
  });

  it('answers 400 syncStateNotFound for a garbage token', async () => {
    const { ctx } = setup();
    for (const token of ['garbage!', 'Zm9v', Buffer.from('{"k":"d"}').toString('base64url')]) {
      expect(errorOf(await send(ctx, 'GET', `/v1.0/users/delta?$deltatoken=${token}`))).toMatchObject({
        status: 400,
        code: 'syncStateNotFound',
      });
    }
  });

  it('answers 400 SyncStateNotFound once a token is older than 7 days (the default)', async () => {
    const { ctx } = setup();
    const first = await syncRound(ctx, '/v1.0/users/delta?$select=jobTitle');
    ctx.clock += 7 * 24 * 3600 * 1000;
    expect((await send(ctx, 'GET', first.deltaLink)).status).toBe(200);
    ctx.clock += 1;
    const expired = await send(ctx, 'GET', first.deltaLink);
    expect(errorOf(expired)).toMatchObject({ status: 400, code: 'SyncStateNotFound' });
    expect(expired.headers?.['location']).toBeUndefined();
  });

  it('answers an expired token as the seed says: 410 Gone with a Location to restart', async () => {
    const { state, ctx } = setup();
    state.behaviour = {
      ...defaultBehaviourSettings(),
      expiredDeltaToken: { status: 410, code: 'syncStateNotFound' },
    };
    const first = await syncRound(ctx, '/v1.0/users/delta?$select=jobTitle');
    ctx.clock += 7 * 24 * 3600 * 1000 + 1;
    const gone = await send(ctx, 'GET', first.deltaLink);
    expect(errorOf(gone)).toMatchObject({ status: 410, code: 'syncStateNotFound' });
    const location = gone.headers?.['location'] as string;
    expect(location).toBe('https://127.0.0.1:4443/v1.0/users/delta?$select=jobTitle%2Cid&$deltatoken=');
    const restarted = await syncRound(ctx, location);
    expect(restarted.items).toHaveLength(7);
    expect(Object.keys(restarted.items[0] ?? {})).toEqual(['jobTitle', 'id']);
  });

  it('answers 410 resyncRequired for tokens issued before invalidateDeltaTokens, not after', async () => {
    const { state, ctx } = setup();
    const before = await syncRound(ctx, '/v1.0/users/delta');
    invalidateDeltaTokens(state);
    const gone = await send(ctx, 'GET', before.deltaLink);
    expect(errorOf(gone)).toMatchObject({ status: 410, code: 'resyncRequired' });
    expect(gone.headers?.['location']).toBe('https://127.0.0.1:4443/v1.0/users/delta?$deltatoken=');
    const after = await syncRound(ctx, '/v1.0/users/delta');
    expect((await send(ctx, 'GET', after.deltaLink)).status).toBe(200);
  });

  it('does not report photo changes', async () => {
    const { state, ctx } = setup();
    const first = await syncRound(ctx, '/v1.0/users/delta');
    state.photos.set(userId(state, 'alice@contoso.com'), {
      bytes: Buffer.from([0xff, 0xd8, 0xff]),
      contentType: 'image/jpeg',
      width: 1,
      height: 1,
      etag: 'W/"1"',
    });
    expect((await syncRound(ctx, first.deltaLink)).items).toEqual([]);
  });
});
