import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeStalePlanFiles } from './stale-plan-files.js';

/** The id of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('removeStalePlanFiles', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stale-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("removes a dead process's plan copies and partial plan files, never a live one's", async () => {
    const dead = deadPid();
    await mkdir(join(dir, `roster-plan-${dead}-abc123`));
    await writeFile(join(dir, `roster-plan-${dead}-abc123`, 'plan.json'), '{}');
    await mkdir(join(dir, `roster-plan-${process.pid}-mine00`));
    await mkdir(join(dir, `roster-plan-1-init00`)); // pid 1 is alive (and not ours to signal, maybe)
    await writeFile(join(dir, `plan.json.${dead}.partial`), '{');
    await writeFile(join(dir, `plan.json.${process.pid}.partial`), '{');
    await writeFile(join(dir, `other.json.${dead}.partial`), '{');
    await writeFile(join(dir, 'roster-plan-notapid'), '');

    const removed = await removeStalePlanFiles(join(dir, 'plan.json'), dir);
    expect(removed.sort()).toEqual(
      [join(dir, `plan.json.${dead}.partial`), join(dir, `roster-plan-${dead}-abc123`)].sort(),
    );
    expect((await readdir(dir)).sort()).toEqual(
      [
        `other.json.${dead}.partial`,
        `plan.json.${process.pid}.partial`,
        'roster-plan-1-init00',
        `roster-plan-${process.pid}-mine00`,
        'roster-plan-notapid',
      ].sort(),
    );
  });
});
