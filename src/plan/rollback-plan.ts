import type { GuardrailSettings, ManagedField } from '../config/settings.js';
import type { ObservedUser } from '../observe/model.js';
import { sameFieldValue } from './field-values.js';
import { evaluateGuardrails } from './guardrails.js';
import { PlanFileError } from './plan-file.js';
import {
  PLAN_FORMAT_VERSION,
  type FieldChange,
  type Plan,
  type PlanWarning,
  type UpdateProfileAction,
} from './plan-model.js';
import type { JournalRecord, RunDetail } from '../ports/state-store.js';

type FieldValues = Partial<Record<ManagedField, string | string[] | null>>;

/** What a rollback plan is checked against, like any other plan. */
export interface RollbackOptions {
  /** The tenant configured now: a run of another tenant is refused. */
  tenantId: string;
  /** The configuration revision now (apply checks the plan against it). */
  configRevision: string;
  guardrails: GuardrailSettings;
  /** Users in scope, for the max-changes percentage (default: `observedUsers.length`). */
  managedUsers?: number;
}

function asValues(value: unknown): FieldValues {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as FieldValues) : {};
}

/** Per action key: the earliest journaled before-values and the latest after-values of each field. */
function appliedProfiles(
  journal: JournalRecord[],
): Map<string, { row: JournalRecord; before: FieldValues; after: FieldValues }> {
  const byKey = new Map<string, { row: JournalRecord; before: FieldValues; after: FieldValues }>();
  for (const row of journal) {
    if (row.aspect !== 'profile' || row.status !== 'applied' || !row.userId) continue;
    const entry = byKey.get(row.actionKey) ?? { row, before: {}, after: {} };
    entry.before = { ...asValues(row.before), ...entry.before };
    entry.after = { ...entry.after, ...asValues(row.after) };
    byKey.set(row.actionKey, entry);
  }
  return byKey;
}

/**
 * A plan that undoes a run's profile writes: each field goes back to its journaled before-value,
 * expecting the journaled after-value, so apply's stale check refuses to overwrite a field changed
 * since. Fields already back at their old value are left out; fields changed by someone else since
 * the run are left out with a warning. Photos and signatures are not rolled back (the service keeps
 * no earlier copy to restore): the plan warns about them. Pure.
 */
export function rollbackPlan(run: RunDetail, observedUsers: ObservedUser[], options: RollbackOptions): Plan {
  if (run.tenantId !== options.tenantId) {
    throw new PlanFileError(
      `run ${run.id} belongs to tenant ${run.tenantId}, not the configured tenant ${options.tenantId}`,
    );
  }
  const users = new Map(observedUsers.map((u) => [u.id, u]));
  const actions: UpdateProfileAction[] = [];
  const warnings: PlanWarning[] = [];
  for (const [key, { row, before, after }] of appliedProfiles(run.journal)) {
    const employee = row.employeeEmail ?? row.userId!;
    const user = users.get(row.userId!);
    if (!user) {
      warnings.push({
        kind: 'rollback',
        employee,
        message: `user ${row.userId} no longer exists or is out of scope; not rolled back`,
      });
      continue;
    }
    const changes: FieldChange[] = [];
    const drifted: string[] = [];
    for (const field of Object.keys(after).sort() as ManagedField[]) {
      const current = user.fields[field] ?? null;
      const old = before[field] ?? null;
      const set = after[field] ?? null;
      if (sameFieldValue(current, old)) continue;
      if (!sameFieldValue(current, set)) drifted.push(field);
      else changes.push({ field, before: set, after: old });
    }
    if (drifted.length > 0) {
      warnings.push({
        kind: 'rollback',
        employee,
        message: `${drifted.join(', ')} changed since run ${run.id}; left as they are`,
      });
    }
    if (changes.length === 0) continue;
    if (user.onPremisesSyncEnabled) {
      warnings.push({
        kind: 'synced-user',
        employee,
        message: `${user.userPrincipalName} is synced from on-premises AD; not rolled back`,
      });
      continue;
    }
    actions.push({
      kind: 'update-profile',
      key,
      employee,
      userId: user.id,
      userPrincipalName: user.userPrincipalName,
      reason: `roll back run ${run.id}: restore ${changes.length} field${changes.length === 1 ? '' : 's'}`,
      changes,
    });
  }
  const untouched = run.journal.filter((r) => r.status === 'applied' && r.aspect !== 'profile');
  if (untouched.length > 0) {
    const photos = untouched.filter((r) => r.aspect === 'photo').length;
    warnings.push({
      kind: 'rollback',
      message: `photos and signatures are not rolled back: run ${run.id} set ${photos} photo(s) and ${untouched.length - photos} signature(s); the tenant keeps no earlier copy to restore`,
    });
  }
  actions.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const sourceCount = run.sourceCount ?? 0;
  const guardrails = evaluateGuardrails({
    changedUsers: new Set(actions.map((a) => a.userId)).size,
    signatureActions: false,
    managedUsers: options.managedUsers ?? observedUsers.length,
    sourceCount,
    previousSourceCount: undefined,
    roamingSignaturesPostponed: undefined,
    whenRoamingEnabled: 'warn',
    settings: options.guardrails,
    signaturesEnabled: false,
  });
  for (const g of guardrails) if (g.tripped) warnings.push({ kind: 'guardrail', message: g.message });
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    tenantId: run.tenantId,
    configRevision: options.configRevision,
    sourceCount,
    deepChecked: { photos: false, signatures: false },
    actions,
    warnings,
    guardrails,
    summary: {
      employees: new Set(run.journal.map((r) => r.actionKey.slice(0, r.actionKey.lastIndexOf('#')))).size,
      matched: actions.length,
      inSync: 0,
      updateProfile: actions.length,
      setPhoto: 0,
      setSignature: 0,
      warnings: warnings.length,
    },
  };
}
