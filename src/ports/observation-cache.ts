import type { ObservedUser } from '../observe/model.js';

export interface UserSnapshot {
  users: ObservedUser[];
  /** Continues from the moment the snapshot was taken. */
  deltaLink: string;
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
   * Moves an unchanged snapshot on to a new delta link (a delta round that changed nothing):
   * no rewrite of every user. False when there is no such snapshot.
   */
  advanceUserSnapshot(tenantId: string, scopeHash: string, deltaLink: string): Promise<boolean>;
  /** Forgets the snapshot (next observation lists every user). */
  dropUserSnapshot(tenantId: string, scopeHash: string): Promise<void>;
  getLastDeepCheck(tenantId: string, aspect: DeepCheckAspect): Promise<Date | undefined>;
  saveDeepCheck(tenantId: string, aspect: DeepCheckAspect, at: Date): Promise<void>;
  close(): Promise<void>;
}
