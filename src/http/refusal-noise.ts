/**
 * Refusals that come whatever the pace. Microsoft may answer 429 "when the services are under
 * an important load" below the limits (https://learn.microsoft.com/graph/throttling-limits), and
 * an unreliable network or service can refuse a share of all requests. Slowing down does not
 * reduce those, so a pace that dropped on each would fall to nothing.
 *
 * Their share (the background) is sampled right after the pace dropped and the dropped pace was
 * tried: a budget's refusals stop there, the background goes on. The median of the last samples
 * is taken, and refusals count as the budget's only beyond what it explains.
 */
export interface RefusalNoise {
  /** Units that reached the service, refused or not. */
  record(units: number, refused: boolean): void;
  /** The pace dropped: the refusals that made it drop are spent. */
  dropped(): void;
  /** The dropped pace was tried: the next `SAMPLE_UNITS` units sample the background. */
  sample(): void;
  /** The background share of refusals, 0..1. */
  readonly background: number;
  /** More refusals among the last `RECENT_UNITS` units than the background explains. */
  excessive(): boolean;
}

/** Units per sample of the background, samples kept, and samples needed before one is known. */
const SAMPLE_UNITS = 60;
const SAMPLES = 5;
const MIN_SAMPLES = 2;
/** A background share below this is taken as none. */
export const NOTICEABLE = 0.05;
/** The recent refusals counted against the background. */
export const RECENT_UNITS = 30;

export function createRefusalNoise(): RefusalNoise {
  const samples: number[] = [];
  let sampling: { units: number; refused: number } | undefined;
  const recent: { units: number; refused: boolean }[] = [];
  let recentUnits = 0;
  let recentRefused = 0;

  /**
   * The lower median of the samples; under `NOTICEABLE` it is taken as none: a refusal or two in
   * a sample is what a pace at its budget's edge sees, not a background.
   */
  const background = () => {
    if (samples.length < MIN_SAMPLES) return 0;
    const median = [...samples].sort((a, b) => a - b)[(samples.length - 1) >> 1]!;
    return median < NOTICEABLE ? 0 : median;
  };

  return {
    record(units, refused) {
      if (sampling) {
        sampling.units += units;
        if (refused) sampling.refused += units;
        if (sampling.units >= SAMPLE_UNITS) {
          samples.push(sampling.refused / sampling.units);
          if (samples.length > SAMPLES) samples.shift();
          sampling = undefined;
        }
      }
      recent.push({ units, refused });
      recentUnits += units;
      if (refused) recentRefused += units;
      while (recent.length > 1 && recentUnits - recent[0]!.units >= RECENT_UNITS) {
        const old = recent.shift()!;
        recentUnits -= old.units;
        if (old.refused) recentRefused -= old.units;
      }
    },
    dropped() {
      recent.length = 0;
      recentUnits = 0;
      recentRefused = 0;
    },
    sample() {
      // A sample in progress goes on: under heavy noise the next drop comes before it ends.
      sampling ??= { units: 0, refused: 0 };
    },
    get background() {
      return background();
    },
    excessive() {
      // Two refusals close together when there is no background; else well above what it
      // explains (three standard deviations of the binomial count, plus one).
      const share = background();
      const expected = recentUnits * share;
      const threshold = Math.max(2, expected + 3 * Math.sqrt(expected * (1 - share)) + 1);
      return recentRefused >= threshold;
    },
  };
}
