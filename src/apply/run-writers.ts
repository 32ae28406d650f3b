import type { SetPhotoAction, SetSignatureAction, UpdateProfileAction } from '../plan/plan-model.js';
import type { DirectoryPort } from '../ports/directory.js';
import type { PhotoFetcher } from '../ports/photo-fetcher.js';
import type { PhotosPort } from '../ports/photos.js';
import type { SignaturesPort } from '../ports/signatures.js';
import { failureOf, type ActionOutcome } from './action-outcome.js';
import { failedAll, type ApplyExecution } from './apply-execution.js';
import { actionRef } from './apply-result.js';
import { checkPhotos, writePhoto } from './photo-writes.js';
import { applyProfileChunk } from './profile-writes.js';
import { checkSignatures, writeSignature } from './signature-writes.js';
import { chunkStream, runPool } from './worker-pool.js';
import { landedPhoto, landedSignature, type WriteIntents } from './write-intents.js';

/** Roster's own check that no other run wrote an action's aspect since its plan (`checkAppliedMarks`). */
export type MarkCheck = <A extends SetPhotoAction | SetSignatureAction>(
  actions: readonly A[],
) => Promise<Map<string, ActionOutcome>>;

/** Profile and photo actions whose stale checks are batched together (Graph `$batch` holds 20). */
export const CHECK_CHUNK = 20;

/** Profiles: chunks of 20, each one `$batch` of fresh reads and one `$batch` of PATCHes. */
export async function runProfiles(
  execution: ApplyExecution,
  actions: AsyncIterable<UpdateProfileAction>,
  directory: DirectoryPort,
  width: number,
  now: () => Date,
): Promise<void> {
  const left = await runPool(chunkStream(actions, CHECK_CHUNK), width, execution.signal, async (chunk) => {
    const refused = await execution.refuseSecrets(chunk);
    const part = chunk.filter((a) => !refused.has(a.key));
    if (part.length === 0) return;
    let outcomes: Map<string, ActionOutcome>;
    try {
      outcomes = await applyProfileChunk(part, directory, now);
    } catch (error) {
      outcomes = failedAll(part, error);
    }
    for (const a of part) await execution.record(a, outcomes.get(a.key)!);
  });
  execution.notStarted.push(...left.flat().map(actionRef));
}

/** Photos: chunks of 20 checked with one `$batch` of metadata reads, then downloaded and uploaded. */
export async function runPhotos(
  execution: ApplyExecution,
  actions: AsyncIterable<SetPhotoAction>,
  deps: { photos: PhotosPort; photoFetcher: PhotoFetcher },
  width: number,
  now: () => Date,
  checkMarks: MarkCheck,
  intents: WriteIntents,
): Promise<void> {
  for await (const chunk of chunkStream(actions, CHECK_CHUNK)) {
    if (execution.signal.aborted) {
      execution.notStarted.push(...chunk.map(actionRef));
      continue;
    }
    const refused = await execution.refuseSecrets(chunk);
    const part = chunk.filter((a) => !refused.has(a.key));
    let blocked: Map<string, ActionOutcome>;
    try {
      blocked = await checkMarks(part);
      const unmarked = part.filter((a) => !blocked.has(a.key));
      for (const [key, outcome] of await checkPhotos(unmarked, deps.photos)) blocked.set(key, outcome);
    } catch (error) {
      blocked = failedAll(part, error);
    }
    for (const [key, outcome] of blocked)
      await execution.record(
        part.find((a) => a.key === key)!,
        outcome,
      );
    const clear = part.filter((a) => !blocked.has(a.key));
    const left = await runPool(clear, width, execution.signal, (a) =>
      execution.attempt(a, async () => {
        const intent = await intents.undecided(a);
        const landed = intent ? await landedPhoto(a, intent, deps, now) : undefined;
        if (landed) return landed;
        await intents.announce(a);
        return writePhoto(a, deps, now);
      }),
    );
    execution.notStarted.push(...left.map(actionRef));
  }
}

/**
 * Signatures: Exchange has no batch, so a signature's stale check is one read whichever way it is
 * grouped: each is checked right before its write, and no chunk boundary leaves Exchange idle.
 */
export async function runSignatures(
  execution: ApplyExecution,
  actions: AsyncIterable<SetSignatureAction>,
  signatures: SignaturesPort,
  width: number,
  now: () => Date,
  checkMarks: MarkCheck,
  intents: WriteIntents,
): Promise<void> {
  const left = await runPool(actions, width, execution.signal, async (a) => {
    if ((await execution.refuseSecrets([a])).size > 0) return;
    let blocked: ActionOutcome | undefined;
    try {
      blocked = (await checkMarks([a])).get(a.key) ?? (await checkSignatures([a], signatures)).get(a.key);
    } catch (error) {
      blocked = { status: 'failed', before: null, after: null, failure: failureOf(error) };
    }
    if (blocked) await execution.record(a, blocked);
    else
      await execution.attempt(a, async () => {
        const intent = await intents.undecided(a);
        const landed = intent ? await landedSignature(a, intent, signatures, now) : undefined;
        if (landed) return landed;
        await intents.announce(a);
        return writeSignature(a, signatures, now);
      });
  });
  execution.notStarted.push(...left.map(actionRef));
}
