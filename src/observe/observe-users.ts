import { createHash } from 'node:crypto';
import type { DirectoryPort } from '../ports/directory.js';
import type { ObservationCache, SnapshotRound } from '../ports/observation-cache.js';
import { inDomains } from './in-scope.js';

export interface ObservedUsers {
  /** `delta`: the stored snapshot brought up to date; `full`: every user listed. */
  via: 'delta' | 'full';
  /** Why a full listing was needed (no snapshot, resync required, forced). */
  reason?: string;
  /** Users in scope now in the snapshot. */
  users: number;
  /** The snapshot they are in (`ObservationCache` calls take it). */
  scopeHash: string;
}

/**
 * How long Graph keeps a directory delta token (docs/microsoft-365.md#graph-delta-reset): an older
 * snapshot is listed afresh up front rather than asked for with a link the service has forgotten.
 */
export const DELTA_LINK_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/** Bump when the cached user shape changes, so old snapshots are ignored. */
const SNAPSHOT_VERSION = 'v1';

/** The snapshot of the users in `domains` (its key in the observation cache). */
export function snapshotScope(domains: readonly string[]): string {
  const key = [SNAPSHOT_VERSION, ...[...domains].map((d) => d.toLowerCase()).sort()].join('\n');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** Feeds a round page by page; the round is ended (committed or aborted) by the caller. */
async function writeOrAbort<T>(round: SnapshotRound, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await round.abort().catch(() => undefined);
    throw error;
  }
}

/**
 * Brings the stored user snapshot up to date, as cheaply as the tenant allows, without holding
 * the users: one delta round (usually one request) from the snapshot's link when there is one;
 * else a `$deltaToken=latest` link taken first and one paged `$select` list. Each page goes
 * straight into the snapshot; the round becomes visible at once when it ends. A 410 or an expired
 * token means a full listing. https://learn.microsoft.com/graph/delta-query-users
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
  const { tenantId, domains } = options;
  const now = options.now ?? (() => new Date());
  const scopeHash = snapshotScope(domains);
  let reason = options.fullResync ? 'full listing requested' : 'no earlier observation';
  let link = options.fullResync ? undefined : await deps.cache.getSnapshotLink(tenantId, scopeHash);
  const age = link ? now().getTime() - link.at.getTime() : 0;
  if (link && age >= DELTA_LINK_LIFETIME_MS) {
    reason = `the last observation is ${(age / 86_400_000).toFixed(1)} days old; Graph keeps delta links 7 days`;
    link = undefined;
  }
  const round = link === undefined ? undefined : await deps.cache.beginRound(tenantId, scopeHash, 'update');
  if (link !== undefined && round) {
    const deltaLinkAt = now();
    const end = await writeOrAbort(round, () =>
      deps.directory.delta(link.link, async (page) => {
        // A user that moved out of scope is forgotten like a removed one.
        const kept = page.users.filter((u) => inDomains(u, domains));
        const outOfScope = page.users.filter((u) => !inDomains(u, domains)).map((u) => u.id);
        await round.removeUsers([...page.removed.map((r) => r.id), ...outOfScope]);
        await round.putUsers(kept);
      }),
    );
    if (end.kind === 'complete') {
      await writeOrAbort(round, () => round.commit(end.deltaLink, deltaLinkAt));
      return { via: 'delta', users: await deps.cache.countUsers(tenantId, scopeHash), scopeHash };
    }
    await round.abort();
    reason = `delta resync required (${end.reason})`;
  }
  // The link comes first: a change made while the list is read shows up in the next round.
  const deltaLinkAt = now();
  const deltaLink = await deps.directory.latestDeltaLink();
  const replace = await deps.cache.beginRound(tenantId, scopeHash, 'replace');
  await writeOrAbort(replace, async () => {
    for await (const page of deps.directory.listUsers([...domains])) await replace.putUsers(page);
    await replace.commit(deltaLink, deltaLinkAt);
  });
  return { via: 'full', reason, users: await deps.cache.countUsers(tenantId, scopeHash), scopeHash };
}
