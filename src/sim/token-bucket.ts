/**
 * Token buckets for the simulator's throttling. A bucket holds up to `capacity` units and
 * refills continuously at `capacity` per `windowMs` — the shape Microsoft describes for the
 * identity and access limits ("token bucket", https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits).
 * Buckets start full. The level may go below zero: throttled requests are still charged.
 */
export interface Bucket {
  tokens: number;
  /** Clock time (ms) the level was last brought up to date. */
  at: number;
}

/** A budget: `capacity` units per `windowMs` (already scaled by the time scale). */
export interface BucketLimit {
  capacity: number;
  windowMs: number;
}

/** Float slack so that a client waiting exactly the advertised time is admitted. */
const EPSILON = 1e-9;

export function newBucket(limit: BucketLimit, now: number): Bucket {
  return { tokens: limit.capacity, at: now };
}

/** Brings the bucket up to `now` and returns its level. */
export function refill(bucket: Bucket, limit: BucketLimit, now: number): number {
  if (now > bucket.at) {
    const rate = limit.capacity / limit.windowMs;
    bucket.tokens = Math.min(limit.capacity, bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
  }
  // A lowered capacity (settings changed at runtime) takes effect at once.
  bucket.tokens = Math.min(bucket.tokens, limit.capacity);
  return bucket.tokens;
}

export function hasTokens(bucket: Bucket, cost: number): boolean {
  return bucket.tokens + EPSILON >= cost;
}

/** Milliseconds until the (refilled) bucket holds `cost` units; 0 when it already does. */
export function waitMs(bucket: Bucket, limit: BucketLimit, cost: number): number {
  const missing = Math.min(cost, limit.capacity) - bucket.tokens;
  return missing <= EPSILON ? 0 : (missing * limit.windowMs) / limit.capacity;
}

/** Share of the budget in use, 0..; above 1 when throttled requests dug below zero. */
export function usage(bucket: Bucket, limit: BucketLimit): number {
  return (limit.capacity - bucket.tokens) / limit.capacity;
}

/** Looks up (or creates, full) the bucket for `key`. */
export function bucketFor(
  buckets: Map<string, Bucket>,
  key: string,
  limit: BucketLimit,
  now: number,
): Bucket {
  let bucket = buckets.get(key);
  if (!bucket) {
    bucket = newBucket(limit, now);
    buckets.set(key, bucket);
  }
  refill(bucket, limit, now);
  return bucket;
}
