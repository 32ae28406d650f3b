import type { DesiredConfig } from '../config/settings.js';
import { createDesiredBuilder } from '../desired/build-desired.js';
import { employeeKeyOf } from '../desired/employee-key.js';
import type { SourceRow } from '../desired/model.js';
import type { SourceCensus } from '../desired/source-census.js';
import type { SignatureRenderer } from '../desired/signature-renderer.js';
import { SourceError } from '../errors/roster-error.js';
import type { Claims } from '../plan/match-employees.js';

import type { SnapshotMatcher } from '../ports/observation-cache.js';

/** A row out of key order: slices would split a duplicate or come out of plan order. */
function orderError(found: { key: string; after: string }): SourceError {
  return new SourceError(
    `the HR database ordered the email ${found.key} after ${found.after}: it computes email keys ` +
      'differently from Roster (a PostgreSQL before 13, or a server encoding other than UTF8, cannot ' +
      'NFC-normalize), so the source cannot be read in slices; nothing was planned',
  );
}

/**
 * The first pass: every row into `census`, the keys to plan into `matcher` page by page (for the
 * claim rule). Stops the run, before anything is planned, when a row comes out of key order.
 */
export async function takeCensus(
  rows: AsyncIterable<SourceRow[]>,
  census: SourceCensus,
  matcher: SnapshotMatcher,
): Promise<void> {
  for await (const page of rows) {
    for (const row of page) census.add(row);
    if (census.outOfOrder) throw orderError(census.outOfOrder);
    await matcher.addEmployeeKeys(census.takePlanned());
  }
  await matcher.addEmployeeKeys(census.takePlanned(true));
}

/** Rows in slices of at least `size`, cut only between keys: every row of a key is in one slice. */
export async function* sliceRows(
  rows: AsyncIterable<SourceRow[]>,
  size: number,
): AsyncGenerator<SourceRow[]> {
  let slice: SourceRow[] = [];
  let last: string | undefined;
  for await (const page of rows) {
    for (const row of page) {
      const found = employeeKeyOf(row);
      if (found.ok) {
        // The census saw the same snapshot in this order; anything else is a bug.
        if (last !== undefined && found.key < last) throw orderError({ key: found.key, after: last });
        if (slice.length >= size && found.key !== last) {
          yield slice;
          slice = [];
        }
        last = found.key;
      }
      slice.push(row);
    }
  }
  if (slice.length > 0) yield slice;
}

/**
 * The claim rule across slices: users that more than one employee of the run would match. The
 * snapshot names the users several planned keys find; those keys' rows are built (an employee
 * whose row does not build claims nothing) and a user stays claimed when two or more built.
 * Nothing is read again unless some user is shared (rare).
 */
export async function findClaims(
  matcher: SnapshotMatcher,
  rows: () => AsyncIterable<SourceRow[]>,
  config: DesiredConfig,
  renderer: SignatureRenderer,
): Promise<Claims> {
  const shared = await matcher.sharedUsers();
  if (shared.size === 0) return new Map();
  const claimants = new Set([...shared.values()].flat());
  const builder = createDesiredBuilder(config, { renderer });
  for await (const page of rows()) {
    for (const row of page) {
      const found = employeeKeyOf(row);
      if (found.ok && claimants.has(found.key)) builder.add(row);
    }
  }
  const built = new Map(builder.takeSlice().employees.map((e) => [e.key, e.email]));
  const claims = new Map<string, string[]>();
  for (const [userId, keys] of shared) {
    const emails = keys.flatMap((k) => built.get(k) ?? []);
    if (emails.length > 1) claims.set(userId, emails);
  }
  return claims;
}
