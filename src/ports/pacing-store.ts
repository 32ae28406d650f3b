/**
 * What Roster learned about one API's pace in a tenant: the rate of each budget (units per
 * second), the budget as last measured when known, the concurrency, and when. The next run or
 * controller cycle starts from it instead of from the cautious default (`docs/pacing.md`).
 */
export interface LearnedPace {
  api: string;
  lanes: Record<string, { rate: number; estimate?: number }>;
  concurrency: number;
  learnedAt: Date;
}

/** Where learned paces are kept: Roster's state database. */
export interface PacingStore {
  /** Every API's learned pace for the tenant (none for a fresh database). */
  loadPacing(tenantId: string): Promise<LearnedPace[]>;
  /** Replaces the learned pace of each API given; others stay. */
  savePacing(tenantId: string, paces: readonly LearnedPace[]): Promise<void>;
  close(): Promise<void>;
}
