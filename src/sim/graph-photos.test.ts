import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { call, photoState, routeContext, simRequest } from '../../test/sim/route-context.js';
import { findUser } from './find-user.js';
import {
  graphPhotoRoutes,
  isOutlookBackedPath,
  MAX_PHOTO_BYTES,
  readsAsPlaceholder,
} from './graph-photos.js';
import { buildState, defaultBehaviourSettings } from './seed.js';

function image(format: 'jpeg' | 'png', width = 800, height = 600): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background: '#3366cc' } });
  return (format === 'png' ? img.png() : img.jpeg({ quality: 95 })).toBuffer();
}

function setup() {
  const state = photoState();
  const ctx = routeContext(state, graphPhotoRoutes);
  const alice = findUser(state, 'ALICE@contoso.com');
  if (!alice) throw new Error('seed');
  return { state, ctx, alice };
}

const put = (who: string, body: Buffer, type = 'image/jpeg') =>
  simRequest('PUT', `/v1.0/users/${who}/photo/$value`, { headers: { 'content-type': type }, body });

describe('graph photo routes', () => {
  it('answers 404 ImageNotFound for a user without a photo, metadata and $value alike', async () => {
    const { ctx, alice } = setup();
    alice.noPhoto = 'not-found';
    for (const path of [
      '/v1.0/users/alice@contoso.com/photo',
      '/v1.0/users/alice@contoso.com/photo/$value',
    ]) {
      const res = await call(ctx, simRequest('GET', path));
      expect(res.status).toBe(404);
      expect((res.body as { error: { code: string; message: string } }).error).toMatchObject({
        code: 'ImageNotFound',
        message:
          "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
      });
    }
  });

  it('answers the documented placeholder for a user without a photo where the tenant does so', async () => {
    const { ctx, alice } = setup();
    alice.noPhoto = 'placeholder';
    const meta = await call(ctx, simRequest('GET', '/v1.0/users/alice@contoso.com/photo'));
    expect(meta.status).toBe(200);
    expect(meta.body).toEqual({
      '@odata.context': `https://127.0.0.1:4443/v1.0/$metadata#users('${alice.id}')/photo/$entity`,
      '@odata.mediaContentType': 'image/gif',
      '@odata.mediaEtag': '',
      id: '1X1',
      width: 1,
      height: 1,
    });
    const value = await call(ctx, simRequest('GET', '/v1.0/users/alice@contoso.com/photo/$value'));
    expect(value.status).toBe(404);
  });

  it('draws the placeholder for the seeded share of users, the same way on every read', () => {
    const state = buildState({
      tenant: { domain: 'contoso.onmicrosoft.com' },
      users: Array.from({ length: 400 }, (_, i) => ({ userPrincipalName: `u${i}@contoso.onmicrosoft.com` })),
    });
    const users = [...state.users.values()];
    const placeholders = () => users.filter((u) => readsAsPlaceholder(state, u)).length;
    const half = placeholders();
    expect(half).toBeGreaterThan(150);
    expect(half).toBeLessThan(250);
    expect(placeholders()).toBe(half);
    state.behaviour = { ...defaultBehaviourSettings(), noPhotoPlaceholderShare: 0 };
    expect(placeholders()).toBe(0);
    state.behaviour.noPhotoPlaceholderShare = 1;
    expect(placeholders()).toBe(400);
  });

  it('keeps a real 1x1 upload as a photo: JPEG, 1X1, a real etag', async () => {
    const { ctx, alice } = setup();
    alice.noPhoto = 'placeholder';
    expect(await call(ctx, put('alice@contoso.com', await image('png', 1, 1), 'image/png'))).toMatchObject({
      status: 200,
    });
    const meta = await call(ctx, simRequest('GET', '/v1.0/users/alice@contoso.com/photo'));
    expect(meta.body).toMatchObject({
      '@odata.mediaContentType': 'image/jpeg',
      id: '1X1',
      width: 1,
      height: 1,
    });
    expect((meta.body as Record<string, string>)['@odata.mediaEtag']).toMatch(/^"[0-9A-F]{8}"$/);
  });

  it('stores an uploaded JPEG re-encoded and fitted into 648x648, with metadata to match', async () => {
    const { ctx, state, alice } = setup();
    const uploaded = await image('jpeg', 1000, 500);
    const res = await call(ctx, put('alice@contoso.com', uploaded));
    expect(res).toMatchObject({ status: 200 });
    expect(res.body).toBeUndefined();
    expect(state.stats.writesPerUser.get(alice.id)).toBe(1);

    const meta = await call(ctx, simRequest('GET', `/v1.0/users/${alice.id}/photo`));
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({
      '@odata.mediaContentType': 'image/jpeg',
      id: '648X324',
      width: 648,
      height: 324,
    });
    expect((meta.body as Record<string, string>)['@odata.mediaEtag']).toMatch(/^"[0-9A-F]{8}"$/);

    const value = await call(ctx, simRequest('GET', `/v1.0/users/${alice.id}/photo/$value`));
    expect(value.status).toBe(200);
    expect(value.headers?.['content-type']).toBe('image/jpeg');
    const bytes = value.body as Buffer;
    expect(bytes.equals(uploaded)).toBe(false);
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'jpeg', width: 648, height: 324 });
  });

  it('accepts PNG, stores JPEG, and gives every upload a new etag even for the same bytes', async () => {
    const { ctx, state, alice } = setup();
    const png = await image('png', 240, 240);
    expect((await call(ctx, put('alice@contoso.com', png, 'image/png; charset=binary'))).status).toBe(200);
    const first = state.photos.get(alice.id);
    expect(first).toMatchObject({ contentType: 'image/jpeg', width: 240, height: 240 });
    expect(first?.bytes.equals(png)).toBe(false);
    await call(ctx, put('alice@contoso.com', png, 'image/png'));
    const second = state.photos.get(alice.id);
    expect(second?.etag).not.toBe(first?.etag);
    expect(state.stats.writesPerUser.get(alice.id)).toBe(2);
  });

  it('refuses other content types, bytes that are not the declared image, and 4 MB', async () => {
    const { ctx, state } = setup();
    const jpeg = await image('jpeg');
    const gif = await call(ctx, put('alice@contoso.com', jpeg, 'image/gif'));
    expect(gif.status).toBe(400);
    expect(gif.body).toMatchObject({ error: { code: 'ErrorInvalidRequest' } });

    const garbage = await call(ctx, put('alice@contoso.com', Buffer.from('not an image at all')));
    expect(garbage.status).toBe(400);
    expect(garbage.body).toMatchObject({ error: { code: 'ErrorInvalidImage' } });

    const mislabelled = await call(ctx, put('alice@contoso.com', jpeg, 'image/png'));
    expect(mislabelled.status).toBe(400);

    const big = Buffer.concat([jpeg, Buffer.alloc(MAX_PHOTO_BYTES - jpeg.length)]);
    const tooBig = await call(ctx, put('alice@contoso.com', big));
    expect(tooBig.status).toBe(413);
    expect(state.photos.size).toBe(0);
    expect(state.stats.writesPerUser.size).toBe(0);
  });

  it('deletes with 200, then reports 404; a second delete is 404 too', async () => {
    const { ctx, state, alice } = setup();
    alice.noPhoto = 'not-found';
    await call(ctx, put('alice@contoso.com', await image('jpeg')));
    const del = simRequest('DELETE', '/v1.0/users/alice@contoso.com/photo/$value');
    expect((await call(ctx, del)).status).toBe(200);
    expect(state.photos.has(alice.id)).toBe(false);
    expect((await call(ctx, simRequest('GET', '/v1.0/users/alice@contoso.com/photo'))).status).toBe(404);
    expect((await call(ctx, simRequest('DELETE', '/v1.0/users/alice@contoso.com/photo/$value'))).status).toBe(
      404,
    );
  });

  it('answers 404 MailboxNotEnabledForRESTAPI without a mailbox and Request_ResourceNotFound without a user', async () => {
    const { ctx } = setup();
    const noMailbox = await call(ctx, put('bob@contoso.com', await image('jpeg')));
    expect(noMailbox.status).toBe(404);
    expect(noMailbox.body).toMatchObject({
      error: {
        code: 'MailboxNotEnabledForRESTAPI',
        message: 'REST API is not yet supported for this mailbox.',
      },
    });
    const noUser = await call(ctx, simRequest('GET', '/v1.0/users/nobody@contoso.com/photo'));
    expect(noUser.status).toBe(404);
    expect(noUser.body).toMatchObject({ error: { code: 'Request_ResourceNotFound' } });
  });

  it('marks every photo route Outlook-backed with the mailbox it targets', () => {
    const { state, alice } = setup();
    for (const route of graphPhotoRoutes) {
      expect(route.outlookBacked).toBe(true);
      const match = route.pattern.exec(
        `/v1.0/users/alice@contoso.com/photo${route.pattern.source.includes('value') ? '/$value' : ''}`,
      );
      expect(match && route.mailboxOf?.(match, state)).toBe(alice.id);
      expect(route.permissions).toContain('ProfilePhoto.ReadWrite.All');
    }
    expect(isOutlookBackedPath('/v1.0/users/x/photo/$value')).toBe(true);
    expect(isOutlookBackedPath('/v1.0/users/x')).toBe(false);
  });
});
