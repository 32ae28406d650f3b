import { setFlagsFromString } from 'node:v8';

/**
 * Roster waits on Microsoft's throttling, not on the CPU. V8's default heap sizing — a young
 * generation of up to 32 MB and an old generation that grows well ahead of what is live — buys
 * speed Roster cannot use and costs resident memory: a first plan of 50,000 employees peaked at
 * ~800 MB with it and ~330 MB without (`npm run bench`). `--optimize-for-size` makes V8 collect
 * sooner and keep the young generation small. Called first thing by the CLI (and the benchmark's
 * Roster process), before anything large is allocated; V8 reads the flag at each heap resize.
 */
export function useMemoryProfile(): void {
  setFlagsFromString('--optimize-for-size');
}
