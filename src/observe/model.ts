import type { SignatureFlags } from '../config/field-catalog.js';
import type { ManagedField } from '../config/settings.js';

/** A tenant user as observed (only the properties Roster reads). */
export interface ObservedUser {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  proxyAddresses: string[];
  onPremisesSyncEnabled: boolean;
  fields: Partial<Record<ManagedField, string | string[] | null>>;
}

/** Photo metadata as observed; `null` = the user has no photo. */
export interface ObservedPhoto {
  etag: string | null;
  contentType: string | null;
  width: number | null;
  height: number | null;
}

export interface ObservedSignature extends SignatureFlags {
  html: string;
  text: string;
}

export interface ObservedState {
  /** Users within the managed domains, keyed by id. */
  users: ObservedUser[];
  /**
   * Photo metadata by user id: present only for users whose photos were deep-checked this run
   * (undefined = not checked; null = checked, no photo).
   */
  photos: Map<string, ObservedPhoto | null>;
  /** Signatures by user id: present only for users deep-checked this run. */
  signatures: Map<string, ObservedSignature>;
  /** `Get-OrganizationConfig` → PostponeRoamingSignaturesUntilLater (undefined when unknown). */
  roamingSignaturesPostponed: boolean | undefined;
  /**
   * Why the tenant refuses photo uploads (its photo update settings: on-premises source, or roles
   * Roster's app does not hold); absent when it accepts them or could not be read.
   */
  photoUpdatesBlocked?: string;
  /** Which aspects were read back from the tenant this run (the rest rely on last-applied). */
  deepChecked: { photos: boolean; signatures: boolean };
  /** Reads that failed or were skipped this run, for the plan's warnings. */
  warnings: string[];
}

/**
 * What Roster last wrote and then saw, per user and aspect: the third leg of the three-way
 * comparison that keeps re-encoded photos and rewritten HTML from causing perpetual diffs.
 */
export interface LastAppliedRecord {
  userId: string;
  aspect: 'profile' | 'photo' | 'signature';
  /** Hash of what Roster intended (source photo bytes hash, rendered signature hash, field values). */
  desiredHash: string;
  /**
   * What the tenant showed of Roster's write (photo etag, fingerprint of the stored signature):
   * null until a later deep check adopts it. Roster does not read back right after a write, which
   * may not have propagated yet (docs/microsoft-365.md#unpublished-propagation).
   */
  observedFingerprint: string | null;
  appliedAt: string;
  /**
   * What was applied, for display and rollback (profile: field values; photo: `{ sourceUrl }`).
   * Photos and signatures add `beforeWrite`: the fingerprint the plan saw before the write (null:
   * no photo), absent when the plan did not read it.
   */
  value?: unknown;
}

/**
 * The part of a last-applied record the planner compares with: what Roster intended, what it
 * then saw and (photos) the URL it uploaded from. A plan holds one per user and aspect, so at
 * 50,000 users it holds no more than this.
 */
export type AppliedDigest = Pick<LastAppliedRecord, 'desiredHash' | 'observedFingerprint'> & {
  /** Photos: the source URL the applied photo came from. */
  sourceUrl?: string;
  /** When the record was written (ISO-8601): a plan action carries it as `lastAppliedAt`. */
  appliedAt?: string;
  /**
   * While `observedFingerprint` is null: what the tenant showed before Roster's write (null: no
   * photo); absent when unknown. A deep check that still sees it waits for the write to propagate.
   */
  beforeWrite?: string | null;
  /** A deep check already saw the before-state once after the write (see `FingerprintAdoption`). */
  waited?: boolean;
};
