import type { LearnedPace } from '../ports/pacing-store.js';
import type { AdaptiveConcurrencyOptions } from './adaptive-concurrency.js';
import type { AdaptiveRateOptions } from './adaptive-rate.js';

/** A learned pace is used as it is for a day… */
export const FRESH_FOR_MS = 24 * 3_600_000;
/** …then it moves halfway back to the cautious default every week. */
export const HALF_LIFE_MS = 7 * 24 * 3_600_000;
/** Below this weight the learned pace is forgotten: slow start again, as on a fresh database. */
const FORGOTTEN = 0.1;

/** The cautious default of one API: a rate per budget and a concurrency. */
export interface CautiousPace {
  lanes: Record<string, number>;
  concurrency: number;
}

/** How much of a learned pace of this age still counts (1 = all of it, 0 = none). */
export function learnedWeight(ageMs: number): number {
  if (!(ageMs > FRESH_FOR_MS)) return 1;
  return 0.5 ** ((ageMs - FRESH_FOR_MS) / HALF_LIFE_MS);
}

/**
 * Where one API's limiter starts: the cautious default in slow start, or the learned pace moved
 * toward the default by its age. Rates move geometrically (a budget is a scale, and a rate four
 * times the default halfway back is twice it); concurrency moves linearly.
 */
export function startingPace(
  cautious: CautiousPace,
  learned: LearnedPace | undefined,
  now: Date,
): { lanes: Record<string, AdaptiveRateOptions>; concurrency: Omit<AdaptiveConcurrencyOptions, 'max'> } {
  const weight = learned ? learnedWeight(now.getTime() - learned.learnedAt.getTime()) : 0;
  const lanes: Record<string, AdaptiveRateOptions> = {};
  for (const [name, base] of Object.entries(cautious.lanes)) {
    const known = learned?.lanes[name];
    if (!known || weight < FORGOTTEN || !(known.rate > 0)) {
      lanes[name] = { rate: base, phase: 'slow-start' };
      continue;
    }
    const toward = (value: number) => base * (value / base) ** weight;
    lanes[name] = {
      rate: toward(known.rate),
      phase: known.estimate === undefined ? 'slow-start' : 'probing',
      ...(known.estimate !== undefined && known.estimate > 0 ? { prior: toward(known.estimate) } : {}),
    };
  }
  if (!learned || weight < FORGOTTEN) return { lanes, concurrency: { start: cautious.concurrency } };
  const concurrency = Math.round(
    cautious.concurrency + (learned.concurrency - cautious.concurrency) * weight,
  );
  return { lanes, concurrency: { start: Math.max(1, concurrency), learned: true } };
}
