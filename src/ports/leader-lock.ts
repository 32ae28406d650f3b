/**
 * Leadership among controller replicas: one holds the lock and reconciles, the others stand by.
 * The PostgreSQL adapter holds an advisory lock on a dedicated connection, so a leader that dies
 * (or loses its connection) frees it for a standby.
 */
export interface LeaderLock {
  /** Takes the lock when free (reconnecting first if the dedicated connection was lost). */
  tryAcquire(): Promise<boolean>;
  /** True when the dedicated connection is alive and its session holds the lock. */
  isHeld(): Promise<boolean>;
  /** Identity of the instance holding the lock, this one included; undefined when free. */
  holder(): Promise<string | undefined>;
  /** Ends the dedicated connection, which frees the lock. */
  release(): Promise<void>;
}
