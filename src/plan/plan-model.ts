import type { ManagedField } from '../config/settings.js';
import type { SignatureFlags } from '../config/field-catalog.js';

export type { SignatureFlags } from '../config/field-catalog.js';

/** Major.minor. A reader refuses a plan of another major version. */
export const PLAN_FORMAT_VERSION = '1.3';

export interface FieldChange {
  field: ManagedField;
  before: string | string[] | null;
  after: string | string[] | null;
}

interface ActionBase {
  /** Stable id: `<employee email>#<aspect>`. */
  key: string;
  employee: string;
  userId: string;
  userPrincipalName: string;
  reason: string;
}

export interface UpdateProfileAction extends ActionBase {
  kind: 'update-profile';
  changes: FieldChange[];
}

export type PhotoReason = 'no-photo' | 'not-set-by-roster' | 'source-changed' | 'changed-out-of-band';

export interface SetPhotoAction extends ActionBase {
  kind: 'set-photo';
  photoReason: PhotoReason;
  sourceUrl: string;
  /** The tenant photo's etag the action expects (null = no photo; undefined = not checked this run). */
  expectedEtag?: string | null;
  /** See `SetSignatureAction.lastAppliedAt` (since format 1.2). */
  lastAppliedAt?: string | null;
}

export type SignatureReason =
  | 'never-applied'
  | 'content-changed'
  | 'changed-out-of-band'
  | 'flags-differ'
  /** Only a campaign's banner comes on or goes off (since format 1.3; see `SetSignatureAction.campaign`). */
  | 'campaign-switch';

export interface SetSignatureAction extends ActionBase {
  kind: 'set-signature';
  signatureReason: SignatureReason;
  template: string;
  html: string;
  text: string;
  flags: SignatureFlags;
  /** Hash of the desired html + text + flags: recorded as last-applied after the write. */
  desiredHash: string;
  /** Fingerprint of the signature the action expects to replace (undefined = not checked this run). */
  expectedFingerprint?: string | null;
  /**
   * When Roster last wrote this user's signature, as the plan saw it (null: never). An apply
   * skips the action as stale when another run wrote it since: applying one plan twice, or two
   * applies of it one after the other, write once (since format 1.2).
   */
  lastAppliedAt?: string | null;
  /** The campaign whose banner a `campaign-switch` puts on or takes off (since format 1.3). */
  campaign?: string;
  /** Current signature text when it was read this run (for diffs in the plan). */
  currentText?: string;
  currentHtml?: string;
}

export type PlanAction = UpdateProfileAction | SetPhotoAction | SetSignatureAction;
export type ActionKind = PlanAction['kind'];

export type WarningKind =
  /** No employee matched a tenant user; the message names the likely cause (since format 1.1). */
  | 'no-match'
  | 'unmatched'
  | 'ambiguous'
  | 'out-of-scope'
  | 'synced-user'
  | 'roaming-signatures'
  | 'photos-blocked'
  | 'employee-error'
  | 'observation'
  | 'rollback'
  | 'guardrail'
  /** A campaign file with an error (left out), or a campaign target Roster cannot read (since 1.3). */
  | 'campaign';

export interface PlanWarning {
  kind: WarningKind;
  employee?: string;
  message: string;
}

export interface GuardrailResult {
  name: 'max-changes' | 'source-shrink' | 'roaming-signatures';
  tripped: boolean;
  message: string;
}

export interface PlanSummary {
  employees: number;
  matched: number;
  inSync: number;
  updateProfile: number;
  setPhoto: number;
  setSignature: number;
  warnings: number;
}

/** A campaign starting or ending after the plan's moment (since format 1.3). */
export interface PlanTransition {
  campaign: string;
  name: string;
  kind: 'start' | 'end';
  /** The boundary, ISO 8601 in UTC. */
  at: string;
  /** As written: the local date-time and its time zone. */
  local: string;
  rollout: 'notBefore' | 'finishBy';
  /** Planned employees whose banner it switches (a start: who will show it; an end: who showed it). */
  audience: number;
  /** The banner image and its link, utm_* parameters included: whole, for review. */
  image: string;
  link: string;
}

/** The campaigns of a plan made with campaigns configured (since format 1.3). */
export interface PlanCampaigns {
  /** The moment the desired signatures are of (ISO 8601, UTC): when the run started, or `plan --at`. */
  at: string;
  /** Campaigns running at `at`, each with the planned employees whose signature shows it. */
  active: { campaign: string; name: string; audience: number; image: string; link: string }[];
  /** The next starts and ends, in time order. */
  upcoming: PlanTransition[];
  /**
   * The signatures hold from the last boundary at or before `at` until the next one after it: a
   * saved plan applied outside that span is refused as stale.
   */
  validFrom?: string;
  validUntil?: string;
  /** Planned users whose only change is a campaign's banner switching (on or off). */
  switchedUsers: number;
  /**
   * A run nobody reviewed (the controller's) switching more of a campaign's users than a reviewed
   * plan showed: those beyond count against maxChanges.
   */
  beyondReviewed?: { campaign: string; switched: number; reviewed: number }[];
}

/** A plan is data: versioned, serialisable, deterministic. */
export interface Plan {
  formatVersion: string;
  tenantId: string;
  configRevision: string;
  sourceCount: number;
  /** Which aspects were read back from the tenant this run (others relied on last-applied). */
  deepChecked: { photos: boolean; signatures: boolean };
  actions: PlanAction[];
  warnings: PlanWarning[];
  guardrails: GuardrailResult[];
  summary: PlanSummary;
  /** Present when campaigns are configured (since format 1.3). */
  campaigns?: PlanCampaigns;
}

/** Everything of a plan but its actions: what a streamed plan knows once its actions are out. */
export type PlanHead = Omit<Plan, 'actions'>;
