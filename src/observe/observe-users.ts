import { createHash } from 'node:crypto';
import type { DirectoryPort } from '../ports/directory.js';
import type { ObservationCache } from '../ports/observation-cache.js';
import { inDomains } from './in-scope.js';
import type { ObservedUser } from './model.js';

export interface ObservedUsers {
  users: ObservedUser[];
  /** `delta`: the cached snapshot brought up to date; `full`: every user listed. */
  via: 'delta' | 'full';
  /** Why a full listing was needed (no snapshot, resync required, forced). */
  reason?: string;
}

/**
 * How long Graph keeps a directory delta token (docs/microsoft-365.md#graph-delta-reset): an older
 * snapshot is listed afresh up front rather than asked for with a link the service has forgotten.
 */
export const DELTA_LINK_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/** Bump when the cached user shape changes, so old snapshots are ignored. */
const SNAPSHOT_VERSION = 'v1';

function scopeHash(domains: readonly string[]): string {
  const key = [SNAPSHOT_VERSION, ...[...domains].map((d) => d.toLowerCase()).sort()].join('\n');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/**
 * One string per distinct field value across the users (in place): titles, departments,
 * locations and names repeat across thousands of users, and the users are held for a whole run.
 */
function shareFieldValues(users: readonly ObservedUser[]): void {
  const values = new Map<string, string>();
  for (const user of users) {
    const { fields } = user;
    for (const field of Object.keys(fields) as (keyof ObservedUser['fields'])[]) {
      const value = fields[field];
      if (typeof value !== 'string') continue;
      const one = values.get(value);
      if (one === undefined) values.set(value, value);
      else fields[field] = one;
    }
  }
}

/** The snapshot's users with a delta round's changes: removed ones gone, changed ones replaced. */
function applyChanges(users: ObservedUser[], kept: ObservedUser[], removedIds: string[]): ObservedUser[] {
  const byId = new Map<string, ObservedUser>();
  for (const user of users) byId.set(user.id, user);
  for (const id of removedIds) byId.delete(id);
  for (const user of kept) byId.set(user.id, user);
  return [...byId.values()];
}

/**
 * The users in scope, as cheaply as the tenant allows: the last snapshot plus one delta round
 * (usually one request) when Roster has one; else a `$deltaToken=latest` link taken first and
 * one paged `$select` list. A 410 or an expired token means a full listing.
 * https://learn.microsoft.com/graph/delta-query-users
 */
export async function observeUsers(
  deps: { directory: DirectoryPort; cache: ObservationCache },
  options: {
    tenantId: string;
    domains: readonly string[];
    fullResync?: boolean;
    /** The clock the snapshot's age is measured with. */
    now?: () => Date;
  },
): Promise<ObservedUsers> {
  const key = scopeHash(options.domains);
  const now = options.now ?? (() => new Date());
  let reason = options.fullResync ? 'full listing requested' : 'no earlier observation';
  if (!options.fullResync) {
    const snapshot = await deps.cache.getUserSnapshot(options.tenantId, key);
    const age = snapshot?.deltaLinkAt ? now().getTime() - snapshot.deltaLinkAt.getTime() : 0;
    if (snapshot && age >= DELTA_LINK_LIFETIME_MS) {
      reason = `the last observation is ${(age / 86_400_000).toFixed(1)} days old; Graph keeps delta links 7 days`;
    } else if (snapshot) {
      const deltaLinkAt = now();
      const delta = await deps.directory.delta(snapshot.deltaLink);
      if (delta.kind === 'changes') {
        const kept = delta.users.filter((u) => inDomains(u, options.domains));
        const removedIds = [
          ...delta.removed.map((r) => r.id),
          ...delta.users.filter((u) => !inDomains(u, options.domains)).map((u) => u.id),
        ];
        const users =
          kept.length + removedIds.length === 0
            ? snapshot.users
            : applyChanges(snapshot.users, kept, removedIds);
        // Only what the round changed is written (nothing but the link when it changed nothing).
        const change = { users: kept, removedIds, deltaLink: delta.deltaLink, deltaLinkAt };
        if (!(await deps.cache.updateUserSnapshot(options.tenantId, key, change))) {
          // The snapshot vanished meanwhile: store it whole again.
          await deps.cache.saveUserSnapshot(options.tenantId, key, {
            users,
            deltaLink: delta.deltaLink,
            deltaLinkAt,
          });
        }
        shareFieldValues(users);
        return { users, via: 'delta' };
      }
      reason = `delta resync required (${delta.reason})`;
    }
  }
  // The link comes first: a change made while the list is read shows up in the next round.
  const deltaLinkAt = now();
  const deltaLink = await deps.directory.latestDeltaLink();
  const users: ObservedUser[] = [];
  for await (const page of deps.directory.listUsers([...options.domains])) users.push(...page);
  await deps.cache.saveUserSnapshot(options.tenantId, key, { users, deltaLink, deltaLinkAt });
  shareFieldValues(users);
  return { users, via: 'full', reason };
}
