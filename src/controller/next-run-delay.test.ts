import { describe, expect, it } from 'vitest';
import type { ScheduleSettings } from '../config/settings.js';
import {
  NO_SCHEDULE_RETRY_MS,
  OVERDUE_SWITCH_RETRY_MS,
  nextRunDelay,
  withCampaignDelay,
} from './next-run-delay.js';

const base: ScheduleSettings = {
  intervalSeconds: 60,
  jitterSeconds: 0,
  mode: 'observe',
  deepCheckIntervalSeconds: 86_400,
};
const now = new Date('2025-03-04T10:00:30.000Z');

describe('nextRunDelay', () => {
  it.each([
    ['first run: at once', base, undefined, 0.5, 0],
    ['one interval after the last start', base, new Date('2025-03-04T10:00:00.000Z'), 0.5, 30_000],
    [
      'a run longer than the interval: at once, never overlapping',
      base,
      new Date('2025-03-04T09:58:00.000Z'),
      0.5,
      0,
    ],
    [
      'jitter adds 0..jitter',
      { ...base, jitterSeconds: 10 },
      new Date('2025-03-04T10:00:00.000Z'),
      0.5,
      35_000,
    ],
    [
      'cron: the next slot',
      { ...base, intervalSeconds: undefined, cron: '*/5 * * * *' },
      undefined,
      0,
      270_000,
    ],
  ] as const)('%s', (_name, schedule, last, random, expected) => {
    expect(nextRunDelay(schedule, last, now, () => random)).toBe(expected);
  });

  it('without a configuration: retries later', () => {
    expect(nextRunDelay(undefined, undefined, now)).toBe(NO_SCHEDULE_RETRY_MS);
  });
});

describe('withCampaignDelay', () => {
  it('brings the next tick forward to a campaign switch, and retries an overdue one without spinning', () => {
    expect(withCampaignDelay(900_000, undefined)).toBe(900_000);
    expect(withCampaignDelay(900_000, 12_000)).toBe(12_000);
    expect(withCampaignDelay(3_000, 12_000)).toBe(3_000);
    // Overdue: a standby (or a leader that cannot read its lock) could not make it this tick.
    expect(withCampaignDelay(900_000, 0)).toBe(OVERDUE_SWITCH_RETRY_MS);
    expect(OVERDUE_SWITCH_RETRY_MS).toBeGreaterThan(0);
  });
});
