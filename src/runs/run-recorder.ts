import { randomUUID } from 'node:crypto';
import type { RunRecorder } from '../ports/run-recorder.js';
import type { StateStore } from '../ports/state-store.js';

/** Runs recorded in the state store; `newId` is for tests. */
export function createRunRecorder(store: StateStore, newId: () => string = randomUUID): RunRecorder {
  return {
    begin(run) {
      const id = newId();
      let persisted: Promise<void> | undefined;
      const persist = (kind: Parameters<ReturnType<RunRecorder['begin']>['persist']>[0], details = {}) =>
        (persisted ??= store
          .startRun({ id, kind, ...run, ...details })
          .then(() => undefined)
          .catch((error: unknown) => {
            persisted = undefined;
            throw error;
          }));
      return {
        id,
        persist,
        async finish(end) {
          await persist(end.kind, {
            ...(end.planHash !== undefined ? { planHash: end.planHash } : {}),
            ...(end.sourceCount !== undefined ? { sourceCount: end.sourceCount } : {}),
          });
          await store.finishRun(id, end.outcome, end.counts, end.error, end.sourceCount);
        },
      };
    },
  };
}
