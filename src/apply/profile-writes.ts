import type { ManagedField } from '../config/settings.js';
import type { ObservedUser } from '../observe/model.js';
import { contentHash } from '../plan/fingerprints.js';
import { sameFieldValue, type FieldValue } from '../plan/field-values.js';
import type { FieldChange, UpdateProfileAction } from '../plan/plan-model.js';
import type { DirectoryPort, UserPatch } from '../ports/directory.js';
import { failureOf, shown, type ActionOutcome } from './action-outcome.js';

function valuesOf(
  changes: FieldChange[],
  side: 'before' | 'after',
): Partial<Record<ManagedField, FieldValue>> {
  return Object.fromEntries(changes.map((c) => [c.field, c[side]]));
}

/** Why the user no longer matches what the plan expected, or undefined when it still does. */
export function profileStaleness(
  action: UpdateProfileAction,
  current: ObservedUser | null,
): string | undefined {
  if (current === null) return `user ${action.userPrincipalName} no longer exists`;
  const drifted = action.changes.filter((c) => !sameFieldValue(current.fields[c.field] ?? null, c.before));
  if (drifted.length === 0) return undefined;
  return drifted
    .map((c) => `${c.field}: expected ${shown(c.before)}, found ${shown(current.fields[c.field] ?? null)}`)
    .join('; ');
}

/**
 * Applies up to 20 profile actions: one `$batch` of fresh reads for the stale check, then one
 * `$batch` of PATCHes carrying only the changed fields (null clears). Per-item results: one
 * user's failure is that user's alone.
 */
export async function applyProfileChunk(
  actions: UpdateProfileAction[],
  directory: DirectoryPort,
  now: () => Date,
): Promise<Map<string, ActionOutcome>> {
  const outcomes = new Map<string, ActionOutcome>();
  const sides = (a: UpdateProfileAction) => ({
    before: valuesOf(a.changes, 'before'),
    after: valuesOf(a.changes, 'after'),
  });
  let fresh;
  try {
    fresh = await directory.getUsers(actions.map((a) => a.userId));
  } catch (error) {
    for (const a of actions)
      outcomes.set(a.key, { status: 'failed', ...sides(a), failure: failureOf(error) });
    return outcomes;
  }
  const writable: UpdateProfileAction[] = [];
  actions.forEach((a, i) => {
    const read = fresh[i];
    if (!read) {
      outcomes.set(a.key, {
        status: 'failed',
        ...sides(a),
        failure: { message: 'internal error: no read result' },
      });
    } else if (!read.ok) {
      outcomes.set(a.key, { status: 'failed', ...sides(a), failure: failureOf(read.error) });
    } else {
      const stale = profileStaleness(a, read.value);
      if (stale) outcomes.set(a.key, { status: 'skipped-stale', ...sides(a), message: stale });
      else writable.push(a);
    }
  });
  if (writable.length === 0) return outcomes;
  const patches: UserPatch[] = writable.map((a) => ({
    userId: a.userId,
    body: valuesOf(a.changes, 'after'),
  }));
  let results;
  try {
    results = await directory.patchUsers(patches);
  } catch (error) {
    for (const a of writable)
      outcomes.set(a.key, { status: 'failed', ...sides(a), failure: failureOf(error) });
    return outcomes;
  }
  writable.forEach((a, i) => {
    const result = results[i];
    const { before, after } = sides(a);
    if (!result || !result.ok) {
      const failure = result ? failureOf(result.error) : { message: 'internal error: no write result' };
      outcomes.set(a.key, { status: 'failed', before, after, failure });
      return;
    }
    outcomes.set(a.key, {
      status: 'applied',
      before,
      after,
      lastApplied: {
        userId: a.userId,
        aspect: 'profile',
        desiredHash: contentHash(JSON.stringify(after)),
        observedFingerprint: null,
        appliedAt: now().toISOString(),
        value: after,
      },
    });
  });
  return outcomes;
}
