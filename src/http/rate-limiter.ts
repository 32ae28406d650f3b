import type { Clock } from './clock.js';

/** A token bucket: `capacity` tokens, refilled continuously at `capacity` per `windowMs`. */
export interface BucketSpec {
  capacity: number;
  windowMs: number;
  /**
   * Tokens never spent: the bucket fills only to `capacity − reserve` (the rate stays
   * `capacity` per window). The service charges a request when it arrives, later than we took
   * its token and by a varying delay; run level with the service's bucket and that jitter alone
   * earns 429s. A small reserve absorbs it at the cost of a slightly smaller first burst.
   */
  reserve?: number;
}

/** One API's client-side budget (Graph identity, Graph photos, Exchange). */
export interface RateLimiterOptions {
  name: string;
  clock: Clock;
  /** Named budgets a request may draw on, e.g. `{ units: …, writes: … }`. */
  buckets: Record<string, BucketSpec>;
  /** Requests in flight at once for this API. */
  concurrency: number;
  /** Requests in flight at once for one key (a mailbox); unlimited when absent. */
  perKeyConcurrency?: number;
}

/** What one request asks of the limiter. */
export interface AcquireRequest {
  /** Tokens per bucket name; a bucket not named costs nothing. Costs above a capacity are clamped to it. */
  cost?: Record<string, number>;
  /** Per-key concurrency (e.g. the mailbox a photo request touches). */
  key?: string;
  signal?: AbortSignal;
}

export type Release = () => void;

/** A pacer + concurrency semaphore shared by every caller of one API. */
export interface RateLimiter {
  readonly name: string;
  acquire(request?: AcquireRequest): Promise<Release>;
  /** Holds every caller until `untilMs` (epoch): one 429 with Retry-After stops the others colliding too. */
  pauseUntil(untilMs: number): void;
  /** Current state, for tests and the status page. */
  snapshot(): { inFlight: number; waiting: number; pausedUntil: number; tokens: Record<string, number> };
}

interface Waiter {
  cost: Record<string, number>;
  key: string | undefined;
  resolve(release: Release): void;
  reject(err: unknown): void;
}

interface Bucket {
  spec: BucketSpec;
  /** `capacity − reserve`: the most the bucket holds and the most one request may cost. */
  level: number;
  tokens: number;
  updatedAt: number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { clock } = options;
  const buckets = new Map<string, Bucket>();
  for (const [name, spec] of Object.entries(options.buckets)) {
    const level = spec.capacity - (spec.reserve ?? 0);
    if (!(spec.capacity > 0 && spec.windowMs > 0 && level > 0))
      throw new Error(`bug: bucket ${name} needs a positive budget`);
    buckets.set(name, { spec, level, tokens: level, updatedAt: clock.now() });
  }
  const concurrency = Math.max(1, options.concurrency);
  const perKey = options.perKeyConcurrency === undefined ? Infinity : Math.max(1, options.perKeyConcurrency);
  const queue: Waiter[] = [];
  const perKeyInFlight = new Map<string, number>();
  let inFlight = 0;
  let pausedUntil = 0;
  let wakeAt = Infinity;

  function refill(now: number): void {
    for (const b of buckets.values()) {
      const rate = b.spec.capacity / b.spec.windowMs;
      b.tokens = Math.min(b.level, b.tokens + (now - b.updatedAt) * rate);
      b.updatedAt = now;
    }
  }

  /** Milliseconds until every bucket holds the cost (0 = now). */
  function waitFor(cost: Record<string, number>): number {
    let wait = 0;
    for (const [name, amount] of Object.entries(cost)) {
      const b = buckets.get(name);
      if (!b || amount <= 0) continue;
      const need = Math.min(amount, b.level) - b.tokens;
      if (need > 0) wait = Math.max(wait, Math.ceil(need / (b.spec.capacity / b.spec.windowMs)));
    }
    return wait;
  }

  function take(cost: Record<string, number>): void {
    for (const [name, amount] of Object.entries(cost)) {
      const b = buckets.get(name);
      if (b && amount > 0) b.tokens -= Math.min(amount, b.level);
    }
  }

  function grant(w: Waiter): void {
    take(w.cost);
    inFlight++;
    if (w.key !== undefined) perKeyInFlight.set(w.key, (perKeyInFlight.get(w.key) ?? 0) + 1);
    let released = false;
    w.resolve(() => {
      if (released) return;
      released = true;
      inFlight--;
      if (w.key !== undefined) {
        const n = (perKeyInFlight.get(w.key) ?? 1) - 1;
        if (n <= 0) perKeyInFlight.delete(w.key);
        else perKeyInFlight.set(w.key, n);
      }
      pump();
    });
  }

  function schedule(delayMs: number): void {
    const at = clock.now() + delayMs;
    if (at >= wakeAt) return;
    wakeAt = at;
    clock.sleep(delayMs).then(() => {
      if (wakeAt === at) wakeAt = Infinity;
      pump();
    }, pump);
  }

  /**
   * Grants waiters in arrival order. A waiter blocked only by its key's concurrency is skipped
   * (other mailboxes go ahead); one blocked by the shared budget stops the line, so pacing stays fair.
   */
  function pump(): void {
    const now = clock.now();
    if (now < pausedUntil) {
      if (queue.length > 0) schedule(pausedUntil - now);
      return;
    }
    refill(now);
    for (let i = 0; i < queue.length && inFlight < concurrency;) {
      const w = queue[i]!;
      if (w.key !== undefined && (perKeyInFlight.get(w.key) ?? 0) >= perKey) {
        i++;
        continue;
      }
      const wait = waitFor(w.cost);
      if (wait > 0) {
        schedule(wait);
        return;
      }
      queue.splice(i, 1);
      grant(w);
    }
  }

  return {
    name: options.name,
    acquire(request = {}) {
      request.signal?.throwIfAborted();
      return new Promise<Release>((resolve, reject) => {
        const w: Waiter = { cost: request.cost ?? {}, key: request.key, resolve, reject };
        queue.push(w);
        request.signal?.addEventListener(
          'abort',
          () => {
            const i = queue.indexOf(w);
            if (i < 0) return;
            queue.splice(i, 1);
            reject(request.signal?.reason);
            pump();
          },
          { once: true },
        );
        pump();
      });
    },
    pauseUntil(untilMs) {
      if (untilMs > pausedUntil) pausedUntil = untilMs;
    },
    snapshot() {
      refill(clock.now());
      const tokens: Record<string, number> = {};
      for (const [name, b] of buckets) tokens[name] = b.tokens;
      return { inFlight, waiting: queue.length, pausedUntil, tokens };
    },
  };
}
