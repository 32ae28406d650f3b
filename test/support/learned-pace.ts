import type { LearnedPace } from '../../src/ports/pacing-store.js';

/**
 * What a tenant that Roster has paced before would have in its state database: generous paces,
 * measured, learned just now. For tests about something else than pacing, so each does not
 * begin with seconds of slow start from the cautious default (`docs/pacing.md`).
 */
export function learnedBefore(now = new Date()): LearnedPace[] {
  const lane = (rate: number) => ({ rate, estimate: rate });
  return [
    { api: 'graph', lanes: { units: lane(800), writes: lane(50) }, concurrency: 4, learnedAt: now },
    { api: 'graph-photos', lanes: { requests: lane(200) }, concurrency: 4, learnedAt: now },
    { api: 'exchange', lanes: { requests: lane(100) }, concurrency: 3, learnedAt: now },
  ];
}
