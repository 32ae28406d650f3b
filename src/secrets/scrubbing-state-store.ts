import type { StateStore } from '../ports/state-store.js';
import type { SecretScrubber } from './secret-scrubber.js';

/**
 * The state store with every text it persists scrubbed: journal before/after values and errors,
 * last-applied values (which rollback restores) and run errors. The journal is read back by
 * `roster history`, the status API and the dashboard, so a secret kept out of it is kept out of
 * all of them.
 */
export function scrubbingStateStore(store: StateStore, scrubber: SecretScrubber): StateStore {
  return {
    ...store,
    migrate: () => store.migrate(),
    startRun: (run) => store.startRun(scrubber.value(run)),
    finishRun: (runId, outcome, counts, error, sourceCount) =>
      store.finishRun(
        runId,
        outcome,
        counts,
        error === undefined ? error : scrubber.text(error),
        sourceCount,
      ),
    recordWrite: (runId, entry, lastApplied) =>
      store.recordWrite(runId, scrubber.value(entry), lastApplied && scrubber.value(lastApplied)),
    recordIntent: (tenantId, intent) => store.recordIntent(tenantId, intent),
    getIntents: (tenantId, aspect, userIds) => store.getIntents(tenantId, aspect, userIds),
    journalInterrupted: (runId) => store.journalInterrupted(runId),
    getLastApplied: (tenantId, aspects) => store.getLastApplied(tenantId, aspects),
    getAppliedDigests: (tenantId, aspects, userIds) => store.getAppliedDigests(tenantId, aspects, userIds),
    adoptFingerprints: (tenantId, adoptions) => store.adoptFingerprints(tenantId, adoptions),
    getDeltaLink: (tenantId, scopeHash) => store.getDeltaLink(tenantId, scopeHash),
    saveDeltaLink: (tenantId, scopeHash, link) => store.saveDeltaLink(tenantId, scopeHash, link),
    lastSuccessfulSourceCount: (tenantId) => store.lastSuccessfulSourceCount(tenantId),
    listRuns: (limit, tenantId) => store.listRuns(limit, tenantId),
    getRun: (runId) => store.getRun(runId),
    close: () => store.close(),
  };
}
