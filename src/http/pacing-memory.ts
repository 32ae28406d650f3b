import type { LearnedPace, PacingStore } from '../ports/pacing-store.js';
import { learnedPaces, type ApiLimiters } from './api-limiters.js';
import type { DebugLogger } from './http-client.js';

/** A long run or a controller saves what it learned this often, so a crash loses little. */
export const SAVE_EVERY_MS = 5 * 60_000;

/**
 * What earlier runs learned of the tenant's APIs. Pacing is an optimisation: a store that cannot
 * be read means a cautious start, never a failed run.
 */
export async function loadLearnedPacing(
  store: PacingStore,
  tenantId: string,
  logger?: DebugLogger,
): Promise<LearnedPace[]> {
  try {
    return await store.loadPacing(tenantId);
  } catch (error) {
    logger?.debug({ err: error }, 'learned pacing not loaded: starting cautiously');
    return [];
  }
}

export interface PacingMemory {
  /** Saves what the limiters learned now (APIs without enough traffic are left as they were). */
  save(): Promise<void>;
  /** Stops the periodic saves and saves a last time. */
  stop(): Promise<void>;
}

/** Saves the limiters' learned paces every `intervalMs` and once more at `stop()`. */
export function keepLearnedPacing(options: {
  store: PacingStore;
  tenantId: string;
  limiters: ApiLimiters;
  intervalMs?: number;
  now?: () => Date;
  logger?: DebugLogger;
  /** Further paces measured beside the limiters' (the signature writes achieved), kept alike. */
  also?: (at: Date) => LearnedPace[];
}): PacingMemory {
  const now = options.now ?? (() => new Date());
  let saving: Promise<void> = Promise.resolve();
  const save = () => {
    saving = saving.then(async () => {
      try {
        const at = now();
        const paces = [...learnedPaces(options.limiters, at), ...(options.also?.(at) ?? [])];
        await options.store.savePacing(options.tenantId, paces);
      } catch (error) {
        options.logger?.debug({ err: error }, 'learned pacing not saved');
      }
    });
    return saving;
  };
  const timer = setInterval(() => void save(), options.intervalMs ?? SAVE_EVERY_MS);
  timer.unref();
  return {
    save,
    async stop() {
      clearInterval(timer);
      await save();
    },
  };
}
