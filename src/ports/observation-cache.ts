import type { ObservedUser } from '../observe/model.js';

export type DeepCheckAspect = 'photo' | 'signature';

/** Which of a user's addresses found it for an employee's key. */
export type MatchRule = 'mail' | 'userPrincipalName' | 'proxyAddresses';

/** The users the first rule that finds any finds for one key. */
export interface UserLookup {
  rule: MatchRule;
  users: ObservedUser[];
}

/**
 * One observation round being written into the stored snapshot, page by page as it is read from
 * the tenant: nothing of it is visible to anyone until `commit`, and `abort` leaves the snapshot as
 * it was. A round must end with one of the two.
 */
export interface SnapshotRound {
  /** Stores users (new, or replacing what the snapshot had of them). */
  putUsers(users: readonly ObservedUser[]): Promise<void>;
  /** Forgets users (deleted, or moved out of scope). */
  removeUsers(ids: readonly string[]): Promise<void>;
  /**
   * Ends the round: the snapshot now holds what it wrote and continues from `deltaLink`, obtained
   * at `deltaLinkAt` (Graph keeps directory delta tokens 7 days; the store's clock when absent).
   */
  commit(deltaLink: string, deltaLinkAt?: Date): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Looks employees up in the stored snapshot, a slice at a time, by the keys the snapshot indexes
 * (mail, userPrincipalName and SMTP proxy addresses, lowercased). Holds one database session until
 * `close`.
 */
export interface SnapshotMatcher {
  /**
   * For each key (an employee's, lowercased), the users found by the first of `mail`,
   * `userPrincipalName` and `proxyAddresses` that finds any; a key nothing finds is absent.
   */
  findUsers(keys: readonly string[]): Promise<Map<string, UserLookup>>;
  /** Remembers the keys of employees a run plans, for `sharedUsers` (call once per slice). */
  addEmployeeKeys(keys: readonly string[]): Promise<void>;
  /**
   * Users that `findUsers` would give as the one user of more than one of the added keys: user id
   * → those keys, sorted. Such a user is claimed by several employees (the claim rule).
   */
  sharedUsers(): Promise<Map<string, string[]>>;
  close(): Promise<void>;
}

/**
 * What Roster remembers of its last look at the tenant, so the next look is cheap and planning
 * never holds every user: the users in scope as indexed rows (brought up to date with Graph's delta
 * query), and when photos and signatures were last read back. Snapshots are per tenant and scope
 * (`scopeHash`).
 */
export interface ObservationCache {
  /** The link the stored snapshot continues from and when it was obtained; undefined when there is no snapshot. */
  getSnapshotLink(tenantId: string, scopeHash: string): Promise<{ link: string; at: Date } | undefined>;
  /**
   * Starts a round: `replace` (a full listing) starts from an empty snapshot; `update` (a delta
   * round) changes the stored one, and is undefined when there is none (any more).
   */
  beginRound(tenantId: string, scopeHash: string, kind: 'replace'): Promise<SnapshotRound>;
  beginRound(tenantId: string, scopeHash: string, kind: 'update'): Promise<SnapshotRound | undefined>;
  /** Users in the stored snapshot. */
  countUsers(tenantId: string, scopeHash: string): Promise<number>;
  /** The stored users with these ids (absent ones left out). */
  getUsers(tenantId: string, scopeHash: string, ids: readonly string[]): Promise<ObservedUser[]>;
  openMatcher(tenantId: string, scopeHash: string): Promise<SnapshotMatcher>;
  /** Forgets the snapshot (next observation lists every user). */
  dropUserSnapshot(tenantId: string, scopeHash: string): Promise<void>;
  getLastDeepCheck(tenantId: string, aspect: DeepCheckAspect): Promise<Date | undefined>;
  saveDeepCheck(tenantId: string, aspect: DeepCheckAspect, at: Date): Promise<void>;
  close(): Promise<void>;
}
