import type { LearnedPace } from '../ports/pacing-store.js';
import type { SignaturesPort } from '../ports/signatures.js';

/**
 * Writes a stretch needs before its pace is trusted: over fewer, a token bucket's burst or a
 * fresh fixed window at the start would make the pace look faster than it can be kept up.
 */
export const MIN_STRETCH_WRITES = 200;
/** A stretch ends when no signature write was under way for this long (the clock's ms). */
export const STRETCH_GAP_MS = 2_000;
/** The row of the learned-pacing table the achieved pace is kept in (beside the APIs' rows). */
export const SIGNATURE_WRITES_PACE = 'signature-writes';

/** Signature writes timed as they happen: what a campaign switch can expect to achieve. */
export interface SignatureWriteMeter {
  /** The port, each `setMessageConfig` timed from its call (waits in the limiter included) to its end. */
  port: SignaturesPort;
  /**
   * Signature writes per second achieved over the latest stretch of at least
   * `MIN_STRETCH_WRITES` (the one under way once it has that many), else the pace it started from.
   */
  achieved(): number | undefined;
  /** The pace this process measured, to keep in the state database; undefined before a stretch. */
  measured(at: Date): LearnedPace | undefined;
}

interface Stretch {
  from: number;
  lastEnd: number;
  writes: number;
}

const rateOf = (s: Stretch) => s.writes / Math.max((s.lastEnd - s.from) / 1000, 0.001);

/**
 * Times the writes of `port` on `now` (the run's clock). A stretch is a span during which a
 * signature write was always under way — waiting in the Exchange limiter or on the wire — so its
 * writes per second are what Exchange let through while Roster had more to write, not the pacer's
 * ceiling (`docs/pacing.md`). `initial` is the pace an earlier process measured.
 */
export function meterSignatureWrites(
  port: SignaturesPort,
  now: () => number,
  initial?: LearnedPace,
): SignatureWriteMeter {
  let inFlight = 0;
  let current: Stretch | undefined;
  let measured: number | undefined;
  const started = initial?.lanes.achieved?.rate;

  function closeIdle(t: number): void {
    if (!current || inFlight > 0 || t - current.lastEnd <= STRETCH_GAP_MS) return;
    if (current.writes >= MIN_STRETCH_WRITES) measured = rateOf(current);
    current = undefined;
  }

  function latest(): number | undefined {
    closeIdle(now());
    if (current && current.writes >= MIN_STRETCH_WRITES) return rateOf(current);
    return measured;
  }

  return {
    port: {
      getMessageConfigs: (identities) => port.getMessageConfigs(identities),
      async setMessageConfig(identity, update) {
        const t = now();
        closeIdle(t);
        const stretch = (current ??= { from: t, lastEnd: t, writes: 0 });
        inFlight += 1;
        let ok = false;
        try {
          const result = await port.setMessageConfig(identity, update);
          ok = true;
          return result;
        } finally {
          inFlight -= 1;
          stretch.lastEnd = now();
          if (ok) stretch.writes += 1;
        }
      },
    },
    achieved: () => latest() ?? started,
    measured(at) {
      const rate = latest();
      return rate === undefined
        ? undefined
        : { api: SIGNATURE_WRITES_PACE, lanes: { achieved: { rate } }, concurrency: 1, learnedAt: at };
    },
  };
}
