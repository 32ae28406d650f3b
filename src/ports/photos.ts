import type { ObservedPhoto } from '../observe/model.js';
import type { ItemResult } from './item-result.js';

export type PhotoContentType = 'image/jpeg' | 'image/png';

/** Profile photos (Graph `/users/{id}/photo`). The service re-encodes what it stores. */
export interface PhotosPort {
  /** Metadata per user; `null` = the user has no photo. Results in input order. */
  getPhotoMeta(userIds: string[]): Promise<ItemResult<ObservedPhoto | null>[]>;
  putPhoto(userId: string, bytes: Uint8Array, contentType: PhotoContentType): Promise<void>;
  /** Idempotent: deleting a missing photo succeeds. */
  deletePhoto(userId: string): Promise<void>;
}
