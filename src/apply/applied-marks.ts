import type { SetPhotoAction, SetSignatureAction } from '../plan/plan-model.js';
import { lastAppliedKey, type StateStore } from '../ports/state-store.js';
import { failureOf, type ActionOutcome } from './action-outcome.js';

type MarkedAction = SetPhotoAction | SetSignatureAction;

const ASPECT = { 'set-photo': 'photo', 'set-signature': 'signature' } as const;

/**
 * Roster's own record of the actions' users, checked against the one their plan saw
 * (`lastAppliedAt`): another run that wrote the photo or signature since (the same plan applied
 * again, or a second apply that waited for the apply lock) makes the action stale. This costs no
 * call to Microsoft, so it also covers the actions planned without reading the tenant. Actions of
 * plans older than format 1.2 carry no mark and are not checked here.
 */
export async function checkAppliedMarks<A extends MarkedAction>(
  actions: readonly A[],
  store: Pick<StateStore, 'getAppliedDigests'>,
  tenantId: string,
): Promise<Map<string, ActionOutcome>> {
  const blocked = new Map<string, ActionOutcome>();
  const marked = actions.filter((a) => a.lastAppliedAt !== undefined);
  if (marked.length === 0) return blocked;
  const aspects = [...new Set(marked.map((a) => ASPECT[a.kind]))];
  let digests;
  try {
    digests = await store.getAppliedDigests(tenantId, aspects, [...new Set(marked.map((a) => a.userId))]);
  } catch (error) {
    for (const a of marked) {
      blocked.set(a.key, { status: 'failed', before: null, after: null, failure: failureOf(error) });
    }
    return blocked;
  }
  for (const a of marked) {
    const now = digests.get(lastAppliedKey(a.userId, ASPECT[a.kind]))?.appliedAt ?? null;
    if (now === a.lastAppliedAt) continue;
    blocked.set(a.key, {
      status: 'skipped-stale',
      before: { lastAppliedAt: a.lastAppliedAt },
      after: null,
      message: `${ASPECT[a.kind]}: Roster wrote it at ${now} (another apply) after the plan was made`,
    });
  }
  return blocked;
}
