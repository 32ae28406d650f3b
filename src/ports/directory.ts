import type { ManagedField } from '../config/settings.js';
import type { ObservedUser } from '../observe/model.js';
import type { ItemResult } from './item-result.js';

/** One user's profile change: only the properties that change; `null` clears (never `""`). */
export interface UserPatch {
  userId: string;
  body: Partial<Record<ManagedField, string | string[] | null>>;
}

/** A user that left the delta scope (deleted, or no longer matching). */
export interface RemovedUser {
  id: string;
  reason: 'changed' | 'deleted';
}

/**
 * One page of a `/users/delta` round: users to store and users that left. An id is in at most one
 * of the two (within a page the last entry for an id wins; across pages, the later page).
 */
export interface DeltaPage {
  users: ObservedUser[];
  removed: RemovedUser[];
}

/** How a delta round ended. */
export type DeltaEnd =
  | { kind: 'complete'; deltaLink: string }
  /** The service no longer knows the token (410 Gone, or an expired one): list everything again. */
  | { kind: 'resync-required'; reason: string };

/**
 * The tenant's users as Roster sees them (Microsoft Graph users, in the adapter).
 * Every verb is idempotent; bulk verbs report per item.
 */
export interface DirectoryPort {
  /**
   * Users in scope: mail, userPrincipalName or an SMTP proxy address in one of `domains`
   * (case-insensitive). Yields one page at a time.
   */
  listUsers(domains: string[]): AsyncIterable<ObservedUser[]>;
  /**
   * Changes since `deltaLink` (every user when absent — the initial round), handed to `onPage` one
   * page at a time in order, then the link for next time. Not filtered to domains: a user may
   * move out of scope. After `resync-required` the pages handed over so far are to be discarded.
   */
  delta(deltaLink: string | undefined, onPage: (page: DeltaPage) => Promise<void>): Promise<DeltaEnd>;
  /**
   * A delta link for "from now on" without reading any user (`$deltaToken=latest`): taken before a
   * full list, so a change made during the list shows up in the next delta round.
   */
  latestDeltaLink(): Promise<string>;
  /** Fresh copies for stale checks; `null` = no such user. */
  getUsers(ids: string[]): Promise<ItemResult<ObservedUser | null>[]>;
  /** Applies each patch on its own; results in input order. */
  patchUsers(patches: UserPatch[]): Promise<ItemResult<void>[]>;
}
