import { describe, expect, it } from 'vitest';
import type { Campaign } from '../desired/campaign-model.js';
import type { RunSummary } from '../runs/run-summary.js';
import { createCampaignTimer, type TimerInputs } from './campaign-timer.js';

const T0 = Date.UTC(2026, 11, 14, 8);
const MIN = 60_000;

const flash: Campaign = {
  id: 'flash',
  name: 'Flash',
  priority: 0,
  file: 'desired-state/campaigns/flash.yaml',
  banner: { imageUrl: 'https://cdn/x.png', width: 400, alt: 'x', link: 'https://x/', href: 'https://x/' },
  start: { instant: T0, at: '', timeZone: 'UTC', rollout: 'notBefore' },
  end: { instant: T0 + 60 * MIN, at: '', timeZone: 'UTC', rollout: 'notBefore' },
  target: { offices: [], titles: [], employees: [], exclude: [] },
};

function run(id: string, startedAt: number, counts: { applied: number; planned: number }): RunSummary {
  return {
    id,
    kind: 'plan',
    startedAt: new Date(startedAt).toISOString(),
    durationSeconds: 2,
    outcome: 'succeeded',
    actions: { 'update-profile': 0, 'set-photo': 0, 'set-signature': counts.planned },
    results: { applied: counts.applied, 'skipped-stale': 0, failed: 0 },
    warnings: 0,
    guardrailsTripped: [],
  };
}

describe('the campaign timer', () => {
  it('in observe mode reports the pending switch, once, and then the next one', () => {
    const timer = createCampaignTimer();
    const inputs = (now: number): TimerInputs => ({
      campaigns: [flash],
      now: new Date(now),
      since: new Date(T0 - 10 * MIN),
      latest: undefined,
      writesPerSecond: undefined,
    });
    expect(timer.delay(inputs(T0 - 5 * MIN))).toBe(5 * MIN);
    expect(timer.begin(inputs(T0 - 5 * MIN)).due).toEqual([]);

    const switching = timer.begin(inputs(T0 + 10));
    expect(switching.due.map((s) => s.kind)).toEqual(['start']);
    timer.finish(switching.due, run('r1', T0 + 10, { applied: 0, planned: 12 }), 'observe');
    expect(timer.begin(inputs(T0 + 20)).due).toEqual([]);
    expect(timer.status(inputs(T0 + 20))).toEqual({
      upcoming: [
        {
          campaign: 'flash',
          kind: 'end',
          at: new Date(T0 + 60 * MIN).toISOString(),
          rollout: 'notBefore',
          runAt: new Date(T0 + 60 * MIN).toISOString(),
        },
      ],
      lastSwitch: {
        switches: [{ campaign: 'flash', kind: 'start', at: new Date(T0).toISOString() }],
        mode: 'observe',
        runId: 'r1',
        startedAt: new Date(T0 + 10).toISOString(),
        tookSeconds: 2,
        outcome: 'succeeded',
        signatures: 12,
      },
    });
    expect(timer.delay(inputs(T0 + 20))).toBe(60 * MIN - 20);
  });
});
