import type { ApiMetricsSnapshot, ApiName, PacingState } from '../http/api-metrics.js';
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
  /** The calls that share is taken over, and the 429s among them (`throttleCounts`). */
  throttleCounts: { calls: number; throttled: number };
  retries: number;
  actions: number;
  failed: number;
  peakRssMb: number;
  /** Actions applied, by kind (empty for a plan). */
  applied: { profiles: number; photos: number; signatures: number };
  /** Exchange InvokeCommand calls the simulator counted (429s and `$batch` items included). */
  exchangeCalls: number;
  /** `exchangeCalls ÷ applied.signatures`; undefined when no signature was written. */
  exchangeCallsPerSignature: number | undefined;
  /** The least work the scenario needs, which the floor is computed from. */
  minimumWork: MinimumWork;
  /** Roster's pacing per API at the scenario's end (units per second of its scaled clock). */
  pacing?: Partial<Record<ApiName, PacingState>>;
  /** HTTP requests that work takes at least. */
  minimumRequests: number;
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

const EXCHANGE_ROUTE = /InvokeCommand$/;

function parseKey(key: string): { method: string; route: string; status: number } | undefined {
  const match = /^(\S+) (.+) (\d{3})$/.exec(key);
  if (!match) return undefined;
  return { method: match[1]!, route: match[2]!, status: Number(match[3]) };
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

/** Graph/Exchange calls and the 429s among them (`$batch` envelopes, tokens and identity excluded). */
export function throttleCounts(stats: SimStatsLike): { calls: number; throttled: number } {
  let calls = 0;
  let throttled = 0;
  for (const [key, n] of Object.entries(stats.requests)) {
    const k = parseKey(key);
    if (!k || k.route.endsWith('/$batch') || k.route.includes('oauth2') || k.route.startsWith('/{tenant}'))
      continue;
    calls += n;
    if (k.status === 429) throttled += n;
  }
  return { calls, throttled };
}

/** Share of graph/exchange calls answered 429 (see `throttleCounts`). */
export function throttledShare(stats: SimStatsLike): number {
  const { calls, throttled } = throttleCounts(stats);
  return calls === 0 ? 0 : throttled / calls;
}

/**
 * The least work a scenario needs, whoever does it: the floor is computed from this, never from
 * the requests Roster happened to make (retries, read-backs and extra reads would raise it).
 */
export interface MinimumWork {
  /** Set-MailboxMessageConfiguration: one Exchange call per signature written. */
  signatureWrites: number;
  /** Profile PATCHes: one Graph write (and one resource unit) each, sent in `$batch`es of 20. */
  profileWrites: number;
  /** Photo PUTs: one per photo, one per mailbox. */
  photoWrites: number;
  /** A forced deep check reads each mailbox's signature once (one Exchange call each). */
  signatureReads?: number;
  /** … and each user's photo once (one Outlook-backed call per mailbox). */
  photoReads?: number;
}

/** Graph `$batch` holds at most 20 requests. */
export const GRAPH_BATCH_SIZE = 20;

/** The work as `budgetFloor` wants it. */
export function minimumWorkload(work: MinimumWork): ThrottleWorkload {
  const exchange = work.signatureWrites + (work.signatureReads ?? 0);
  const photoCalls = (work.photoWrites > 0 ? 1 : 0) + ((work.photoReads ?? 0) > 0 ? 1 : 0);
  return {
    listRequests: 0,
    getRequests: 0,
    writeRequests: work.profileWrites,
    resourceUnits: work.profileWrites,
    exchangeRequests: exchange,
    photoRequestsPerMailbox: photoCalls,
  };
}

/**
 * HTTP requests the minimum work takes on the wire: PATCHes and photo reads in `$batch`es of 20,
 * the rest one each (a photo upload is a binary body, which `$batch` does not carry).
 */
export function minimumRequests(work: MinimumWork): number {
  return (
    work.signatureWrites +
    Math.ceil(work.profileWrites / GRAPH_BATCH_SIZE) +
    work.photoWrites +
    (work.signatureReads ?? 0) +
    Math.ceil((work.photoReads ?? 0) / GRAPH_BATCH_SIZE)
  );
}

/** Floor of a scenario's minimum work under the budget the simulator drew, and wall ÷ floor. */
export function floorOf(
  work: MinimumWork,
  budget: SimHiddenBudget,
): { floor: ThrottleFloor; ratio: (wallMs: number) => number | undefined } {
  const floor = budgetFloor(minimumWorkload(work), budget);
  return { floor, ratio: (wallMs) => (floor.ms > 0 ? wallMs / floor.ms : undefined) };
}

/** Exchange InvokeCommand calls (every status, `$batch` items one by one) in the simulator's counts. */
export function exchangeCalls(stats: SimStatsLike): number {
  let n = 0;
  for (const [key, count] of Object.entries(stats.requests)) {
    const k = parseKey(key);
    if (k && EXCHANGE_ROUTE.test(k.route)) n += count;
  }
  return n;
}

/** Exchange calls per signature written; undefined when none was written. */
export function exchangeCallsPerSignature(calls: number, signaturesWritten: number): number | undefined {
  return signaturesWritten > 0 ? calls / signaturesWritten : undefined;
}

/** Worst (largest) and median of the defined values; undefined when there are none. */
export function worstAndMedian(
  values: Array<number | undefined>,
): { worst: number; median: number } | undefined {
  const sorted = values
    .filter((v): v is number => v !== undefined && Number.isFinite(v))
    .sort((x, y) => x - y);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { worst: sorted[sorted.length - 1]!, median };
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
