import type { GuardrailSettings, ManagedField } from '../config/settings.js';
import type { DesiredEmployee, DesiredSignature, DesiredState } from '../desired/model.js';
import type { SignatureText } from '../desired/signature-renderer.js';
import type { AppliedDigests } from '../compact/applied-digests.js';
import type { ObservedState, ObservedUser } from '../observe/model.js';
import { desiredSignatureHash, flagsOf, observedSignatureFingerprint, sameFlags } from './fingerprints.js';
import { evaluateGuardrails } from './guardrails.js';
import { lastAppliedKey } from '../ports/state-store.js';
import { indexUsers, matchEmployees, type MatchResult } from './match-employees.js';
import {
  PLAN_FORMAT_VERSION,
  type FieldChange,
  type Plan,
  type PlanAction,
  type PlanHead,
  type PlanWarning,
  type SetPhotoAction,
  type SetSignatureAction,
} from './plan-model.js';

export interface PlanOptions {
  tenantId: string;
  configRevision: string;
  scopeDomains: string[];
  photos: boolean;
  signatures: boolean;
  /** Restrict the plan to these employees (emails, case-insensitive). */
  only?: string[];
  /** sha256 of the source photo bytes per URL, when the sources were fetched this run. */
  sourcePhotoHashes?: ReadonlyMap<string, string>;
  guardrails: GuardrailSettings;
  /** Active employees at the last successful run (source-shrink guardrail). */
  previousSourceCount?: number;
  whenRoamingEnabled: 'refuse' | 'warn';
  /**
   * Renders a desired signature's html and text for the action that writes it (a
   * `SignatureRenderer`'s `renderDesired`): called once per signature action, never for a
   * signature that is in sync.
   */
  renderSignature: (signature: DesiredSignature) => SignatureText;
}

/** What Roster last applied, by `lastAppliedKey(userId, aspect)`: the store's digests or a `Map`. */
export type LastAppliedIndex = Pick<AppliedDigests, 'get' | 'has'>;

function sameValue(
  a: string | string[] | null | undefined,
  b: string | string[] | null | undefined,
): boolean {
  const norm = (v: typeof a) => (Array.isArray(v) ? (v.length ? v.join('\u0000') : null) : (v ?? null));
  return norm(a) === norm(b);
}

function profileChanges(employee: DesiredEmployee, user: ObservedUser): FieldChange[] {
  const changes: FieldChange[] = [];
  const fields = Object.keys(employee.fields).sort() as ManagedField[];
  for (const field of fields) {
    const after = employee.fields[field];
    if (after === undefined) continue;
    const before = user.fields[field] ?? null;
    if (!sameValue(before, after)) changes.push({ field, before, after });
  }
  return changes;
}

/** Who an action is for: its stable key (`<employee>#<aspect>`), the employee and the matched user. */
function actionTarget(
  employee: DesiredEmployee,
  user: ObservedUser,
  aspect: 'profile' | 'photo' | 'signature',
) {
  return {
    key: `${employee.key}#${aspect}`,
    employee: employee.email,
    userId: user.id,
    userPrincipalName: user.userPrincipalName,
  };
}

function planPhoto(
  employee: DesiredEmployee,
  user: ObservedUser,
  observed: ObservedState,
  lastApplied: LastAppliedIndex,
  options: PlanOptions,
): SetPhotoAction | undefined {
  const url = employee.photoUrl;
  if (!options.photos || !url) return undefined;
  const record = lastApplied.get(lastAppliedKey(user.id, 'photo'));
  const checked = observed.photos.has(user.id);
  const current = observed.photos.get(user.id);
  const base = {
    kind: 'set-photo' as const,
    ...actionTarget(employee, user, 'photo'),
    sourceUrl: url,
    ...(checked ? { expectedEtag: current?.etag ?? null } : {}),
  };
  const action = (photoReason: SetPhotoAction['photoReason'], reason: string): SetPhotoAction => ({
    ...base,
    photoReason,
    reason,
  });
  if (!record) {
    if (checked && current === null) return action('no-photo', 'the user has no photo');
    return action('not-set-by-roster', 'Roster has not set this photo yet');
  }
  const appliedUrl = record.sourceUrl;
  if (appliedUrl !== undefined && appliedUrl !== url) {
    return action('source-changed', `photo URL changed (was ${appliedUrl})`);
  }
  const sourceHash = options.sourcePhotoHashes?.get(url);
  if (sourceHash !== undefined && sourceHash !== record.desiredHash) {
    return action('source-changed', 'the source image changed since it was uploaded');
  }
  if (checked && current === null) return action('no-photo', 'the photo Roster set was removed');
  if (
    checked &&
    current &&
    record.observedFingerprint !== null &&
    current.etag !== record.observedFingerprint
  ) {
    return action('changed-out-of-band', 'the tenant photo was changed by someone else since Roster set it');
  }
  return undefined;
}

function profileReason(count: number): string {
  return `${count} field${count === 1 ? '' : 's'} differ from the HR source`;
}

function planSignature(
  employee: DesiredEmployee,
  user: ObservedUser,
  observed: ObservedState,
  lastApplied: LastAppliedIndex,
  options: PlanOptions,
): SetSignatureAction | undefined {
  const desired = employee.signature;
  if (!options.signatures || !desired) return undefined;
  const { flags, hash: desiredHash } = desired;
  const record = lastApplied.get(lastAppliedKey(user.id, 'signature'));
  const current = observed.signatures.get(user.id);
  const fingerprint = current ? observedSignatureFingerprint(current) : undefined;
  const action = (
    signatureReason: SetSignatureAction['signatureReason'],
    reason: string,
  ): SetSignatureAction => {
    const { html, text } = options.renderSignature(desired);
    return {
      kind: 'set-signature',
      ...actionTarget(employee, user, 'signature'),
      reason,
      signatureReason,
      template: desired.template,
      html,
      text,
      flags,
      desiredHash,
      ...(fingerprint !== undefined ? { expectedFingerprint: fingerprint } : {}),
      ...(current ? { currentText: current.text, currentHtml: current.html } : {}),
    };
  };
  if (!record) {
    // Already what Roster would write (compared by hash: the desired html is not rendered).
    if (current && desiredSignatureHash(current.html, current.text, flagsOf(current)) === desiredHash) {
      return undefined;
    }
    return action('never-applied', 'Roster has not set this signature yet');
  }
  if (record.desiredHash !== desiredHash) {
    return action('content-changed', `the rendered signature (${desired.template}) changed`);
  }
  if (current && fingerprint !== record.observedFingerprint) {
    if (!sameFlags(flagsOf(current), flags))
      return action('flags-differ', 'signature settings were changed in the tenant');
    return action('changed-out-of-band', 'the signature was changed by someone else since Roster set it');
  }
  return undefined;
}

/**
 * The planner: pure, synchronous, deterministic. (desired, observed, last-applied) → plan.
 * Observed photos and signatures are three-way compared with what Roster last wrote and then
 * saw, so a service that re-encodes or rewrites never causes a perpetual diff.
 */
export function planChanges(
  desired: DesiredState,
  observed: ObservedState,
  lastApplied: LastAppliedIndex,
  options: PlanOptions,
): Plan {
  const actions: PlanAction[] = [];
  const planner = planStream(desired, observed, lastApplied, options);
  for (;;) {
    const next = planner.next();
    if (next.done) return { ...next.value, actions };
    actions.push(next.value);
  }
}

/**
 * The planner as a generator: yields the actions in plan order (by employee key, then profile,
 * photo, signature) as it finds them and returns the rest of the plan, so a large plan can be
 * written out without ever being whole in memory. `planChanges` collects it.
 */
export function* planStream(
  desired: DesiredState,
  observed: ObservedState,
  lastApplied: LastAppliedIndex,
  options: PlanOptions,
  /**
   * `matchEmployees` of the wanted employees (those `options.only` names, or all) and the observed
   * users, when the caller has already made it: made here otherwise.
   */
  matched?: MatchResult,
): Generator<PlanAction, PlanHead, undefined> {
  const only = options.only ? new Set(options.only.map((e) => e.toLowerCase())) : undefined;
  const wanted = (email: string) => !only || only.has(email.toLowerCase());
  const employees = only ? desired.employees.filter((e) => wanted(e.email)) : desired.employees;
  // Sorted by employee key: the actions come out in plan order without being collected.
  const { matches, warnings: matchWarnings } =
    matched ?? matchEmployees(employees, indexUsers(observed.users), options.scopeDomains);
  const warnings: PlanWarning[] = [
    ...desired.issues
      .filter((i) => !i.employee || wanted(i.employee))
      .map((i) => ({
        kind: 'employee-error' as const,
        ...(i.employee ? { employee: i.employee } : {}),
        message: i.message,
      })),
    ...matchWarnings,
    ...observed.warnings.map((message) => ({ kind: 'observation' as const, message })),
  ];
  const counts = { 'update-profile': 0, 'set-photo': 0, 'set-signature': 0 };
  let inSync = 0;
  let changedUsers = 0;
  for (const { employee, user } of matches) {
    const found: PlanAction[] = [];
    const changes = profileChanges(employee, user);
    if (changes.length > 0 && user.onPremisesSyncEnabled) {
      warnings.push({
        kind: 'synced-user',
        employee: employee.email,
        message: `${user.userPrincipalName} is synced from on-premises AD: ${changes
          .map((c) => c.field)
          .join(', ')} must be changed there, not by Roster`,
      });
    } else if (changes.length > 0) {
      found.push({
        kind: 'update-profile',
        ...actionTarget(employee, user, 'profile'),
        reason: profileReason(changes.length),
        changes,
      });
    }
    const photo = planPhoto(employee, user, observed, lastApplied, options);
    if (photo) found.push(photo);
    const signature = planSignature(employee, user, observed, lastApplied, options);
    if (signature) found.push(signature);
    if (found.length === 0) inSync++;
    else changedUsers++;
    for (const action of found) {
      counts[action.kind]++;
      yield action;
    }
  }
  const guardrails = evaluateGuardrails({
    changedUsers,
    signatureActions: counts['set-signature'] > 0,
    managedUsers: matches.length,
    sourceCount: desired.sourceCount,
    previousSourceCount: options.previousSourceCount,
    roamingSignaturesPostponed: observed.roamingSignaturesPostponed,
    whenRoamingEnabled: options.whenRoamingEnabled,
    settings: options.guardrails,
    signaturesEnabled: options.signatures,
  });
  for (const g of guardrails) {
    if (g.tripped) warnings.push({ kind: 'guardrail', message: g.message });
  }
  if (options.signatures && observed.roamingSignaturesPostponed === false) {
    warnings.push({
      kind: 'roaming-signatures',
      message:
        'roaming signatures are enabled (PostponeRoamingSignaturesUntilLater is false): signatures set by Roster will not show in Outlook; an admin can run Set-OrganizationConfig -PostponeRoamingSignaturesUntilLater $true',
    });
  }
  warnings.sort((a, b) =>
    a.kind !== b.kind
      ? a.kind < b.kind
        ? -1
        : 1
      : (a.employee ?? '') < (b.employee ?? '')
        ? -1
        : (a.employee ?? '') > (b.employee ?? '')
          ? 1
          : 0,
  );
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    tenantId: options.tenantId,
    configRevision: options.configRevision,
    sourceCount: desired.sourceCount,
    deepChecked: observed.deepChecked,
    warnings,
    guardrails,
    summary: {
      employees: employees.length,
      matched: matches.length,
      inSync,
      updateProfile: counts['update-profile'],
      setPhoto: counts['set-photo'],
      setSignature: counts['set-signature'],
      warnings: warnings.length,
    },
  };
}
