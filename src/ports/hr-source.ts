import type { SourceRow } from '../desired/model.js';

/**
 * One consistent snapshot of the source query's rows, in key order (the email as `employeeKeyOf`
 * computes the match key: normalized, trimmed, lowercased; rows without a valid email anywhere),
 * rows of one key in the order the query returns them. It can be read any number of times.
 */
export interface HrSnapshot {
  /**
   * Every row from the first, in pages of at most `pageSize` rows; with `only`, the rows of the
   * keys the snapshot was opened for.
   */
  rows(part?: 'all' | 'only'): AsyncIterable<SourceRow[]>;
  /** Lets the snapshot go (it is also let go when the source closes). */
  close(): Promise<void>;
}

/**
 * The HR database as Roster reads it: active employees joined to their offices, one page of
 * rows at a time so a large directory never has to sit in memory at once.
 */
export interface HrSource {
  /**
   * Takes a snapshot of the source query's rows to read in key order (`HrSnapshot`), also of only
   * the rows of `keys` (lowercased emails) when given. Throws `SourceError` like `readActive`.
   */
  openSnapshot(keys?: readonly string[]): Promise<HrSnapshot>;
  /**
   * Reads every row of the source query from one consistent snapshot, yielding pages of at
   * most `pageSize` rows. Values arrive as strings (numbers and dates converted) or null.
   * Throws `SourceError` when the database cannot be reached or the query fails.
   */
  readActive(): AsyncIterable<SourceRow[]>;
  /**
   * Validates the source query without reading rows: it must run, and it must return `id`,
   * `email` and every column in `requiredColumns`. A required column is named as the query
   * returns it (`title`, `office_name`) or as a mapping refers to it (`employee.title`,
   * `office.name`). Throws `SourceError` naming every missing column.
   */
  checkQuery(requiredColumns?: readonly string[]): Promise<void>;
  /** Ends any open connection; further reads are refused. */
  close(): Promise<void>;
}
