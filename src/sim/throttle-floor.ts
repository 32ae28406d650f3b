import type { SimThrottleSettings } from './types.js';

/** Default Outlook upload budget per app + mailbox per 5 min: 150 MB. */
export const DEFAULT_PHOTO_UPLOAD_BYTES_PER_5MIN = 150 * 1024 * 1024;

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
  /** Exchange admin API calls (InvokeCommand). */
  exchangeRequests: number;
}

export type ThrottleLimitName =
  'resourceUnits' | 'writes' | 'photoRequests' | 'photoUploadBytes' | 'exchangeRequests';

export interface ThrottleFloor {
  /** The minimum wall time in ms: the largest of `byLimit`. */
  ms: number;
  /** The limit that sets the floor, or `none` when every demand fits in the initial buckets. */
  binding: ThrottleLimitName | 'none';
  byLimit: Record<ThrottleLimitName, number>;
}

/** Resource units per 10 s for a tenant of `tenantUsers` users (or the override). */
export function resourceUnitBudget(settings: SimThrottleSettings, tenantUsers: number): number {
  if (settings.resourceUnitsPer10s !== undefined) return settings.resourceUnitsPer10s;
  if (tenantUsers < 50) return 3_500;
  if (tenantUsers <= 500) return 5_000;
  return 8_000;
}

/**
 * The floor on wall time that the simulator's budgets impose on `workload`.
 *
 * Every limit is a token bucket that starts full: a budget of B units per window W (W scaled by
 * `timeScale`) serves the first B units at once and then B per W, so a demand D needs at least
 * `max(0, D − B) · W / B`. The limits are independent, so the floor is the largest of them:
 * RUs (2·list + get + write, B by tenant size, W 10 s), writes (B `writesPer150s`, W 150 s),
 * photo requests and upload bytes of the busiest mailbox (W 10 min and 5 min), Exchange calls
 * (B `exchangeRequestsPerMinute`, W 60 s). Concurrency limits add nothing here (they bound
 * throughput only together with latency); the per-app-across-tenants and per-tenant write
 * limits cannot bind for a single app in a single tenant. Throttling off → 0.
 */
export function throttleFloor(
  workload: ThrottleWorkload,
  settings: SimThrottleSettings,
  tenantUsers: number,
): ThrottleFloor {
  const ts = settings.timeScale;
  const ru =
    workload.resourceUnits ?? 2 * workload.listRequests + workload.getRequests + workload.writeRequests;
  const byLimit: Record<ThrottleLimitName, number> = {
    resourceUnits: bucketFloorMs(ru, resourceUnitBudget(settings, tenantUsers), 10_000 * ts),
    writes: bucketFloorMs(workload.writeRequests, settings.writesPer150s, 150_000 * ts),
    photoRequests: bucketFloorMs(
      workload.photoRequestsPerMailbox ?? 0,
      settings.photoRequestsPer10min,
      600_000 * ts,
    ),
    photoUploadBytes: bucketFloorMs(
      workload.photoUploadBytesPerMailbox ?? 0,
      settings.photoUploadBytesPer5min ?? DEFAULT_PHOTO_UPLOAD_BYTES_PER_5MIN,
      300_000 * ts,
    ),
    exchangeRequests: bucketFloorMs(
      workload.exchangeRequests,
      settings.exchangeRequestsPerMinute,
      60_000 * ts,
    ),
  };
  if (!settings.enabled) {
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

/** `throttleFloor(…).ms`: the number the benchmark divides wall time by. */
export function throttleFloorMs(
  workload: ThrottleWorkload,
  settings: SimThrottleSettings,
  tenantUsers: number,
): number {
  return throttleFloor(workload, settings, tenantUsers).ms;
}

function bucketFloorMs(demand: number, budget: number, windowMs: number): number {
  if (demand <= 0) return 0;
  if (budget <= 0) return Number.POSITIVE_INFINITY;
  if (demand <= budget) return 0;
  return ((demand - budget) * windowMs) / budget;
}
