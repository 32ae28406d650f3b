import type { SetPhotoAction } from '../plan/plan-model.js';
import type { PhotoFetcher } from '../ports/photo-fetcher.js';
import type { PhotosPort } from '../ports/photos.js';
import { failureOf, shown, type ActionOutcome } from './action-outcome.js';

function before(action: SetPhotoAction): unknown {
  return action.expectedEtag === undefined ? { etag: 'not checked' } : { etag: action.expectedEtag };
}

/**
 * One `$batch` of photo metadata reads for the actions whose etag the plan recorded. Returns the
 * outcome of each action that must not be written (stale, or its check failed); the others are
 * clear to go. An action planned without a deep check (`expectedEtag` undefined) is not checked.
 */
export async function checkPhotos(
  actions: SetPhotoAction[],
  photos: PhotosPort,
): Promise<Map<string, ActionOutcome>> {
  const blocked = new Map<string, ActionOutcome>();
  const checked = actions.filter((a) => a.expectedEtag !== undefined);
  if (checked.length === 0) return blocked;
  const after = (a: SetPhotoAction) => ({ sourceUrl: a.sourceUrl });
  let metas;
  try {
    metas = await photos.getPhotoMeta(checked.map((a) => a.userId));
  } catch (error) {
    for (const a of checked)
      blocked.set(a.key, { status: 'failed', before: before(a), after: after(a), failure: failureOf(error) });
    return blocked;
  }
  checked.forEach((a, i) => {
    const meta = metas[i];
    if (!meta || !meta.ok) {
      const failure = meta ? failureOf(meta.error) : { message: 'internal error: no read result' };
      blocked.set(a.key, { status: 'failed', before: before(a), after: after(a), failure });
      return;
    }
    const etag = meta.value?.etag ?? null;
    if (etag !== a.expectedEtag) {
      blocked.set(a.key, {
        status: 'skipped-stale',
        before: before(a),
        after: after(a),
        message: `photo: expected ${a.expectedEtag === null ? 'no photo' : `etag ${shown(a.expectedEtag)}`}, found ${meta.value === null ? 'no photo' : `etag ${shown(etag)}`}`,
      });
    }
  });
  return blocked;
}

/**
 * Downloads the source photo through the safe fetcher (a refusal is this employee's failure
 * alone) and uploads it. Nothing is read back: a new photo can take hours to show
 * (docs/microsoft-365.md#graph-photo-propagation), so the etag of the service's re-encoded copy is
 * adopted by a later deep check that no longer sees the photo from before the write
 * (`beforeWrite`; see `planPhoto`).
 */
export async function writePhoto(
  action: SetPhotoAction,
  deps: { photos: PhotosPort; photoFetcher: PhotoFetcher },
  now: () => Date,
): Promise<ActionOutcome> {
  const base = { before: before(action), after: { sourceUrl: action.sourceUrl } as Record<string, unknown> };
  let fetched;
  try {
    fetched = await deps.photoFetcher.fetch(action.sourceUrl);
  } catch (error) {
    return { status: 'failed', ...base, failure: failureOf(error) };
  }
  if (!fetched.ok) {
    return {
      status: 'failed',
      ...base,
      failure: {
        service: 'photo-source',
        code: fetched.reason,
        message: `photo not used: ${fetched.message}`,
      },
    };
  }
  try {
    await deps.photos.putPhoto(action.userId, fetched.bytes, fetched.contentType);
  } catch (error) {
    return { status: 'failed', ...base, failure: failureOf(error) };
  }
  const after = { sourceUrl: action.sourceUrl, sha256: fetched.sha256 };
  return {
    status: 'applied',
    before: base.before,
    after,
    lastApplied: {
      userId: action.userId,
      aspect: 'photo',
      desiredHash: fetched.sha256,
      observedFingerprint: null,
      appliedAt: now().toISOString(),
      value: {
        sourceUrl: action.sourceUrl,
        ...(action.expectedEtag !== undefined ? { beforeWrite: action.expectedEtag } : {}),
      },
    },
  };
}
