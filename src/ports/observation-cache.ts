import type { ObservedUser } from '../observe/model.js';

export interface UserSnapshot {
  users: ObservedUser[];
  /** Continues from the moment the snapshot was taken. */
  deltaLink: string;
  /**
   * When `deltaLink` was obtained (Graph keeps directory delta tokens 7 days). Read back always;
   * when saving without it, the store's clock stands in.
   */
  deltaLinkAt?: Date;
}

/** What one delta round changed: users to store (new or changed), users to forget, the next link. */
export interface UserSnapshotChange {
  users: ObservedUser[];
  removedIds: string[];
  deltaLink: string;
  /** When `deltaLink` was obtained (the store's clock when absent). */
  deltaLinkAt?: Date;
}

export type DeepCheckAspect = 'photo' | 'signature';

/**
 * What Roster remembers of its last look at the tenant, so the next look is cheap: the users
 * (brought up to date with Graph's delta query) and when photos and signatures were last read back.
 */
export interface ObservationCache {
  getUserSnapshot(tenantId: string, scopeHash: string): Promise<UserSnapshot | undefined>;
  saveUserSnapshot(tenantId: string, scopeHash: string, snapshot: UserSnapshot): Promise<void>;
  /**
   * Applies one delta round to the stored snapshot: only the users it changed are written, and
   * the snapshot moves on to the new link. False when there is no such snapshot (any more).
   */
  updateUserSnapshot(tenantId: string, scopeHash: string, change: UserSnapshotChange): Promise<boolean>;
  /** Forgets the snapshot (next observation lists every user). */
  dropUserSnapshot(tenantId: string, scopeHash: string): Promise<void>;
  getLastDeepCheck(tenantId: string, aspect: DeepCheckAspect): Promise<Date | undefined>;
  saveDeepCheck(tenantId: string, aspect: DeepCheckAspect, at: Date): Promise<void>;
  close(): Promise<void>;
}
