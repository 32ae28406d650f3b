import type { AppliedDigest, LastAppliedRecord } from '../observe/model.js';

export type RunKind = 'plan' | 'apply' | 'rollback';

/**
 * How a run ended: `partial` = some actions failed (the others went through); `stopped` = a
 * guardrail or the plan's staleness stopped it before any write.
 */
export type RunOutcome = 'succeeded' | 'partial' | 'failed' | 'stopped';

/** Named counters of a run (`create`, `update`, `applied`, `failed`, …). */
export type RunCounts = Record<string, number>;

/** What is known when a run starts. */
export interface RunStart {
  /** Generated when absent. */
  id?: string;
  kind: RunKind;
  tenantId: string;
  /** Who started it: a user name, `controller`, `ci:<job>`. */
  actor: string;
  planHash?: string | null;
  configRevision?: string | null;
  sourceCount?: number | null;
}

/** A run as stored. Times are ISO-8601 strings. */
export interface RunRecord {
  id: string;
  kind: RunKind;
  tenantId: string;
  actor: string;
  startedAt: string;
  /** Null while running (or when the process died mid-run). */
  finishedAt: string | null;
  outcome: RunOutcome | null;
  planHash: string | null;
  configRevision: string | null;
  counts: RunCounts;
  sourceCount: number | null;
  error: string | null;
}

/** The outcome of one write (or skipped write) to the tenant, with what it expected and set. */
export interface JournalEntry {
  /** The plan action's stable key (employee + aspect). */
  actionKey: string;
  userId: string | null;
  employeeEmail: string | null;
  aspect: LastAppliedRecord['aspect'];
  before: unknown;
  after: unknown;
  status: 'applied' | 'skipped-stale' | 'failed';
  /** Error details for `failed` (code, status, message): no secrets. */
  error?: unknown;
  requestId?: string | null;
}

/** A journal entry as stored. */
export interface JournalRecord extends JournalEntry {
  id: number;
  runId: string;
  at: string;
}

export interface RunDetail extends RunRecord {
  journal: JournalRecord[];
}

/**
 * Roster's own memory: runs, the write journal, what was last applied per user and aspect,
 * and Graph delta links. Every method is safe to call from several processes at once.
 */
export interface StateStore {
  /** Brings the schema up to date; concurrent callers wait for each other. */
  migrate(): Promise<void>;
  startRun(run: RunStart): Promise<string>;
  /** `sourceCount` is recorded when given (the shrink guardrail compares against it). */
  finishRun(
    runId: string,
    outcome: RunOutcome,
    counts: RunCounts,
    error?: string,
    sourceCount?: number,
  ): Promise<void>;
  /**
   * Journals one write and, for an applied write, upserts its last-applied record in the same
   * transaction: either both are stored or neither is. The tenant comes from the run.
   */
  recordWrite(runId: string, entry: JournalEntry, lastApplied?: LastAppliedRecord): Promise<number>;
  /**
   * The last-applied records of a tenant, keyed by `lastAppliedKey(userId, aspect)`: every
   * aspect, or only the given ones (planning reads no profile records).
   */
  getLastApplied(
    tenantId: string,
    aspects?: readonly LastAppliedRecord['aspect'][],
  ): Promise<Map<string, LastAppliedRecord>>;
  /**
   * What planning compares with, keyed like `getLastApplied`: the digests of the given aspects'
   * records of the given users (a slice of a plan), without their values or times.
   */
  getAppliedDigests(
    tenantId: string,
    aspects: readonly LastAppliedRecord['aspect'][],
    userIds: readonly string[],
  ): Promise<Map<string, AppliedDigest>>;
  /**
   * Records what a deep check found of Roster's own writes (see `FingerprintAdoption`): each
   * record whose fingerprint is still unknown and whose desired hash is unchanged takes it.
   */
  adoptFingerprints(tenantId: string, adoptions: readonly FingerprintAdoption[]): Promise<void>;
  getDeltaLink(tenantId: string, scopeHash: string): Promise<string | undefined>;
  saveDeltaLink(tenantId: string, scopeHash: string, deltaLink: string): Promise<void>;
  /** Source count of the latest `succeeded` or `partial` run of the tenant that recorded one. */
  lastSuccessfulSourceCount(tenantId: string): Promise<number | undefined>;
  /** Newest first. */
  listRuns(limit: number, tenantId?: string): Promise<RunRecord[]>;
  getRun(runId: string): Promise<RunDetail | undefined>;
  close(): Promise<void>;
}

export { lastAppliedKey } from '../plan/last-applied-key.js';

/** What a deep check saw of a photo or signature Roster wrote without reading it back. */
export interface FingerprintAdoption {
  userId: string;
  aspect: 'photo' | 'signature';
  /** The desired hash of the write the fingerprint belongs to. */
  desiredHash: string;
  fingerprint: string;
}
