import type { ActionKind } from '../plan/plan-model.js';
import type { ControllerMetrics } from '../ports/metrics.js';
import type { RunEvents, RunResult } from './run-request.js';

function byKind(refs: readonly { kind: ActionKind }[]): Record<ActionKind, number> {
  const counts: Record<ActionKind, number> = { 'update-profile': 0, 'set-photo': 0, 'set-signature': 0 };
  for (const ref of refs) counts[ref.kind] += 1;
  return counts;
}

/** Runs as metrics: one observation per finished run, and its actions as planned or by write result. */
export function runMetricsEvents(metrics: Pick<ControllerMetrics, 'recordRun' | 'recordActions'>): RunEvents {
  return {
    finished(result: RunResult) {
      if (result.unknownEmployee || result.cancelled) return;
      metrics.recordRun({
        kind: result.kind,
        outcome: result.outcome,
        durationSeconds: (result.finishedAt.getTime() - result.startedAt.getTime()) / 1000,
        finishedAt: result.finishedAt,
      });
      const apply = result.apply;
      if (!apply) {
        if (result.kind === 'plan' && result.outcome === 'succeeded') {
          for (const [kind, count] of Object.entries(result.actions))
            metrics.recordActions(kind as ActionKind, 'planned', count);
        }
        return;
      }
      for (const [kind, count] of Object.entries(apply.applied))
        metrics.recordActions(kind as ActionKind, 'applied', count);
      for (const [outcome, refs] of [
        ['skipped-stale', apply.skippedStale],
        ['failed', apply.failed],
      ] as const) {
        for (const [kind, count] of Object.entries(byKind(refs)))
          metrics.recordActions(kind as ActionKind, outcome, count);
      }
    },
  };
}
