import { REQUESTS } from '../../http/api-limiters.js';
import type { HttpClient, HttpRequest } from '../../http/http-client.js';
import type { ObservedPhoto } from '../../observe/model.js';
import type { ItemResult } from '../../ports/item-result.js';
import type { PhotosPort } from '../../ports/photos.js';
import { checkShape, type Endpoint } from '../response-shape.js';
import { header, itemError, runBatch, type BatchRequest } from './graph-batch.js';
import { errorOf } from './graph-response.js';
import { PHOTO_METADATA, type PhotoMetadata } from './graph-shapes.js';

const PHOTO_COST = { [REQUESTS]: 1 };

/**
 * 404 codes that mean "no such user or no mailbox" rather than "no photo": those are failures.
 * Any other 404 on a photo means the user has none (codes vary, e.g. ImageNotFound —
 * docs/microsoft-365.md#graph-photo-none).
 */
const NOT_A_PHOTO_404 = new Set(['Request_ResourceNotFound', 'MailboxNotEnabledForRESTAPI']);

function isNoPhoto(status: number, errorCode: string | undefined): boolean {
  return status === 404 && !(errorCode !== undefined && NOT_A_PHOTO_404.has(errorCode));
}

const GET_PHOTO: Endpoint = { service: 'graph', method: 'GET', path: '/v1.0/users/{id}/photo' };

/**
 * The documented metadata of "no photo": a GIF, an empty etag, 1×1 — all three marks together. A
 * photo stored in Entra ID may be any size, so a real 1×1 JPEG (with its etag) is a photo
 * (docs/microsoft-365.md#graph-photo-none).
 */
function isPlaceholder(raw: PhotoMetadata): boolean {
  return (
    raw['@odata.mediaContentType']?.toLowerCase() === 'image/gif' &&
    (raw['@odata.mediaEtag'] ?? '') === '' &&
    raw.width === 1 &&
    raw.height === 1
  );
}

function toObservedPhoto(raw: PhotoMetadata): ObservedPhoto | null {
  if (isPlaceholder(raw)) return null;
  const width = raw.width ?? null;
  const height = raw.height ?? null;
  return {
    etag: raw['@odata.mediaEtag'] ?? null,
    contentType: raw['@odata.mediaContentType'] ?? null,
    width,
    height,
  };
}

/**
 * The photos port over Graph profile photos, budgeted as Outlook requests (its own limiter,
 * one mailbox at a time per key).
 * https://learn.microsoft.com/graph/api/profilephoto-get · /graph/api/profilephoto-update · /graph/api/profilephoto-delete
 */
export function createGraphPhotos(http: HttpClient): PhotosPort {
  async function write(request: HttpRequest, allowMissing: boolean): Promise<void> {
    const res = await http.send(request);
    if (res.status >= 200 && res.status <= 299) return;
    const error = errorOf(http, request, res);
    if (allowMissing && isNoPhoto(res.status, error.errorCode)) return;
    throw error;
  }

  return {
    async getPhotoMeta(userIds) {
      const requests: BatchRequest[] = userIds.map((id) => ({
        method: 'GET',
        url: `/users/${encodeURIComponent(id)}/photo`,
        cost: PHOTO_COST,
      }));
      const outcomes = await runBatch(http, requests);
      return outcomes.map((o, i): ItemResult<ObservedPhoto | null> => {
        const id = userIds[i]!;
        if (!o.ok) return { id, ok: false, error: o.error };
        if (o.status === 200) {
          const meta = checkShape(GET_PHOTO, 200, o.body, PHOTO_METADATA, header(o.headers, 'request-id'));
          return meta.ok ? { id, ok: true, value: toObservedPhoto(meta.value) } : { id, ...meta };
        }
        const error = itemError(requests[i]!, o);
        if (isNoPhoto(o.status, error.errorCode)) return { id, ok: true, value: null };
        return { id, ok: false, error };
      });
    },

    async putPhoto(userId, bytes, contentType) {
      await write(
        {
          method: 'PUT',
          url: `users/${encodeURIComponent(userId)}/photo/$value`,
          body: bytes,
          headers: { 'content-type': contentType },
          cost: PHOTO_COST,
          key: userId,
        },
        false,
      );
    },

    async deletePhoto(userId) {
      await write(
        {
          method: 'DELETE',
          url: `users/${encodeURIComponent(userId)}/photo/$value`,
          cost: PHOTO_COST,
          key: userId,
        },
        true,
      );
    },
  };
}
