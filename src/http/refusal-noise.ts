/**
 * Refusals that come whatever the pace. Microsoft may answer 429 "when the services are under
 * an important load" below the limits (https://learn.microsoft.com/graph/throttling-limits), and
 * an unreliable network or service can refuse a share of all requests. Slowing down does not
 * reduce those, so a pace that dropped on each would fall to nothing. This tracks their share
 * (the lowest share of refusals among recent windows: a budget's refusals come and go with the
 * pace, the background stays), and says when refusals exceed it.
 */
export interface RefusalNoise {
  /** Units that reached the service, refused or not. */
  record(units: number, refused: boolean): void;
  /** The background share of refusals, 0..1. */
  readonly background: number;
  /** More refusals among the last `RECENT_UNITS` units than the background explains. */
  excessive(): boolean;
}

/** Units per window of the background estimate, and windows kept. */
const WINDOW_UNITS = 100;
const WINDOWS = 5;
/** A background needs this many windows; before, it is taken as none. */
const MIN_WINDOWS = 3;
/** The recent refusals counted against the background. */
export const RECENT_UNITS = 30;

export function createRefusalNoise(): RefusalNoise {
  const windows: number[] = [];
  let current = { units: 0, refused: 0 };
  const recent: { units: number; refused: boolean }[] = [];
  let recentUnits = 0;
  let recentRefused = 0;

  const background = () => (windows.length < MIN_WINDOWS ? 0 : Math.min(...windows));

  return {
    record(units, refused) {
      current.units += units;
      if (refused) current.refused += units;
      if (current.units >= WINDOW_UNITS) {
        windows.push(current.refused / current.units);
        if (windows.length > WINDOWS) windows.shift();
        current = { units: 0, refused: 0 };
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
