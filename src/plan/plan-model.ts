import type { ManagedField } from '../config/settings.js';
import type { SignatureFlags } from '../config/field-catalog.js';

export type { SignatureFlags } from '../config/field-catalog.js';

/** Major.minor. A reader refuses a plan of another major version. */
export const PLAN_FORMAT_VERSION = '1.2';

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

export type SignatureReason = 'never-applied' | 'content-changed' | 'changed-out-of-band' | 'flags-differ';

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
  | 'guardrail';

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
}

/** Everything of a plan but its actions: what a streamed plan knows once its actions are out. */
export type PlanHead = Omit<Plan, 'actions'>;
