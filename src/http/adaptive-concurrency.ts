/**
 * How many requests of one API are in flight at once, learned like the rate: it grows only while
 * requests wait for a free slot and nothing else (then more in flight means more throughput), by
 * one per `limit` such completions before any refusal and fifty times slower after one; a refusal
 * for concurrency sets it just below the number that was in flight.
 */
export interface AdaptiveConcurrencyOptions {
  start: number;
  /** Never more (a set ceiling, or a sane bound when none is set). */
  max: number;
  /** A learned start: grow slowly from the beginning. */
  learned?: boolean;
}

export interface AdaptiveConcurrency {
  readonly limit: number;
  /** A request finished while the next one waited only for its slot. */
  starved(): void;
  /** The service refused a request that went out as the `inFlight`-th at once. */
  refused(inFlight: number): void;
}

/** After a refusal, growth needs this many times more starved completions. */
const CAREFUL = 50;

export function createAdaptiveConcurrency(options: AdaptiveConcurrencyOptions): AdaptiveConcurrency {
  const max = Math.max(1, Math.floor(options.max));
  let limit = Math.min(max, Math.max(1, Math.floor(options.start)));
  let careful = options.learned ?? false;
  let credit = 0;
  return {
    get limit() {
      return limit;
    },
    starved() {
      credit += 1;
      if (credit < limit * (careful ? CAREFUL : 1)) return;
      credit = 0;
      limit = Math.min(max, limit + 1);
    },
    refused(inFlight) {
      careful = true;
      credit = 0;
      limit = Math.max(1, Math.min(limit, inFlight - 1));
    },
  };
}
