/** One signature write as the simulator recorded it, its time on Roster's (scaled) clock. */
export interface TimedWrite {
  /** Epoch ms of the scaled clock. */
  at: number;
  /** The mailbox's user principal name, lower-cased. */
  mailbox: string;
}

/** When a campaign switch's writes came, relative to the moment it declared. */
export interface SwitchTiming {
  /** Mailboxes in the audience. */
  audience: number;
  /** Audience mailboxes written at least once. */
  written: number;
  /** Writes to audience mailboxes before the declared moment. */
  writesBeforeMoment: number;
  /** Writes to mailboxes outside the audience (none is allowed). */
  outsideWrites: number;
  /** Seconds from the declared moment to the first audience write (negative: before it). */
  firstWriteSeconds?: number;
  /** Seconds from the declared moment until 99 % of the audience had been written (unknown: never). */
  p99Seconds?: number;
  /** The same for the whole audience. */
  allSeconds?: number;
}

/**
 * The timing of one switch from the simulator's record: each audience mailbox counts as switched
 * at its last write of the record (the write that left the banner there; the orchestrator checks
 * that it did), so a mailbox written twice counts at the later write.
 */
export function switchTiming(
  writes: readonly TimedWrite[],
  audience: ReadonlySet<string>,
  moment: number,
): SwitchTiming {
  const last = new Map<string, number>();
  let outsideWrites = 0;
  let writesBeforeMoment = 0;
  let first: number | undefined;
  for (const w of writes) {
    if (!audience.has(w.mailbox)) {
      outsideWrites += 1;
      continue;
    }
    if (w.at < moment) writesBeforeMoment += 1;
    first = first === undefined ? w.at : Math.min(first, w.at);
    last.set(w.mailbox, Math.max(last.get(w.mailbox) ?? -Infinity, w.at));
  }
  const times = [...last.values()].sort((a, b) => a - b);
  const seconds = (ms: number | undefined) => (ms === undefined ? undefined : (ms - moment) / 1000);
  // The moment the n-th mailbox of the audience was switched, if that many were.
  const nth = (n: number) => (n >= 1 && times.length >= n ? times[n - 1] : undefined);
  const p99 = nth(Math.ceil(audience.size * 0.99));
  const all = nth(audience.size);
  return {
    audience: audience.size,
    written: times.length,
    writesBeforeMoment,
    outsideWrites,
    ...(first !== undefined ? { firstWriteSeconds: seconds(first)! } : {}),
    ...(p99 !== undefined ? { p99Seconds: seconds(p99)! } : {}),
    ...(all !== undefined ? { allSeconds: seconds(all)! } : {}),
  };
}
