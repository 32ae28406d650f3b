import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ApiName } from '../http/api-metrics.js';
import type { PlanAction, PlanHead } from '../plan/plan-model.js';
import { createRunProgress, createThrottleWaitMeter, progressIntervalMs } from './run-progress.js';

const head = (counts: { updateProfile: number; setPhoto: number; setSignature: number }) =>
  ({
    sourceCount: 10,
    summary: { employees: 10, matched: 10, inSync: 0, warnings: 0, ...counts },
  }) as PlanHead;
const action = (kind: PlanAction['kind']) => ({ kind }) as PlanAction;

function recorder() {
  const calls: string[] = [];
  return {
    calls,
    display: {
      show: () => calls.push('show'),
      pause: () => calls.push('pause'),
      stop: () => calls.push('stop'),
    },
  };
}

describe('run progress', () => {
  it('counts writes per aspect from the events, and the throttle wait of its API since writes began', () => {
    const meter = createThrottleWaitMeter();
    const pacing = (api: ApiName, throttleWaitMs: number) =>
      meter.pacing!(api, { rates: {}, concurrency: 1, throttled: 0, throttleWaitMs });
    let now = 1_000;
    const { calls, display } = recorder();
    const progress = createRunProgress({
      stream: new Writable(),
      terminal: false,
      intervalMs: 5_000,
      meter,
      now: () => now,
      display,
    });
    progress.events.planning!({ slices: 0, rows: 0, totalRows: 3 });
    progress.events.planning!({ slices: 1, rows: 3, totalRows: 3 });
    expect(progress.state()).toMatchObject({ phase: 'planning', plan: { slices: 1, rows: 3, totalRows: 3 } });
    // Planning waited 2 s on Graph: not the writes' wait.
    pacing('graph', 2_000);
    void progress.events.planned!(head({ updateProfile: 2, setPhoto: 1, setSignature: 0 }));
    // Writes before the confirmation said yes are not counted (there are none; this proves nothing is).
    progress.events.wrote!(action('update-profile'), 'applied');
    expect(progress.state().apply).toBeUndefined();
    now = 5_000;
    progress.applying();
    progress.events.wrote!(action('update-profile'), 'applied');
    progress.events.wrote!(action('update-profile'), 'failed');
    progress.events.wrote!(action('set-photo'), 'skipped-stale');
    pacing('graph', 2_500);
    pacing('graph-photos', 1_200);
    expect(progress.state().apply).toEqual({
      startedAt: 5_000,
      aspects: {
        profiles: { total: 2, done: 2, failed: 1, throttleWaitMs: 500 },
        photos: { total: 1, done: 1, failed: 0, throttleWaitMs: 1_200 },
        signatures: { total: 0, done: 0, failed: 0, throttleWaitMs: 0 },
      },
    });
    progress.events.finished!({} as never);
    progress.stop();
    expect(calls.filter((c) => c === 'stop')).toEqual(['stop']);
    expect(calls.indexOf('pause')).toBeGreaterThan(0);
  });

  it('on a terminal: cli-progress draws the planning bar, then one per aspect written, each with its line', async () => {
    let written = '';
    const tty = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          written += chunk.toString();
          done();
        },
      }),
      { isTTY: true, columns: 160 },
    );
    const meter = createThrottleWaitMeter();
    const progress = createRunProgress({ stream: tty, terminal: true, intervalMs: 5_000, meter });
    progress.events.planning!({ slices: 0, rows: 0, totalRows: 4 });
    // cli-progress redraws on its own schedule (5 a second).
    await new Promise((resolve) => setTimeout(resolve, 400));
    void progress.events.planned!(head({ updateProfile: 2, setPhoto: 0, setSignature: 1 }));
    progress.applying();
    progress.events.wrote!(action('update-profile'), 'applied');
    await new Promise((resolve) => setTimeout(resolve, 400));
    progress.stop();
    const screen = written.replace(new RegExp(String.raw`\u001b\[[0-9;?]*[A-Za-z]`, 'g'), '');
    expect(screen).toMatch(/planning: 0 slices, 0\/4 active employees/);
    expect(screen).toMatch(/█+░+ profile updates 1\/2, [\d.]+\/s, ETA \d+s, throttled 0s/);
    expect(screen).toMatch(/░+ signatures 0\/1, –\/s, ETA –, throttled 0s/);
    expect(screen).not.toContain('photos');
  });

  it('ROSTER_PROGRESS_INTERVAL takes seconds, minutes or milliseconds', () => {
    expect([undefined, '5s', '500ms', '1m'].map(progressIntervalMs)).toEqual([5_000, 5_000, 500, 60_000]);
    expect(() => progressIntervalMs('0s')).toThrow(/ROSTER_PROGRESS_INTERVAL must be a duration/);
    expect(() => progressIntervalMs('fast')).toThrow(/not fast/);
  });
});
