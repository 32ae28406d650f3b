import type { StateStore } from '../ports/state-store.js';

/** Unfinished runs looked at per apply; each apply closes what it finds, so they never pile up. */
const LOOKBACK = 100;

export const ORPHANED_RUN_ERROR = 'process ended before the run finished';

/**
 * Closes the tenant's apply and rollback runs that started but never finished (the process was
 * killed) as `failed`, so the journal reads consistently. Their journaled writes stay as they
 * are; the next plan re-reads the tenant, so a profile write that happened without its journal row
 * is seen as already done. Photo and signature writes it announced but never journaled are
 * journaled as `interrupted`; the next apply reads the tenant before making one of them again
 * (`write-intents.ts`).
 *
 * Uses only the existing store methods. One apply per tenant at a time is assumed (the
 * controller holds a leader lock); should two overlap, the live one's own `finishRun` later
 * overwrites this verdict with its real outcome.
 */
export async function closeOrphanedRuns(store: StateStore, tenantId: string): Promise<string[]> {
  const runs = await store.listRuns(LOOKBACK, tenantId);
  const orphans = runs.filter((r) => r.finishedAt === null && (r.kind === 'apply' || r.kind === 'rollback'));
  for (const run of orphans) {
    // The photo and signature writes it announced and never journaled: the journal tells which.
    await store.journalInterrupted(run.id);
    const detail = await store.getRun(run.id);
    const counts: Record<string, number> = {};
    for (const row of detail?.journal ?? []) counts[row.status] = (counts[row.status] ?? 0) + 1;
    await store.finishRun(run.id, 'failed', counts, ORPHANED_RUN_ERROR);
  }
  return orphans.map((r) => r.id);
}
