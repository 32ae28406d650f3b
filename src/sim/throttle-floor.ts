import { DEFAULT_PHOTO_UPLOAD_BYTES_PER_5MIN, hiddenBudget, type SimHiddenBudget } from './hidden-budget.js';
import type { SimThrottleSettings } from './types.js';

export { DEFAULT_PHOTO_UPLOAD_BYTES_PER_5MIN };

/** What a run sends, for the lower bound on its wall time that the budgets allow. */
export interface ThrottleWorkload {
  /** `GET /users` list pages (and `/users/delta` pages): 2 RU each. */
  listRequests: number;
  /** Other identity GETs: 1 RU each. */
  getRequests: number;
  /** POST/PATCH/PUT/DELETE on identity paths: 1 RU and one write each. */
  writeRequests: number;
  /** Exact RU total when the caller knows it (query modifiers); else 2·list + get + write. */
  resourceUnits?: number;
  /** Outlook-backed (photo) requests to the busiest mailbox. */
  photoRequestsPerMailbox?: number;
  /** Bytes uploaded to the busiest mailbox. */
  photoUploadBytesPerMailbox?: number;
  /** Exchange cmdlets run (InvokeCommand calls and `$batch` items alike: each is one unit). */
  exchangeRequests: number;
}

export type ThrottleLimitName =
  | 'resourceUnits'
  | 'writes'
  | 'photoRequests'
  | 'photoUploadBytes'
  | 'photoConcurrency'
  | 'exchangeRequests'
  | 'exchangeConcurrency';

export interface ThrottleFloor {
  /** The minimum wall time in ms: the largest of `byLimit`. */
  ms: number;
  /** The limit that sets the floor, or `none` when every demand fits in the initial allowances. */
  binding: ThrottleLimitName | 'none';
  byLimit: Record<ThrottleLimitName, number>;
}

/**
 * The floor on wall time that a budget imposes on `workload`: per limit,
 * `(work − initial allowance) ÷ rate`, and per concurrency cap `work × latency ÷ concurrency`;
 * the largest of them. Every budget allows B units at once and then B per window W (W scaled by
 * `timeScale`): a token bucket that starts full serves B at once and refills at B/W; a fixed window
 * serves B in its first window and B more per window after, which needs `(⌈D/B⌉ − 1)·W` ≥
 * `(D − B)·W/B`, so the same formula bounds both shapes from below. The latency is the
 * simulator's service time per call (`callLatencyMs`), which a call spends holding its slot:
 * Exchange's per-tenant concurrency and Outlook's per-mailbox one. Identity has no concurrency
 * cap, so no latency term. Throttling off → 0.
 */
export function budgetFloor(workload: ThrottleWorkload, budget: SimHiddenBudget): ThrottleFloor {
  const ts = budget.timeScale;
  const latency = budget.callLatencyMs * ts;
  const ru =
    workload.resourceUnits ?? 2 * workload.listRequests + workload.getRequests + workload.writeRequests;
  const { graph, exchange } = budget;
  const photoRequests = workload.photoRequestsPerMailbox ?? 0;
  const byLimit: Record<ThrottleLimitName, number> = {
    resourceUnits: allowanceFloorMs(ru, graph.resourceUnitsPer10s, 10_000 * ts),
    writes: allowanceFloorMs(workload.writeRequests, graph.writesPer150s, 150_000 * ts),
    photoRequests: allowanceFloorMs(photoRequests, graph.photoRequestsPer10min, 600_000 * ts),
    photoUploadBytes: allowanceFloorMs(
      workload.photoUploadBytesPerMailbox ?? 0,
      graph.photoUploadBytesPer5min,
      300_000 * ts,
    ),
    photoConcurrency: concurrencyFloorMs(photoRequests, latency, graph.photoConcurrencyPerMailbox),
    exchangeRequests: allowanceFloorMs(
      workload.exchangeRequests,
      exchange.requests,
      exchange.windowSeconds * 1_000 * ts,
    ),
    exchangeConcurrency: concurrencyFloorMs(workload.exchangeRequests, latency, exchange.concurrency),
  };
  if (!budget.enabled) {
    for (const name of Object.keys(byLimit) as ThrottleLimitName[]) byLimit[name] = 0;
  }
  let binding: ThrottleFloor['binding'] = 'none';
  let ms = 0;
  for (const [name, value] of Object.entries(byLimit) as [ThrottleLimitName, number][]) {
    if (value > ms) {
      ms = value;
      binding = name;
    }
  }
  return { ms, binding, byLimit };
}

/** `budgetFloor` for the budget these settings give a tenant of `tenantUsers` users. */
export function throttleFloor(
  workload: ThrottleWorkload,
  settings: SimThrottleSettings,
  tenantUsers: number,
): ThrottleFloor {
  return budgetFloor(workload, hiddenBudget(settings, tenantUsers));
}

/** `throttleFloor(…).ms`: the number the benchmark divides wall time by. */
export function throttleFloorMs(
  workload: ThrottleWorkload,
  settings: SimThrottleSettings,
  tenantUsers: number,
): number {
  return throttleFloor(workload, settings, tenantUsers).ms;
}

/** `(demand − allowance) ÷ (allowance per window)`: what is left once the initial allowance is spent. */
function allowanceFloorMs(demand: number, allowance: number, windowMs: number): number {
  if (demand <= 0) return 0;
  if (allowance <= 0) return Number.POSITIVE_INFINITY;
  if (demand <= allowance) return 0;
  return ((demand - allowance) * windowMs) / allowance;
}

/** `calls × latency ÷ concurrency`: slots held that long cannot serve the calls any faster. */
function concurrencyFloorMs(calls: number, latencyMs: number, concurrency: number): number {
  if (calls <= 0 || latencyMs <= 0) return 0;
  return (calls * latencyMs) / Math.max(1, concurrency);
}
