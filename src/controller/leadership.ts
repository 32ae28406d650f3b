import type { Logger } from '../logging/logger.js';
import type { LeaderLock } from '../ports/leader-lock.js';
import { errorText } from '../runs/run-result.js';

/**
 * This instance's standing among the replicas, as a state machine:
 * `unchecked` → (lock check) → `leader` | `standby` | `unknown` (the lock cannot be checked), and
 * back through any of them on every check; `stop` releases the lock and returns to `unchecked`.
 */
export type Leadership =
  | { state: 'unchecked' }
  | { state: 'leader'; holder: string }
  | { state: 'standby'; holder?: string }
  | { state: 'unknown'; error: string };

export interface LeadershipTracker {
  current(): Leadership;
  /** Takes the lock when free, else learns who holds it. */
  check(): Promise<Leadership>;
  /** Frees the lock (a standby takes over at its next check). */
  release(): Promise<void>;
}

export function isLeader(l: Leadership): boolean {
  return l.state === 'leader';
}

/** The holder's id when known. */
export function holderOf(l: Leadership): string | undefined {
  return l.state === 'leader' || l.state === 'standby' ? l.holder : undefined;
}

export function trackLeadership(options: {
  identity: string;
  /** Made on the first check (it needs the configuration's database settings). */
  lock: () => LeaderLock;
  logger: Logger;
  onChange?(leader: boolean): void;
}): LeadershipTracker {
  let lock: LeaderLock | undefined;
  let now: Leadership = { state: 'unchecked' };

  function move(next: Leadership, cause?: unknown): Leadership {
    const was = now;
    now = next;
    if (next.state === 'unknown' && (was.state !== 'unknown' || was.error !== next.error)) {
      options.logger.warn({ err: cause }, 'leader lock check failed');
    }
    if (isLeader(was) !== isLeader(next)) {
      const holder = holderOf(next) ?? null;
      const leader = isLeader(next);
      options.logger.info({ isLeader: leader, holder }, leader ? 'became the leader' : 'standing by');
    }
    options.onChange?.(isLeader(next));
    return next;
  }

  return {
    current: () => now,
    async check() {
      try {
        lock ??= options.lock();
        if (await lock.tryAcquire()) return move({ state: 'leader', holder: options.identity });
        const holder = await lock.holder();
        return move({ state: 'standby', ...(holder ? { holder } : {}) });
      } catch (error) {
        return move({ state: 'unknown', error: `cannot check the leader lock: ${errorText(error)}` }, error);
      }
    },
    async release() {
      await lock?.release();
      now = { state: 'unchecked' };
      options.onChange?.(false);
    },
  };
}
