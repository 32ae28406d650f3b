import type { SourceRow } from '../desired/model.js';

/**
 * The HR database as Roster reads it: active employees joined to their offices, one page of
 * rows at a time so a large directory never has to sit in memory at once.
 */
export interface HrSource {
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
