import type { ApiMetricsSnapshot } from '../http/api-metrics.js';
import type { SimHiddenBudget } from '../sim/hidden-budget.js';
import { budgetFloor, type ThrottleFloor, type ThrottleWorkload } from '../sim/throttle-floor.js';

/** The simulator's request counters (`statsSnapshot()`), the parts the benchmark reads. */
export interface SimStatsLike {
  /** `METHOD route-name status` → count; `$batch` items are counted one by one as well. */
  requests: Record<string, number>;
  throttled: number;
  resourceUnits: number;
}

/** One measured scenario of one run. */
export interface ScenarioResult {
  id: string;
  label: string;
  employees: number;
  wallMs: number;
  /** HTTP requests Roster sent (client side; a `$batch` is one). */
  wireRequests: number;
  /** Simulator-side counts by `METHOD route-name` (429s included; `$batch` items counted). */
  byEndpoint: Record<string, number>;
  /** The 429s among them, by `METHOD route-name` (only endpoints that saw any). */
  throttledByEndpoint: Record<string, number>;
  /** TLS connections Roster opened to the simulator (keep-alive reuses them across requests). */
  connections: number;
  /** 429s: as the simulator sent them, and as the client saw them (batch items included). */
  throttled: { simulator: number; client: number };
  /** Share of the simulator-side requests (envelopes excluded) that were answered 429. */
  throttledShare: number;
  retries: number;
  actions: number;
  failed: number;
  peakRssMb: number;
  floor: ThrottleFloor;
  /** `wallMs / floor.ms`, or undefined when the floor is 0 (nothing the budgets constrain). */
  wallOverFloor: number | undefined;
}

/** `after − before` for every counter (keys missing before count from 0). */
export function diffStats(before: SimStatsLike, after: SimStatsLike): SimStatsLike {
  const requests: Record<string, number> = {};
  for (const [key, n] of Object.entries(after.requests)) {
    const d = n - (before.requests[key] ?? 0);
    if (d > 0) requests[key] = d;
  }
  return {
    requests,
    throttled: after.throttled - before.throttled,
    resourceUnits: after.resourceUnits - before.resourceUnits,
  };
}

/** Counters per API of a client metrics snapshot, `after − before`. */
export function diffClientMetrics(before: ApiMetricsSnapshot, after: ApiMetricsSnapshot) {
  const total = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
  return {
    requests: total(after.requests) - total(before.requests),
    retries: total(after.retries) - total(before.retries),
    throttled: total(after.throttled) - total(before.throttled),
  };
}

const LIST_ROUTES = new Set(['/v1.0/users', '/v1.0/users/delta']);
const PHOTO_ROUTE = /^\/v1\.0\/users\/\{id\}\/photo/;
const EXCHANGE_ROUTE = /InvokeCommand$/;

function parseKey(key: string): { method: string; route: string; status: number } | undefined {
  const match = /^(\S+) (.+) (\d{3})$/.exec(key);
  if (!match) return undefined;
  return { method: match[1]!, route: match[2]!, status: Number(match[3]) };
}

/**
 * The request mix of a scenario, as `throttleFloor` wants it: what was admitted (429s are not
 * the work, they are the cost of doing it badly). Exact RUs come from the simulator's counter
 * less the one unit it charges each throttled identity request.
 */
export function workloadFromStats(stats: SimStatsLike, photoMailboxes: number): ThrottleWorkload {
  const w: ThrottleWorkload = { listRequests: 0, getRequests: 0, writeRequests: 0, exchangeRequests: 0 };
  let photoRequests = 0;
  let identityThrottled = 0;
  for (const [key, n] of Object.entries(stats.requests)) {
    const k = parseKey(key);
    if (!k) continue;
    const identity = k.route.startsWith('/v1.0/users') && !PHOTO_ROUTE.test(k.route);
    if (k.status === 429) {
      if (identity) identityThrottled += n;
      continue;
    }
    if (EXCHANGE_ROUTE.test(k.route)) w.exchangeRequests += n;
    else if (PHOTO_ROUTE.test(k.route)) photoRequests += n;
    else if (!identity) continue;
    else if (k.method !== 'GET') w.writeRequests += n;
    else if (LIST_ROUTES.has(k.route)) w.listRequests += n;
    else w.getRequests += n;
  }
  w.resourceUnits = Math.max(0, stats.resourceUnits - identityThrottled);
  // Outlook's photo limits are per mailbox: the busiest one sees this run's share of one user.
  w.photoRequestsPerMailbox = photoMailboxes > 0 ? Math.ceil(photoRequests / photoMailboxes) : 0;
  return w;
}

/** Requests by `METHOD route` (statuses summed), `$batch` envelopes kept as their own line. */
export function byEndpoint(stats: SimStatsLike): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(stats.requests)) {
    const k = parseKey(key);
    const name = k ? `${k.method} ${k.route}` : key;
    out[name] = (out[name] ?? 0) + n;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** 429s by `METHOD route` (endpoints without any left out). */
export function throttledByEndpoint(stats: SimStatsLike): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(stats.requests)) {
    const k = parseKey(key);
    if (!k || k.status !== 429) continue;
    const name = `${k.method} ${k.route}`;
    out[name] = (out[name] ?? 0) + n;
  }
  return out;
}

/** Share of graph/exchange calls answered 429 (Graph and Exchange `$batch` envelopes and identity excluded). */
export function throttledShare(stats: SimStatsLike): number {
  let all = 0;
  let throttled = 0;
  for (const [key, n] of Object.entries(stats.requests)) {
    const k = parseKey(key);
    if (!k || k.route.endsWith('/$batch') || k.route.includes('oauth2') || k.route.startsWith('/{tenant}'))
      continue;
    all += n;
    if (k.status === 429) throttled += n;
  }
  return all === 0 ? 0 : throttled / all;
}

/** Floor and ratio of a scenario from its simulator stats and the budget the simulator drew. */
export function floorOf(
  stats: SimStatsLike,
  budget: SimHiddenBudget,
  photoMailboxes: number,
): { floor: ThrottleFloor; ratio: (wallMs: number) => number | undefined } {
  const floor = budgetFloor(workloadFromStats(stats, photoMailboxes), budget);
  return { floor, ratio: (wallMs) => (floor.ms > 0 ? wallMs / floor.ms : undefined) };
}

/** A slice's measurement extrapolated linearly to `total` employees. */
export function extrapolate(measured: number, slice: number, total: number): number {
  if (slice <= 0) throw new Error('extrapolate: the slice must hold at least one employee');
  return (measured / slice) * total;
}

/**
 * How a cost grows from `small` to `large` employees: 1 = linear, < 1 sublinear, > 1
 * superlinear. `(cost_large / cost_small) / (large / small)`.
 */
export function growthFactor(costSmall: number, costLarge: number, small: number, large: number): number {
  if (costSmall <= 0 || small <= 0) return Number.NaN;
  return costLarge / costSmall / (large / small);
}
