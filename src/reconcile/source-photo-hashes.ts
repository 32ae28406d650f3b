import { displayUrl } from '../secrets/display-url.js';
import type { PhotoFetcher } from '../ports/photo-fetcher.js';

/** Source downloads at once during a deep photo check: the HR photo host is not ours to hammer. */
const CONCURRENCY = 4;

/**
 * Downloads source photos (through the safe fetcher) to hash them, so a photo replaced at the same
 * URL is noticed. Only during a deep photo check; a failed download is a warning, not a change.
 */
export async function sourcePhotoHashes(
  fetcher: PhotoFetcher,
  urls: string[],
): Promise<{ hashes: Map<string, string>; warnings: string[] }> {
  const unique = [...new Set(urls)];
  const hashes = new Map<string, string>();
  const warnings: string[] = [];
  let next = 0;
  async function worker() {
    for (let i = next++; i < unique.length; i = next++) {
      const url = unique[i]!;
      const result = await fetcher.fetch(url);
      if (result.ok) hashes.set(url, result.sha256);
      else warnings.push(`source photo ${displayUrl(url)} could not be checked: ${result.message}`);
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, unique.length) }, worker));
  return { hashes, warnings };
}
