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
  /**
   * `interrupted`: the run was killed between announcing this write and journaling its outcome;
   * it may or may not have reached the tenant (see `WriteIntent`).
   */
  status: 'applied' | 'skipped-stale' | 'failed' | 'interrupted';
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
   * Announces a photo or signature write before it is made. `recordWrite` of the same user and
   * aspect forgets it, in the same statement as the journal row.
   */
  recordIntent(tenantId: string, intent: WriteIntent): Promise<void>;
  /** Announced writes of these users whose outcome was never journaled (their run was killed). */
  getIntents(
    tenantId: string,
    aspect: WriteIntent['aspect'],
    userIds: readonly string[],
  ): Promise<Map<string, WriteIntent>>;
  /** Journals a killed run's undecided writes as `interrupted` (its intents stay for the next apply). */
  journalInterrupted(runId: string): Promise<number>;
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

/**
 * A photo or signature write announced before it was made (`recordIntent`). One that outlives its
 * run (the process was killed) may or may not have reached the tenant.
 */
export interface WriteIntent {
  runId: string;
  userId: string;
  aspect: 'photo' | 'signature';
  actionKey: string;
  employeeEmail: string | null;
  /** What the plan saw before the write (photo etag, signature fingerprint; null: none), when it read it. */
  beforeWrite?: string | null;
}

/** What a deep check saw of a photo or signature Roster wrote without reading it back. */
export interface FingerprintAdoption {
  userId: string;
  aspect: 'photo' | 'signature';
  /** The desired hash of the write the fingerprint belongs to. */
  desiredHash: string;
  /**
   * What the tenant showed of the write; null: still what it showed before the write (the write
   * has not propagated). That is waited out for one deep check: the next one that still sees it
   * plans the write again.
   */
  fingerprint: string | null;
}
