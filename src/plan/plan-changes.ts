import type { GuardrailSettings, ManagedField } from '../config/settings.js';
import type { DesiredEmployee, DesiredSignature, DesiredState, EmployeeIssue } from '../desired/model.js';
import type { SignatureText } from '../desired/signature-renderer.js';
import type {
  AppliedDigest,
  ObservedPhoto,
  ObservedSignature,
  ObservedState,
  ObservedUser,
} from '../observe/model.js';
import type { FingerprintAdoption } from '../ports/state-store.js';
import { desiredSignatureHash, flagsOf, observedSignatureFingerprint, sameFlags } from './fingerprints.js';
import { countSwitches } from './reviewed-audiences.js';
import { evaluateGuardrails } from './guardrails.js';
import { lastAppliedKey } from './last-applied-key.js';
import { indexUsers, matchEmployees, type Match } from './match-employees.js';
import {
  PLAN_FORMAT_VERSION,
  type ActionKind,
  type FieldChange,
  type Plan,
  type PlanAction,
  type PlanHead,
  type PlanWarning,
  type SetPhotoAction,
  type PlanCampaigns,
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
  /** Why the tenant refuses photo uploads (its photo update settings), when it does: no photo is planned. */
  photoUpdatesBlocked?: string;
  /**
   * Renders a desired signature's html and text for the action that writes it (a
   * `SignatureRenderer`'s `renderDesired`): called once per signature action, never for a
   * signature that is in sync.
   */
  renderSignature: (signature: DesiredSignature) => SignatureText;
  /**
   * The campaign whose banner alone makes a changed signature differ from the last-applied one
   * (`createCampaignSwitchCheck`); absent: no campaigns, every change is an ordinary one.
   */
  campaignSwitch?: (signature: DesiredSignature, appliedHash: string) => string | undefined;
  /**
   * Given for a run nobody reviews before it applies (the controller's): each campaign's switches
   * are exempt from maxChanges only up to these (`reviewedBounds`). Absent, this plan is the one a
   * person reviews, and its switches are exempt.
   */
  reviewedAudiences?: Readonly<Record<string, number>>;
}

/** What Roster last applied, by `lastAppliedKey(userId, aspect)`. */
export type LastAppliedIndex = Pick<ReadonlyMap<string, AppliedDigest>, 'get' | 'has'>;

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

/** When Roster last wrote the aspect, for the apply's check that no run wrote it since. */
function appliedMark(record: AppliedDigest | undefined): { lastAppliedAt?: string | null } {
  if (!record) return { lastAppliedAt: null };
  return record.appliedAt !== undefined ? { lastAppliedAt: record.appliedAt } : {};
}

/** A deep check's verdict on a write Roster has not seen yet (its fingerprint is null). */
type Unconfirmed = 'propagating' | { adopt: string };

/**
 * A photo Roster uploaded without reading it back, as a deep check sees it: still the photo from
 * before the write (or still none), so the upload has not propagated yet; or another one, which
 * is the service's copy of the upload. Without a known before-state, no photo is read as "not yet".
 */
function unconfirmedPhoto(record: AppliedDigest, current: ObservedPhoto | null): Unconfirmed | 'removed' {
  if (current === null) {
    return record.beforeWrite === undefined || record.beforeWrite === null ? 'propagating' : 'removed';
  }
  // A photo without an etag gives nothing to compare with later: nothing to adopt.
  if (current.etag === null || current.etag === record.beforeWrite) return 'propagating';
  return { adopt: current.etag };
}

function planPhoto(
  employee: DesiredEmployee,
  user: ObservedUser,
  observed: Readback,
  lastApplied: LastAppliedIndex,
  options: PlanOptions,
  adoptions: FingerprintAdoption[],
): SetPhotoAction | undefined {
  const url = employee.photoUrl;
  // A tenant that refuses photo uploads gets one plan warning, not one failing action per user.
  if (!options.photos || !url || options.photoUpdatesBlocked !== undefined) return undefined;
  const record = lastApplied.get(lastAppliedKey(user.id, 'photo'));
  const checked = observed.photos.has(user.id);
  const current = observed.photos.get(user.id);
  const base = {
    kind: 'set-photo' as const,
    ...actionTarget(employee, user, 'photo'),
    sourceUrl: url,
    ...(checked ? { expectedEtag: current?.etag ?? null } : {}),
    ...appliedMark(record),
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
  if (checked && record.observedFingerprint === null) {
    const verdict = unconfirmedPhoto(record, current ?? null);
    if (verdict === 'removed') return action('no-photo', 'the photo Roster set was removed');
    if (verdict === 'propagating' && record.waited) {
      return action(
        current ? 'changed-out-of-band' : 'no-photo',
        'the photo Roster uploaded still did not show at this deep check (waited one): uploading it again',
      );
    }
    const fingerprint = verdict === 'propagating' ? null : verdict.adopt;
    adoptions.push({ userId: user.id, aspect: 'photo', desiredHash: record.desiredHash, fingerprint });
    return undefined;
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
  return `${count} field${count === 1 ? ' differs' : 's differ'} from the HR source`;
}

/**
 * A signature Roster set without reading it back, as a deep check sees it: exactly what Roster
 * wrote, or something other than what the mailbox held before the write (Exchange's rewrite of
 * it), is adopted; what the mailbox held before means the Set has not propagated yet.
 */
function unconfirmedSignature(
  record: AppliedDigest,
  current: ObservedSignature,
  fingerprint: string,
  desiredHash: string,
): Unconfirmed {
  if (desiredSignatureHash(current.html, current.text, flagsOf(current)) === desiredHash) {
    return { adopt: fingerprint };
  }
  return fingerprint === record.beforeWrite ? 'propagating' : { adopt: fingerprint };
}

function planSignature(
  employee: DesiredEmployee,
  user: ObservedUser,
  observed: Readback,
  lastApplied: LastAppliedIndex,
  options: PlanOptions,
  adoptions: FingerprintAdoption[],
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
      ...appliedMark(record),
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
    const campaign = options.campaignSwitch?.(desired, record.desiredHash);
    if (campaign !== undefined) {
      const on = desired.view.campaign?.id === campaign;
      return {
        ...action('campaign-switch', `campaign ${campaign}: the banner ${on ? 'comes on' : 'goes off'}`),
        campaign,
      };
    }
    return action('content-changed', `the rendered signature (${desired.template}) changed`);
  }
  if (current && fingerprint !== undefined && record.observedFingerprint === null) {
    const verdict = unconfirmedSignature(record, current, fingerprint, desiredHash);
    if (verdict === 'propagating' && record.waited) {
      return action(
        'changed-out-of-band',
        'the signature Roster set still did not show at this deep check (waited one): setting it again',
      );
    }
    const adopted = verdict === 'propagating' ? null : verdict.adopt;
    adoptions.push({ userId: user.id, aspect: 'signature', desiredHash, fingerprint: adopted });
    return undefined;
  }
  if (current && fingerprint !== record.observedFingerprint) {
    if (!sameFlags(flagsOf(current), flags))
      return action('flags-differ', 'signature settings were changed in the tenant');
    return action('changed-out-of-band', 'the signature was changed by someone else since Roster set it');
  }
  return undefined;
}

/** The counts a plan adds up match by match; the head is made from them once every action is out. */
export interface PlanTally {
  /** Employees planned (matched or not). */
  employees: number;
  matched: number;
  inSync: number;
  /** Distinct users with at least one action (the max-changes guardrail counts users). */
  changedUsers: number;
  /** Of those, users whose one action is a campaign switch (see `PlanCampaigns.switchedUsers`). */
  switchedUsers: number;
  /** The same users by campaign. */
  switchedByCampaign: Record<string, number>;
  actions: Record<ActionKind, number>;
}

export function emptyTally(): PlanTally {
  return {
    employees: 0,
    matched: 0,
    inSync: 0,
    changedUsers: 0,
    switchedUsers: 0,
    switchedByCampaign: {},
    actions: { 'update-profile': 0, 'set-photo': 0, 'set-signature': 0 },
  };
}

/** Photos and signatures read back from the tenant this run, by user id (only for users checked). */
export type Readback = Pick<ObservedState, 'photos' | 'signatures'>;

/**
 * The actions for `matches` (in employee key order): in plan order, by employee, then profile,
 * photo, signature. Adds to `tally`; a synced user's profile differences come back as warnings.
 * Observed photos and signatures are three-way compared with what Roster last wrote and then saw,
 * so a service that re-encodes or rewrites never causes a perpetual diff.
 */
export function planMatches(
  matches: readonly Match[],
  readback: Readback,
  lastApplied: LastAppliedIndex,
  options: PlanOptions,
  tally: PlanTally,
): { actions: PlanAction[]; warnings: PlanWarning[]; adoptions: FingerprintAdoption[] } {
  const actions: PlanAction[] = [];
  const warnings: PlanWarning[] = [];
  const adoptions: FingerprintAdoption[] = [];
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
    const photo = planPhoto(employee, user, readback, lastApplied, options, adoptions);
    if (photo) found.push(photo);
    const signature = planSignature(employee, user, readback, lastApplied, options, adoptions);
    if (signature) found.push(signature);
    tally.matched++;
    if (found.length === 0) tally.inSync++;
    else tally.changedUsers++;
    const only = found.length === 1 ? found[0] : undefined;
    if (only?.kind === 'set-signature' && only.campaign !== undefined) {
      tally.switchedUsers++;
      tally.switchedByCampaign[only.campaign] = (tally.switchedByCampaign[only.campaign] ?? 0) + 1;
    }
    for (const action of found) tally.actions[action.kind]++;
    actions.push(...found);
  }
  return { actions, warnings, adoptions };
}

/** What the head of a plan is made of, once every action is out. */
export interface PlanHeadInput {
  /** Rows the source returned. */
  sourceCount: number;
  tally: PlanTally;
  /** Every warning the run found, in the order found (sorted here). */
  warnings: PlanWarning[];
  deepChecked: ObservedState['deepChecked'];
  roamingSignaturesPostponed: boolean | undefined;
  /** The run's campaign outlook (`planCampaigns`), when campaigns are configured. */
  campaigns?: Omit<PlanCampaigns, 'switchedUsers'>;
}

/** The rest of a plan: guardrails (they count the whole plan), warnings in order, the summary. */
export function planHead(input: PlanHeadInput, options: PlanOptions): PlanHead {
  const { tally } = input;
  const warnings = [...input.warnings];
  const switches = countSwitches(tally.switchedByCampaign, options.reviewedAudiences);
  const guardrails = evaluateGuardrails({
    changedUsers: tally.changedUsers,
    ...(input.campaigns ? { campaignSwitches: switches } : {}),
    signatureActions: tally.actions['set-signature'] > 0,
    managedUsers: tally.matched,
    sourceCount: input.sourceCount,
    previousSourceCount: options.previousSourceCount,
    roamingSignaturesPostponed: input.roamingSignaturesPostponed,
    whenRoamingEnabled: options.whenRoamingEnabled,
    settings: options.guardrails,
    signaturesEnabled: options.signatures,
  });
  for (const g of guardrails) {
    if (g.tripped) warnings.push({ kind: 'guardrail', message: g.message });
  }
  if (options.photos && options.photoUpdatesBlocked !== undefined) {
    warnings.push({ kind: 'photos-blocked', message: options.photoUpdatesBlocked });
  }
  if (options.signatures && input.roamingSignaturesPostponed === false) {
    warnings.push({
      kind: 'roaming-signatures',
      message:
        'roaming signatures are enabled (PostponeRoamingSignaturesUntilLater is false): signatures set by Roster will not show in Outlook; an admin can run Set-OrganizationConfig -PostponeRoamingSignaturesUntilLater $true',
    });
  }
  // Stable: warnings of one kind and employee keep the order they were found in.
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
    sourceCount: input.sourceCount,
    deepChecked: input.deepChecked,
    warnings,
    guardrails,
    summary: {
      employees: tally.employees,
      matched: tally.matched,
      inSync: tally.inSync,
      updateProfile: tally.actions['update-profile'],
      setPhoto: tally.actions['set-photo'],
      setSignature: tally.actions['set-signature'],
      warnings: warnings.length,
    },
    ...(input.campaigns
      ? {
          campaigns: {
            ...input.campaigns,
            switchedUsers: tally.switchedUsers,
            ...(switches.beyond.length > 0 ? { beyondReviewed: switches.beyond } : {}),
          },
        }
      : {}),
  };
}

/** A desired-state issue as a plan warning. */
export function issueWarning(issue: EmployeeIssue): PlanWarning {
  return {
    kind: 'employee-error',
    ...(issue.employee ? { employee: issue.employee } : {}),
    message: issue.message,
  };
}

/**
 * The planner over states held in memory: pure, synchronous, deterministic. (desired, observed,
 * last-applied) → plan. A run over a large source plans slice by slice with the same parts
 * (`matchEmployees`, `planMatches`, `planHead`; see `src/reconcile/make-plan.ts`).
 */
export function planChanges(
  desired: DesiredState,
  observed: ObservedState,
  lastApplied: LastAppliedIndex,
  planOptions: PlanOptions,
  /** Receives what the deep check saw of Roster's unconfirmed writes (see `planMatches`). */
  adoptions?: FingerprintAdoption[],
): Plan {
  const options: PlanOptions =
    observed.photoUpdatesBlocked !== undefined
      ? { ...planOptions, photoUpdatesBlocked: observed.photoUpdatesBlocked }
      : planOptions;
  const only = options.only ? new Set(options.only.map((e) => e.toLowerCase())) : undefined;
  const wanted = (email: string) => !only || only.has(email.toLowerCase());
  const employees = only ? desired.employees.filter((e) => wanted(e.email)) : desired.employees;
  const { matches, warnings: matchWarnings } = matchEmployees(
    employees,
    indexUsers(observed.users),
    options.scopeDomains,
  );
  const tally = emptyTally();
  tally.employees = employees.length;
  const planned = planMatches(matches, observed, lastApplied, options, tally);
  adoptions?.push(...planned.adoptions);
  const head = planHead(
    {
      sourceCount: desired.sourceCount,
      tally,
      warnings: [
        ...desired.issues.filter((i) => !i.employee || wanted(i.employee)).map(issueWarning),
        ...matchWarnings,
        ...observed.warnings.map((message) => ({ kind: 'observation' as const, message })),
        ...planned.warnings,
      ],
      deepChecked: observed.deepChecked,
      roamingSignaturesPostponed: observed.roamingSignaturesPostponed,
    },
    options,
  );
  return { ...head, actions: planned.actions };
}
