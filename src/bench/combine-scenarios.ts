import type { SimHiddenBudget } from '../sim/hidden-budget.js';
import {
  exchangeCallsPerSignature,
  floorOf,
  minimumRequests,
  type MinimumWork,
  type ScenarioResult,
} from './bench-metrics.js';

/**
 * Scenarios run one after the other as one: a first sync is its plan and its apply. Counters add
 * up; the share, the per-signature ratio and the floor are taken again over the whole.
 */
export function combineScenarios(
  id: string,
  label: string,
  parts: ScenarioResult[],
  budget: SimHiddenBudget,
): ScenarioResult {
  const sum = (f: (s: ScenarioResult) => number) => parts.reduce((n, s) => n + f(s), 0);
  const merge = (f: (s: ScenarioResult) => Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const p of parts) for (const [k, n] of Object.entries(f(p))) out[k] = (out[k] ?? 0) + n;
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  };
  const counts = {
    calls: sum((s) => s.throttleCounts.calls),
    throttled: sum((s) => s.throttleCounts.throttled),
  };
  const applied = {
    profiles: sum((s) => s.applied.profiles),
    photos: sum((s) => s.applied.photos),
    signatures: sum((s) => s.applied.signatures),
  };
  const work: MinimumWork = {
    signatureWrites: sum((s) => s.minimumWork.signatureWrites),
    profileWrites: sum((s) => s.minimumWork.profileWrites),
    photoWrites: sum((s) => s.minimumWork.photoWrites),
    signatureReads: sum((s) => s.minimumWork.signatureReads ?? 0),
    photoReads: sum((s) => s.minimumWork.photoReads ?? 0),
  };
  const wallMs = sum((s) => s.wallMs);
  const calls = sum((s) => s.exchangeCalls);
  const { floor, ratio } = floorOf(work, budget);
  return {
    id,
    label,
    employees: Math.max(...parts.map((s) => s.employees)),
    wallMs,
    wireRequests: sum((s) => s.wireRequests),
    byEndpoint: merge((s) => s.byEndpoint),
    throttledByEndpoint: merge((s) => s.throttledByEndpoint),
    connections: sum((s) => s.connections),
    throttled: { simulator: sum((s) => s.throttled.simulator), client: sum((s) => s.throttled.client) },
    throttledShare: counts.calls === 0 ? 0 : counts.throttled / counts.calls,
    throttleCounts: counts,
    retries: sum((s) => s.retries),
    actions: Math.max(...parts.map((s) => s.actions)),
    failed: sum((s) => s.failed),
    peakRssMb: Math.max(...parts.map((s) => s.peakRssMb)),
    applied,
    exchangeCalls: calls,
    exchangeCallsPerSignature: exchangeCallsPerSignature(calls, applied.signatures),
    minimumWork: work,
    ...(parts.at(-1)?.pacing && { pacing: parts.at(-1)!.pacing }),
    minimumRequests: minimumRequests(work),
    floor,
    wallOverFloor: ratio(wallMs),
  };
}
