import type { NotificationEvent } from '../ports/notifier.js';
import type { RunEvents, RunResult } from '../runs/run-request.js';
import { summarizeRun, type RunSummary } from '../runs/run-summary.js';

/** Sends one notification (the controller adds the tenant and the time). */
export type Notify = (event: Omit<NotificationEvent, 'tenantId' | 'at'>) => void;

/**
 * What monitoring hears about runs, remembering what it already said: drift when a whole-tenant
 * plan shows differences it has not reported before; a failed run when the failure is new (not
 * the same error again); a guardrail when a run is newly stopped.
 */
export function runNotifications(
  notify: Notify,
  mode: () => string,
): RunEvents & {
  /** A run the controller failed without `run` (no configuration, no runtime). */
  failedOutside(summary: RunSummary): void;
} {
  let notifiedKeys = new Set<string>();
  let planKeys: Set<string> | undefined;
  let previous: RunSummary | undefined;

  function afterRun(run: RunSummary): void {
    if (run.outcome === 'failed' && (previous?.outcome !== 'failed' || previous.error !== run.error)) {
      notify({
        type: 'run-failed',
        runId: run.id,
        summary: `${run.kind} run failed`,
        message: run.error ?? '',
      });
    }
    if (run.outcome === 'stopped' && previous?.outcome !== 'stopped') {
      notify({
        type: 'guardrail-tripped',
        runId: run.id,
        summary: `apply stopped by ${run.guardrailsTripped.join(', ')}`,
        message: run.error ?? '',
      });
    }
    previous = run;
  }

  function drift(result: RunResult, keys: Set<string>): void {
    const fresh = [...keys].filter((k) => !notifiedKeys.has(k));
    notifiedKeys = keys;
    if (fresh.length === 0) return;
    const c = result.actions;
    notify({
      type: 'drift-detected',
      runId: result.id,
      summary: `${c['update-profile']} profile update(s), ${c['set-photo']} photo(s), ${c['set-signature']} signature(s) pending`,
      message: `${fresh.length} new difference(s) between the tenant and the desired state; mode ${mode()}`,
    });
  }

  return {
    started(run) {
      planKeys = run.kind === 'rollback' ? undefined : new Set();
    },
    action(action) {
      planKeys?.add(action.key);
    },
    finished(result) {
      if (result.unknownEmployee || result.cancelled) return;
      // A run for some employees shows no whole-tenant picture: only whole plans count as drift.
      if (planKeys && result.observation && !result.only) drift(result, planKeys);
      planKeys = undefined;
      afterRun(summarizeRun(result));
    },
    failedOutside: afterRun,
  };
}
