import { setFlagsFromString } from 'node:v8';

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
