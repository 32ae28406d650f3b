import type { RunRefusal } from './controller-api.js';
import { holderOf, isLeader, type Leadership } from './leadership.js';

/** A run refused on a standby instance, naming the leader when the lock says who it is. */
export function notLeaderRefusal(l: Leadership): RunRefusal {
  const holder = holderOf(l);
  const who = holder
    ? `instance ${holder}`
    : l.state === 'unknown'
      ? 'unknown (the lock cannot be checked)'
      : 'another instance';
  return {
    accepted: false,
    reason: 'not-leader',
    message: `this instance is on standby; the leader is ${who}`,
  };
}

/**
 * A run refused while another is under way; while a standby's tick only checks the lock
 * (`preparing`), a request is refused as not-leader, not busy.
 */
export function busyRefusal(preparing: boolean, l: Leadership): RunRefusal {
  if (preparing && l.state !== 'unchecked' && !isLeader(l)) return notLeaderRefusal(l);
  return {
    accepted: false,
    reason: 'busy',
    message: 'a run is in progress; try again when it has finished',
  };
}
