import { createInterface } from 'node:readline/promises';
import { UsageError } from '../errors/roster-error.js';

/**
 * Asks on a TTY whether to go ahead; only "yes" is accepted (as Terraform does). Without a TTY and
 * without `--auto-approve` there is nobody to ask, so nothing is applied.
 */
export async function confirmApply(question: string, options: { autoApprove: boolean }): Promise<boolean> {
  if (options.autoApprove) return true;
  refuseWithoutTerminal(options);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question}\n  Only 'yes' will be accepted: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}

/**
 * Nobody can be asked without a terminal: called before anything is planned, so the refusal comes
 * at once instead of after the whole plan was printed.
 */
export function refuseWithoutTerminal(options: { autoApprove: boolean }): void {
  if (options.autoApprove || process.stdin.isTTY) return;
  throw new UsageError('refusing to apply without confirmation: no terminal to ask; pass --auto-approve');
}

/** SIGINT/SIGTERM stop the start of new writes; the ones in flight finish and are journaled. */
export function abortOnSignals(onAbort: (signal: string) => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) onAbort(signal);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
