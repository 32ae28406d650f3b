/**
 * What a download of a campaign banner showed. `invalid` is a verdict on the banner itself (too
 * large, not an image, refused by the URL or address policy, gone): its campaign is left out.
 * `unchecked` means the check could not be made this time (network, timeout, a 5xx): the campaign
 * stays, with a warning, so a flapping network never switches thousands of signatures back and forth.
 */
export type BannerVerdict =
  | { kind: 'ok'; bytes: number; contentType: string; width?: number; height?: number }
  | {
      kind: 'invalid';
      message: string;
      /** Set when the banner is too large: the bytes found (or the least it has) and the limit. */
      size?: { bytes: number; atLeast: boolean; limit: number };
    }
  | { kind: 'unchecked'; message: string };

/** Downloads banner images (under the photo fetcher's rules) and judges them. */
export interface BannerImages {
  /** Never rejects: every outcome is a verdict. Each call downloads again (callers cache per run). */
  inspect(url: string): Promise<BannerVerdict>;
}
