import { createAdaptiveConcurrency, type AdaptiveConcurrencyOptions } from './adaptive-concurrency.js';
import type { AdaptiveRateOptions, AdaptiveRateSnapshot } from './adaptive-rate.js';
import type { Clock } from './clock.js';
import type { PaceSignal } from './pace-signal.js';
import { createPacedLane, PACE_TOLERANCE_MS, type LaneGrant, type PacedLane } from './paced-lane.js';

/** One API's client-side pacing (Graph identity, Graph photos, Exchange); see `docs/pacing.md`. */
export interface RateLimiterOptions {
  name: string;
  clock: Clock;
  /** Named budgets a request may draw on, e.g. `{ units: …, writes: … }`, each paced on its own. */
  lanes: Record<string, AdaptiveRateOptions>;
  concurrency: AdaptiveConcurrencyOptions;
  /** Requests in flight at once for one key (a mailbox); unlimited when absent. */
  perKeyConcurrency?: number;
  /** Requests per second for one key, when a ceiling is set. */
  perKeyRate?: number;
}

/** What one request asks of the limiter. */
export interface AcquireRequest {
  /** Units per budget name; a budget not named costs nothing. */
  cost?: Record<string, number>;
  /** Per-key limits (e.g. the mailbox a photo request touches). */
  key?: string;
  signal?: AbortSignal;
}

/** One request's turn: release it when the attempt ends, report what the service said. */
export interface Permit {
  release(): void;
  /** May be called after release, and several times (once per `$batch` item). */
  report(signal: PaceSignal): void;
}

export interface RateLimiterSnapshot {
  inFlight: number;
  waiting: number;
  pausedUntil: number;
  concurrency: number;
  lanes: Record<string, AdaptiveRateSnapshot>;
  /** Refusals reported (429/503, concurrency, per key). */
  throttled: number;
  /** Time every caller was held by refusals (Retry-After or backoff), milliseconds. */
  throttleWaitMs: number;
}

/** What a limiter learned, to start the next run from. */
export interface LearnedLimits {
  lanes: Record<string, { rate: number; estimate?: number }>;
  concurrency: number;
}

/** A pacer + concurrency limit shared by every caller of one API. */
export interface RateLimiter {
  readonly name: string;
  acquire(request?: AcquireRequest): Promise<Permit>;
  /** Holds every caller until `untilMs` (epoch). */
  pauseUntil(untilMs: number): void;
  snapshot(): RateLimiterSnapshot;
  /** Undefined until the limiter saw enough traffic to have learned anything. */
  learned(): LearnedLimits | undefined;
}

/** Successes needed before a limiter's state is worth keeping. */
const EVIDENCE = 20;
/** A mailbox that refused without Retry-After is left alone this long. */
const KEY_PAUSE_MS = 1_000;

interface Waiter {
  cost: Record<string, number>;
  key: string | undefined;
  resolve(permit: Permit): void;
  reject(err: unknown): void;
}

interface KeyState {
  inFlight: number;
  nextAt: number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { clock } = options;
  const lanes = new Map<string, PacedLane>();
  for (const [name, spec] of Object.entries(options.lanes)) lanes.set(name, createPacedLane(spec));
  const concurrency = createAdaptiveConcurrency(options.concurrency);
  const perKeyLimit =
    options.perKeyConcurrency === undefined ? Infinity : Math.max(1, options.perKeyConcurrency);
  const keyGapMs = options.perKeyRate === undefined ? 0 : 1000 / options.perKeyRate;
  const keys = new Map<string, KeyState>();
  const queue: Waiter[] = [];
  let inFlight = 0;
  let pausedUntil = 0;
  let wakeAt = Infinity;
  let starved = false;
  let throttled = 0;
  let throttleWaitMs = 0;
  let successes = 0;

  function pauseUntil(untilMs: number): void {
    const now = clock.now();
    if (untilMs <= pausedUntil) return;
    throttleWaitMs += untilMs - Math.max(now, pausedUntil);
    pausedUntil = untilMs;
    for (const lane of lanes.values()) lane.hold(untilMs);
  }

  /** When every budget of `cost` allows it (≤ now = at once). */
  function readyAt(cost: Record<string, number>, now: number): number {
    let at = -Infinity;
    for (const [name, amount] of Object.entries(cost)) {
      const lane = lanes.get(name);
      if (lane && amount > 0) at = Math.max(at, lane.readyAt(now));
    }
    return at;
  }

  function keyBlocked(w: Waiter, now: number): number | 'full' | undefined {
    if (w.key === undefined) return undefined;
    const k = keys.get(w.key);
    if (!k) return undefined;
    if (k.inFlight <= 0 && k.nextAt <= now) {
      keys.delete(w.key);
      return undefined;
    }
    if (k.inFlight >= perKeyLimit) return 'full';
    return k.nextAt > now ? k.nextAt : undefined;
  }

  function grant(w: Waiter, now: number): void {
    const grants = new Map<string, LaneGrant>();
    for (const [name, amount] of Object.entries(w.cost)) {
      const lane = lanes.get(name);
      if (lane && amount > 0) grants.set(name, lane.grant(amount, now));
    }
    inFlight++;
    const atGrant = inFlight;
    if (w.key !== undefined) {
      const k = keys.get(w.key) ?? { inFlight: 0, nextAt: -Infinity };
      k.inFlight += 1;
      if (keyGapMs > 0) k.nextAt = Math.max(k.nextAt, now - PACE_TOLERANCE_MS) + keyGapMs;
      keys.set(w.key, k);
    }
    let released = false;
    w.resolve({
      release() {
        if (released) return;
        released = true;
        inFlight--;
        if (w.key !== undefined) {
          const k = keys.get(w.key);
          if (k) {
            k.inFlight -= 1;
            if (k.inFlight <= 0 && k.nextAt <= clock.now()) keys.delete(w.key);
          }
        }
        if (starved) {
          starved = false;
          concurrency.starved();
        }
        pump();
      },
      report(signal) {
        onSignal(signal, w, atGrant, grants);
        pump();
      },
    });
  }

  function onSignal(signal: PaceSignal, w: Waiter, atGrant: number, grants: Map<string, LaneGrant>): void {
    const now = clock.now();
    if (signal.kind === 'admitted') {
      successes += 1;
      for (const [name, amount] of Object.entries(signal.cost ?? w.cost)) {
        const g = grants.get(name);
        if (g && amount > 0) lanes.get(name)!.admitted(g, amount, now, signal.usage, signal.hint);
      }
      return;
    }
    throttled += 1;
    if (signal.kind === 'concurrency') {
      concurrency.refused(atGrant);
      return;
    }
    if (signal.kind === 'key-refused') {
      // A per-mailbox limit: that mailbox waits, the others go on.
      if (w.key === undefined) return;
      const k = keys.get(w.key) ?? { inFlight: 0, nextAt: -Infinity };
      k.nextAt = Math.max(k.nextAt, now + (signal.retryAfterMs ?? KEY_PAUSE_MS));
      keys.set(w.key, k);
      return;
    }
    const cost = signal.cost ?? w.cost;
    for (const name of signal.lane ? [signal.lane] : Object.keys(cost)) {
      const g = grants.get(name);
      if (!g) continue;
      const until = lanes.get(name)!.refused(g, cost[name] ?? 0, now, signal.retryAfterMs, signal.hint);
      if (until !== undefined) pauseUntil(until);
    }
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
   * Grants waiters in arrival order. A waiter held only by its key (mailbox) is skipped, so other
   * mailboxes go ahead; one held by a shared budget stops the line, so pacing stays fair.
   */
  function pump(): void {
    const now = clock.now();
    if (now < pausedUntil) {
      if (queue.length > 0) schedule(pausedUntil - now);
      return;
    }
    let wake = Infinity;
    let i = 0;
    while (i < queue.length && inFlight < concurrency.limit) {
      const w = queue[i]!;
      const key = keyBlocked(w, now);
      if (key !== undefined) {
        if (key !== 'full') wake = Math.min(wake, key);
        i++;
        continue;
      }
      const at = readyAt(w.cost, now);
      if (at > now) {
        wake = Math.min(wake, at);
        break;
      }
      queue.splice(i, 1);
      grant(w, now);
    }
    if (inFlight >= concurrency.limit && i < queue.length && readyAt(queue[i]!.cost, now) <= now)
      starved = true;
    if (wake < Infinity) schedule(Math.max(1, wake - now));
  }

  return {
    name: options.name,
    acquire(request = {}) {
      request.signal?.throwIfAborted();
      return new Promise<Permit>((resolve, reject) => {
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
    pauseUntil,
    snapshot() {
      const out: Record<string, AdaptiveRateSnapshot> = {};
      for (const [name, lane] of lanes) out[name] = lane.snapshot();
      return {
        inFlight,
        waiting: queue.length,
        pausedUntil,
        concurrency: concurrency.limit,
        lanes: out,
        throttled,
        throttleWaitMs,
      };
    },
    learned() {
      if (successes < EVIDENCE && throttled === 0) return undefined;
      const out: LearnedLimits['lanes'] = {};
      for (const [name, lane] of lanes) {
        const s = lane.snapshot();
        // A rate still in slow start has not met its budget: half of it is what was shown to work.
        out[name] =
          s.estimate === undefined
            ? { rate: s.phase === 'slow-start' ? s.rate / 2 : s.rate }
            : { rate: s.rate, estimate: s.estimate };
      }
      return { lanes: out, concurrency: concurrency.limit };
    },
  };
}
