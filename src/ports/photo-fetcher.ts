import type { PhotoContentType } from './photos.js';

/**
 * Why a photo URL was not downloaded. Each is the employee's problem alone: the caller records
 * it against that employee and carries on with the others.
 */
export type PhotoRejection =
  /** Not an absolute URL, or it carries a user name or password. */
  | 'invalid-url'
  /** Not http: or https:. */
  | 'scheme'
  /** The host is not on `photos.allowedHosts`. */
  | 'host-not-allowed'
  /** The host is (or resolves to) a loopback, private, link-local or otherwise special address. */
  | 'address-not-allowed'
  /** A redirect to another host, or from https: down to http:. */
  | 'redirect-not-allowed'
  | 'too-many-redirects'
  /** The server answered with something other than 200. */
  | 'http-status'
  /** Content-Length or the bytes actually received exceed `photos.maxBytes`. */
  | 'too-large'
  /** The connect timeout or the total download deadline passed. */
  | 'timeout'
  /** The bytes are not a JPEG or PNG that decodes, whatever the Content-Type said. */
  | 'not-an-image'
  /** The name did not resolve, the connection failed or was reset, or TLS failed. */
  | 'network';

/** A photo downloaded and checked; `contentType` comes from the bytes, never from a header. */
export interface AcceptedPhoto {
  ok: true;
  bytes: Buffer;
  contentType: PhotoContentType;
  /** Hex SHA-256 of `bytes`: lets the planner tell whether the source photo changed. */
  sha256: string;
  width?: number;
  height?: number;
}

/** A photo that was refused; `message` is safe to show (no query string, no credentials). */
export interface RejectedPhoto {
  ok: false;
  reason: PhotoRejection;
  message: string;
}

export type FetchedPhoto = AcceptedPhoto | RejectedPhoto;

/**
 * Downloads an employee's photo from a URL Roster does not control (the HR system's
 * `profile_image_url`). Outcomes are data, not exceptions: `fetch` never rejects for anything
 * the URL or the remote server does.
 */
export interface PhotoFetcher {
  fetch(url: string): Promise<FetchedPhoto>;
}
