import { setFlagsFromString } from 'node:v8';

/**
 * V8 options Roster's process starts with: the `roster` command's first line, the container's
 * entry point and the benchmark's Roster process all pass them (V8 reads them only at start, so
 * `useMemoryProfile` cannot set them). A young generation of 2 × 4 MB instead of V8's 2 × 16 MB:
 * Roster's objects either die young (responses, rows, rendered text) or live for the whole run
 * (desired and observed state), so the larger nursery buys little and its 24 MB stay resident.
 * At 50,000 employees it took the initial plan's peak RSS from 311 to 275 MB.
 */
export const ROSTER_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=4'];

/**
 * Roster waits on Microsoft's throttling, not on the CPU, yet V8's default lets the old
 * generation grow to several times what is live before a full collection: the resident memory of
 * a plan is mostly garbage not yet collected. Growing the heap by at most 20 % past what the last
 * full collection left halves Roster's peak RSS (10,000 employees: ~550 → ~290 MB) and costs no
 * measurable wall time (`npm run bench`). `--optimize-for-size` saves more memory but shrinks the
 * young generation so far that the same plan took 60 % longer. Called first thing by the CLI (and
 * the benchmark's Roster process); V8 reads the flag at each heap resize.
 */
export function useMemoryProfile(): void {
  setFlagsFromString('--heap-growing-percent=20');
}
