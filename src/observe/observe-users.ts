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

/** Bump when the cached user shape changes, so old snapshots are ignored. */
const SNAPSHOT_VERSION = 'v1';

function scopeHash(domains: readonly string[]): string {
  const key = [SNAPSHOT_VERSION, ...[...domains].map((d) => d.toLowerCase()).sort()].join('\n');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/**
 * The users in scope, as cheaply as the tenant allows: the last snapshot plus one delta round
 * (usually one request) when Roster has one; else a `$deltaToken=latest` link taken first and
 * one paged `$select` list. A 410 or an expired token means a full listing.
 * https://learn.microsoft.com/graph/delta-query-users
 */
export async function observeUsers(
  deps: { directory: DirectoryPort; cache: ObservationCache },
  options: { tenantId: string; domains: readonly string[]; fullResync?: boolean },
): Promise<ObservedUsers> {
  const key = scopeHash(options.domains);
  let reason = options.fullResync ? 'full listing requested' : 'no earlier observation';
  if (!options.fullResync) {
    const snapshot = await deps.cache.getUserSnapshot(options.tenantId, key);
    if (snapshot) {
      const delta = await deps.directory.delta(snapshot.deltaLink);
      if (delta.kind === 'changes' && delta.users.length === 0 && delta.removed.length === 0) {
        // Nothing changed: the stored users stand, only the link moves on (a no-op run at
        // 50,000 users would otherwise rewrite tens of megabytes of JSON).
        if (await deps.cache.advanceUserSnapshot(options.tenantId, key, delta.deltaLink)) {
          return { users: snapshot.users, via: 'delta' };
        }
      }
      if (delta.kind === 'changes') {
        const byId = new Map(snapshot.users.map((u) => [u.id, u]));
        for (const removed of delta.removed) byId.delete(removed.id);
        for (const user of delta.users) {
          if (inDomains(user, options.domains)) byId.set(user.id, user);
          else byId.delete(user.id);
        }
        const users = [...byId.values()];
        await deps.cache.saveUserSnapshot(options.tenantId, key, { users, deltaLink: delta.deltaLink });
        return { users, via: 'delta' };
      }
      reason = `delta resync required (${delta.reason})`;
    }
  }
  // The link comes first: a change made while the list is read shows up in the next round.
  const deltaLink = await deps.directory.latestDeltaLink();
  const users: ObservedUser[] = [];
  for await (const page of deps.directory.listUsers([...options.domains])) users.push(...page);
  await deps.cache.saveUserSnapshot(options.tenantId, key, { users, deltaLink });
  return { users, via: 'full', reason };
}
