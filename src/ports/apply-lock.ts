/** Who holds a tenant's apply lock, as a refused apply names it. */
export interface ApplyLockHolder {
  host: string;
  pid: number;
  runId: string;
  actor: string;
  /** ISO-8601: when the lock was taken. */
  since: string;
}

export type ApplyLockResult =
  | { acquired: true; release(): Promise<void> }
  /** `holder` is undefined when the holder could not be named (it took the lock a moment ago). */
  | { acquired: false; holder?: ApplyLockHolder };

/**
 * One writer per tenant: every apply (CLI, controller, dashboard, rollback) holds the tenant's
 * apply lock while it writes, and only then. A second apply waits up to `timeoutMs` and is then
 * refused, told who holds the lock.
 */
export interface ApplyLock {
  acquire(
    tenantId: string,
    holder: Pick<ApplyLockHolder, 'runId' | 'actor'>,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<ApplyLockResult>;
}
