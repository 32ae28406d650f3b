import type { DesiredConfig } from '../config/settings.js';
import { indexOverrides, officeKeys, resolveOverrides } from './apply-overrides.js';
import { employeeKeyOf } from './employee-key.js';
import type { EmployeeIssue, SourceRow } from './model.js';
import { createOverrideTargetTracker } from './override-targets.js';

/** Facts about the whole source that slices alone cannot tell. */
export interface SourceTotals {
  /** Rows read (the source-shrink guardrail's count). */
  sourceCount: number;
  /** Overrides whose target no row had. */
  unknownTargets: EmployeeIssue[];
}

/**
 * One pass over every row, in key order, before anything is planned: counts the rows, notes which
 * override targets occur, checks the order, and names the keys the run will plan (one row, a valid
 * email in the managed domains, wanted, not excluded), so rules that cross slices — the claim rule
 * — can be decided before the first slice is planned. Keeps no more than the current key.
 */
export interface SourceCensus {
  add(row: SourceRow): void;
  /**
   * Keys to plan among the rows added so far, each once, in order: the last key is held back while
   * its rows may go on, unless `final`.
   */
  takePlanned(final?: boolean): string[];
  /** The first row that came out of key order (the source cannot be read in slices then). */
  readonly outOfOrder: { key: string; after: string } | undefined;
  /** Rows whose key is one of `only` (all rows when there is no `only`). */
  readonly wantedRows: number;
  totals(): SourceTotals;
}

export function createSourceCensus(
  config: DesiredConfig,
  options: { only?: ReadonlySet<string> } = {},
): SourceCensus {
  const index = indexOverrides(config.overrides);
  const targets = createOverrideTargetTracker(config.overrides);
  const scope = new Set(config.settings.scope.domains.map((d) => d.toLowerCase()));
  let sourceCount = 0;
  let wantedRows = 0;
  let outOfOrder: SourceCensus['outOfOrder'];
  /** The key whose rows are being read, how many there were, and whether a single row is planned. */
  let current: { key: string; rows: number; plan: boolean } | undefined;
  let planned: string[] = [];

  function close(): void {
    if (current && current.rows === 1 && current.plan) planned.push(current.key);
    current = undefined;
  }

  return {
    add(row) {
      sourceCount++;
      const offices = officeKeys(row.office);
      targets.seeOffices(offices);
      const found = employeeKeyOf(row);
      if (!options.only) wantedRows++;
      if (!found.ok) return;
      const { key } = found;
      targets.seeEmployee(key);
      const wanted = !options.only || options.only.has(key);
      if (options.only && wanted) wantedRows++;
      if (current?.key === key) {
        current.rows++;
        return;
      }
      if (current && key < current.key) outOfOrder ??= { key, after: current.key };
      close();
      const inScope = scope.has(key.slice(key.lastIndexOf('@') + 1));
      const plan = wanted && inScope && !resolveOverrides(index, key, offices).exclude;
      current = { key, rows: 1, plan };
    },
    takePlanned(final = false) {
      if (final) close();
      const out = planned;
      planned = [];
      return out;
    },
    get outOfOrder() {
      return outOfOrder;
    },
    get wantedRows() {
      return wantedRows;
    },
    totals: () => ({ sourceCount, unknownTargets: targets.unknown() }),
  };
}
