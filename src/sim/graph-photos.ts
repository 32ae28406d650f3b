import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { findUser } from './find-user.js';
import { graphError, graphJson, headerValue } from './graph-errors.js';
import { photoUpdateRefusal } from './graph-people-settings.js';
import { propagationOf } from './propagation.js';
import { behaviourOf } from './seed.js';
import type { SimContext, SimPhoto, SimRequest, SimResponse, SimRoute, SimState, SimUser } from './types.js';

/** Microsoft's REST request limit: "this limits the size of the photo you can add to under 4MB". */
export const MAX_PHOTO_BYTES = 4 * 1024 * 1024;
/** The largest HD size Microsoft 365 keeps (48x48 … 648x648). */
const MAX_EDGE = 648;
/** Any quality other than a typical encoder default, so stored bytes differ from uploaded bytes. */
const STORED_QUALITY = 77;

const READ_PERMISSIONS = [
  'User.Read.All',
  'User.ReadWrite.All',
  'ProfilePhoto.Read.All',
  'ProfilePhoto.ReadWrite.All',
];
const WRITE_PERMISSIONS = ['ProfilePhoto.ReadWrite.All', 'User.ReadWrite.All'];

const PHOTO = /^\/v1\.0\/users\/([^/]+)\/photo$/i;
const PHOTO_VALUE = /^\/v1\.0\/users\/([^/]+)\/photo\/\$value$/i;

type Resolved = { user: SimUser } | { error: SimResponse };

function mailboxOf(match: RegExpMatchArray, state: SimState): string | undefined {
  return findUser(state, match[1] ?? '')?.id;
}

/** Photos live in the Exchange mailbox: no user → Graph's 404, no mailbox → Outlook's 404. */
function resolve(req: SimRequest, match: RegExpMatchArray, sim: SimContext): Resolved {
  const idOrUpn = match[1] ?? '';
  const user = findUser(sim.state, idOrUpn);
  if (!user) {
    return {
      error: graphError(
        req,
        404,
        'Request_ResourceNotFound',
        `Resource '${idOrUpn}' does not exist or one of its queried reference-property objects are not present.`,
      ),
    };
  }
  if (!user.hasMailbox) {
    return {
      error: graphError(
        req,
        404,
        'MailboxNotEnabledForRESTAPI',
        'REST API is not yet supported for this mailbox.',
      ),
    };
  }
  return { user };
}

/**
 * Whether a user without a photo reads as the documented placeholder rather than a 404: the
 * user's own `noPhoto`, else a draw per user (stable across requests) at the seeded share.
 */
export function readsAsPlaceholder(state: SimState, user: SimUser): boolean {
  if (user.noPhoto !== undefined) return user.noPhoto === 'placeholder';
  const share = behaviourOf(state).noPhotoPlaceholderShare;
  const draw = createHash('sha256')
    .update(`${state.faults.seed}/no-photo/${user.id}`)
    .digest()
    .readUInt32BE(0);
  return draw / 2 ** 32 < share;
}

/**
 * The metadata of "no photo" as profilephoto-get documents it (example 3): 200, a GIF, an empty
 * etag, `1X1`. Production clients see a 404 instead (`imageNotFound`); docs/microsoft-365.md#graph-photo-none.
 */
function placeholder(req: SimRequest, sim: SimContext, user: SimUser): SimResponse {
  return graphJson(req, 200, {
    '@odata.context': `${sim.origin}/v1.0/$metadata#users('${user.id}')/photo/$entity`,
    '@odata.mediaContentType': 'image/gif',
    '@odata.mediaEtag': '',
    id: '1X1',
    width: 1,
    height: 1,
  });
}

function imageNotFound(req: SimRequest): SimResponse {
  // The observed answer (docs/microsoft-365.md#graph-photo-none); $value always answers so.
  return graphError(
    req,
    404,
    'ImageNotFound',
    "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
  );
}

/** The photo reads show now: a recent write may not have propagated yet (propagation.ts). */
function visiblePhoto(sim: SimContext, userId: string): SimPhoto | undefined {
  const current = sim.state.photos.get(userId);
  const lag = propagationOf(sim.state, () => sim.now());
  return lag ? lag.seen('photo', userId, current) : current;
}

function countWrite(state: SimState, userId: string): void {
  state.stats.writesPerUser.set(userId, (state.stats.writesPerUser.get(userId) ?? 0) + 1);
}

/** https://learn.microsoft.com/graph/api/profilephoto-get (metadata) */
function getMetadata(req: SimRequest, match: RegExpMatchArray, sim: SimContext): SimResponse {
  const r = resolve(req, match, sim);
  if ('error' in r) return r.error;
  const photo = visiblePhoto(sim, r.user.id);
  if (!photo)
    return readsAsPlaceholder(sim.state, r.user) ? placeholder(req, sim, r.user) : imageNotFound(req);
  return graphJson(req, 200, {
    '@odata.context': `${sim.origin}/v1.0/$metadata#users('${r.user.id}')/photo/$entity`,
    '@odata.mediaContentType': photo.contentType,
    '@odata.mediaEtag': photo.etag,
    id: `${photo.width}X${photo.height}`,
    width: photo.width,
    height: photo.height,
  });
}

/** https://learn.microsoft.com/graph/api/profilephoto-get ($value: 200 bytes, or 404 without a photo) */
function getValue(req: SimRequest, match: RegExpMatchArray, sim: SimContext): SimResponse {
  const r = resolve(req, match, sim);
  if ('error' in r) return r.error;
  const photo = visiblePhoto(sim, r.user.id);
  if (!photo) return imageNotFound(req);
  return {
    status: 200,
    headers: {
      'content-type': photo.contentType,
      etag: photo.etag,
      'request-id': req.requestId,
      'client-request-id': headerValue(req, 'client-request-id') ?? req.requestId,
    },
    body: photo.bytes,
  };
}

/**
 * https://learn.microsoft.com/graph/api/profilephoto-update — "Content-Type: image/jpeg. Required",
 * "a limit of 4MB on the total size of each REST request", "returns a 200 OK response code".
 * PNG is accepted (not documented: docs/microsoft-365.md#graph-photo-put). Oversize → 413, the HTTP
 * status for a too-large request body.
 */
async function putValue(req: SimRequest, match: RegExpMatchArray, sim: SimContext): Promise<SimResponse> {
  const r = resolve(req, match, sim);
  if ('error' in r) return r.error;
  const refused = photoUpdateRefusal(req, sim);
  if (refused) return refused;
  const mediaType = (headerValue(req, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType !== 'image/jpeg' && mediaType !== 'image/png') {
    return graphError(
      req,
      400,
      'ErrorInvalidRequest',
      `Content-Type '${mediaType || '(none)'}' is not supported; send image/jpeg or image/png.`,
    );
  }
  if (req.body.length >= MAX_PHOTO_BYTES) {
    return graphError(
      req,
      413,
      'RequestEntityTooLarge',
      'The request body is too large: photos must be under 4 MB.',
    );
  }
  const stored = await reencode(req.body, mediaType);
  if (!stored) {
    return graphError(req, 400, 'ErrorInvalidImage', 'The photo is not a valid JPEG or PNG image.');
  }
  propagationOf(sim.state, () => sim.now())?.wrote('photo', r.user.id, sim.state.photos.get(r.user.id));
  sim.state.photos.set(r.user.id, stored);
  countWrite(sim.state, r.user.id);
  return { status: 200, headers: { 'request-id': req.requestId } };
}

/** https://learn.microsoft.com/graph/api/profilephoto-delete — "returns a 200 OK response code". */
function deleteValue(req: SimRequest, match: RegExpMatchArray, sim: SimContext): SimResponse {
  const r = resolve(req, match, sim);
  if ('error' in r) return r.error;
  const refused = photoUpdateRefusal(req, sim);
  if (refused) return refused;
  const before = sim.state.photos.get(r.user.id);
  if (!before) return imageNotFound(req);
  propagationOf(sim.state, () => sim.now())?.wrote('photo', r.user.id, before);
  sim.state.photos.delete(r.user.id);
  countWrite(sim.state, r.user.id);
  return { status: 200, headers: { 'request-id': req.requestId } };
}

/**
 * Decodes for real and stores what the service would: fitted into 648x648, re-encoded JPEG, a
 * new etag on every upload (the strict reading of the UNCONFIRMED etag behaviour).
 * Returns undefined when the bytes are not a decodable image of the declared type.
 */
export async function reencode(
  bytes: Buffer,
  mediaType: 'image/jpeg' | 'image/png',
): Promise<SimPhoto | undefined> {
  try {
    const meta = await sharp(bytes).metadata();
    if (meta.format !== (mediaType === 'image/png' ? 'png' : 'jpeg')) return undefined;
    const { data, info } = await sharp(bytes)
      .rotate()
      .resize({ width: MAX_EDGE, height: MAX_EDGE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: STORED_QUALITY })
      .toBuffer({ resolveWithObject: true });
    return {
      bytes: data,
      contentType: 'image/jpeg',
      width: info.width,
      height: info.height,
      etag: `"${randomBytes(4).toString('hex').toUpperCase()}"`,
    };
  } catch {
    return undefined;
  }
}

function route(method: string, pattern: RegExp, permissions: string[], handle: SimRoute['handle']): SimRoute {
  const name = pattern === PHOTO ? '/v1.0/users/{id}/photo' : '/v1.0/users/{id}/photo/$value';
  return { service: 'graph', method, pattern, name, permissions, outlookBacked: true, mailboxOf, handle };
}

/** Profile photo routes. All are Outlook-backed: the per-mailbox concurrency limit applies. */
export const graphPhotoRoutes: SimRoute[] = [
  route('GET', PHOTO, READ_PERMISSIONS, getMetadata),
  route('GET', PHOTO_VALUE, READ_PERMISSIONS, getValue),
  route('PUT', PHOTO_VALUE, WRITE_PERMISSIONS, putValue),
  // "You can use either PATCH or PUT for this operation in version 1.0."
  route('PATCH', PHOTO_VALUE, WRITE_PERMISSIONS, putValue),
  route('DELETE', PHOTO_VALUE, WRITE_PERMISSIONS, deleteValue),
];

/** True when a Graph path is served by an Outlook-backed route (photos). */
export function isOutlookBackedPath(path: string): boolean {
  return graphPhotoRoutes.some((r) => r.outlookBacked === true && r.pattern.test(path));
}
