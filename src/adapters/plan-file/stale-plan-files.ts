import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** The private copies `apply FILE` reads from: `roster-plan-<pid>-<random>` in the temp folder. */
export const PLAN_COPY_PREFIX = 'roster-plan-';

/** Whether a process with this id is alive (one we may not signal is alive too). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/**
 * Removes what killed Roster processes left behind: private plan copies in the temp folder
 * (`roster-plan-<pid>-…`) and half-written plan files beside `target` (`<target>.<pid>.partial`),
 * of processes that are no longer alive. A live process's files are never touched. Best effort:
 * a file that cannot be removed is left for the next start.
 */
export async function removeStalePlanFiles(target?: string, tempDir: string = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  const sweep = async (dir: string, match: (name: string) => number | undefined) => {
    for (const name of await entries(dir)) {
      const pid = match(name);
      if (pid === undefined || pid === process.pid || alive(pid)) continue;
      const path = join(dir, name);
      await rm(path, { recursive: true, force: true }).then(
        () => removed.push(path),
        () => undefined,
      );
    }
  };
  const copy = new RegExp(`^${PLAN_COPY_PREFIX}(\\d+)-`);
  await sweep(tempDir, (name) => pidOf(copy.exec(name)));
  if (target) {
    const partial = new RegExp(`^${escape(basename(target))}\\.(\\d+)\\.partial$`);
    await sweep(dirname(target), (name) => pidOf(partial.exec(name)));
  }
  return removed;
}

function pidOf(match: RegExpExecArray | null): number | undefined {
  const pid = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
