import { Cron } from 'croner';
import type { ScheduleSettings } from '../config/settings.js';

/** How long to wait without a valid configuration (and so without a schedule) before retrying. */
export const NO_SCHEDULE_RETRY_MS = 60_000;

/**
 * Milliseconds until the next scheduled run: the next cron slot (croner), or one interval after
 * the previous run started (a run longer than the interval is followed at once, never overlapped),
 * plus a random 0..jitter delay so replicas and tenants do not all hit Microsoft at the same second.
 */
export function nextRunDelay(
  schedule: ScheduleSettings | undefined,
  lastStart: Date | undefined,
  now: Date,
  random: () => number = Math.random,
): number {
  if (!schedule) return NO_SCHEDULE_RETRY_MS;
  const jitter = Math.floor(random() * schedule.jitterSeconds * 1000);
  if (schedule.cron) {
    const ms = new Cron(schedule.cron, { paused: true }).msToNext(now);
    // A pattern with no future slot (a date long past): fall back to the retry delay.
    return (ms ?? NO_SCHEDULE_RETRY_MS) + jitter;
  }
  const interval = (schedule.intervalSeconds ?? 900) * 1000;
  const due = lastStart ? lastStart.getTime() + interval : now.getTime();
  return Math.max(0, due - now.getTime()) + jitter;
}

/**
 * An overdue campaign switch is retried this often: the tick that just ran could not make it (a
 * standby, the leader lock unreadable, no valid configuration), so the next try waits a little
 * instead of spinning.
 */
export const OVERDUE_SWITCH_RETRY_MS = 5_000;

/**
 * The delay until the next tick: the regular one, or sooner for a campaign switch's run (`campaign`:
 * milliseconds until it is due; 0 when overdue, which waits `OVERDUE_SWITCH_RETRY_MS`).
 */
export function withCampaignDelay(regular: number, campaign: number | undefined): number {
  if (campaign === undefined) return regular;
  return Math.min(regular, campaign > 0 ? campaign : OVERDUE_SWITCH_RETRY_MS);
}
