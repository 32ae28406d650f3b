import { desiredSignatureHash, flagsOf, observedSignatureFingerprint } from '../plan/fingerprints.js';
import type { SetPhotoAction, SetSignatureAction } from '../plan/plan-model.js';
import type { PhotoFetcher } from '../ports/photo-fetcher.js';
import type { PhotosPort } from '../ports/photos.js';
import type { SignaturesPort } from '../ports/signatures.js';
import type { StateStore, WriteIntent } from '../ports/state-store.js';
import type { ActionOutcome } from './action-outcome.js';

type WriteAction = SetPhotoAction | SetSignatureAction;

const ASPECT = { 'set-photo': 'photo', 'set-signature': 'signature' } as const;

/**
 * Photo and signature writes are announced before they are made (`StateStore.recordIntent`), so a
 * killed apply leaves behind exactly the writes it may or may not have made. Before writing one of
 * those again, the next apply reads the tenant: a write that landed is journaled as applied without
 * being repeated. So a kill costs at most one repeated write per action, and only when the tenant
 * does not show a write that did land (it may show it late: docs/microsoft-365.md#unpublished-propagation).
 */
export interface WriteIntents {
  /** An earlier run's undecided write of this action's user and aspect, if any. */
  undecided(action: WriteAction): Promise<WriteIntent | undefined>;
  announce(action: WriteAction): Promise<void>;
}

export function writeIntents(store: StateStore, tenantId: string, runId: string): WriteIntents {
  return {
    async undecided(action) {
      const intents = await store.getIntents(tenantId, ASPECT[action.kind], [action.userId]);
      const intent = intents.get(action.userId);
      return intent && intent.runId !== runId ? intent : undefined;
    },
    announce: (action) =>
      store.recordIntent(tenantId, {
        runId,
        userId: action.userId,
        aspect: ASPECT[action.kind],
        actionKey: action.key,
        employeeEmail: action.employee,
        ...beforeOf(action),
      }),
  };
}

function beforeOf(action: WriteAction): { beforeWrite?: string | null } {
  const before = action.kind === 'set-photo' ? action.expectedEtag : action.expectedFingerprint;
  return before === undefined ? {} : { beforeWrite: before };
}

/**
 * The outcome of a signature an interrupted run may have set: applied (without a new write) when
 * the mailbox holds exactly what the action would write, or no longer what the plan saw before the
 * write (Exchange may rewrite the HTML it was given: docs/microsoft-365.md#exo-signature-html);
 * undefined (write it) otherwise.
 */
export async function landedSignature(
  action: SetSignatureAction,
  intent: WriteIntent,
  signatures: SignaturesPort,
  now: () => Date,
): Promise<ActionOutcome | undefined> {
  const [read] = await signatures.getMessageConfigs([action.userPrincipalName]);
  if (!read?.ok) return undefined;
  const current = read.value;
  const fingerprint = observedSignatureFingerprint(current);
  const exact = desiredSignatureHash(current.html, current.text, flagsOf(current)) === action.desiredHash;
  const changed = intent.beforeWrite !== undefined && fingerprint !== intent.beforeWrite;
  if (!exact && !changed) return undefined;
  return {
    status: 'applied',
    before: { fingerprint: 'written by an interrupted run' },
    after: { template: action.template, desiredHash: action.desiredHash, verified: 'already in the mailbox' },
    lastApplied: {
      userId: action.userId,
      aspect: 'signature',
      desiredHash: action.desiredHash,
      observedFingerprint: fingerprint,
      appliedAt: now().toISOString(),
    },
  };
}

/**
 * The outcome of a photo an interrupted run may have uploaded: applied (without a new upload) when
 * the tenant's photo is no longer the one the plan saw before the write; undefined (upload it)
 * otherwise, or when the plan did not see it. The source is downloaded again (no Microsoft call)
 * for the hash the next plan compares with.
 */
export async function landedPhoto(
  action: SetPhotoAction,
  intent: WriteIntent,
  deps: { photos: PhotosPort; photoFetcher: PhotoFetcher },
  now: () => Date,
): Promise<ActionOutcome | undefined> {
  if (intent.beforeWrite === undefined) return undefined;
  const [meta] = await deps.photos.getPhotoMeta([action.userId]);
  if (!meta?.ok || meta.value === null || meta.value.etag === null) return undefined;
  if (meta.value.etag === intent.beforeWrite) return undefined;
  const fetched = await deps.photoFetcher.fetch(action.sourceUrl);
  if (!fetched.ok) return undefined;
  return {
    status: 'applied',
    before: { etag: intent.beforeWrite },
    after: { sourceUrl: action.sourceUrl, sha256: fetched.sha256, verified: 'already in the tenant' },
    lastApplied: {
      userId: action.userId,
      aspect: 'photo',
      desiredHash: fetched.sha256,
      observedFingerprint: meta.value.etag,
      appliedAt: now().toISOString(),
      value: { sourceUrl: action.sourceUrl },
    },
  };
}
