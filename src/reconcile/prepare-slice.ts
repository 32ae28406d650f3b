import type { DesiredBuilder, DesiredSlice } from '../desired/build-desired.js';
import type { SourceRow } from '../desired/model.js';
import type { AppliedDigest, LastAppliedRecord } from '../observe/model.js';
import { observeDeep } from '../observe/observe-deep.js';
import { matchEmployees, type Claims, type MatchResult } from '../plan/match-employees.js';
import type { Readback } from '../plan/plan-changes.js';
import type { SnapshotMatcher } from '../ports/observation-cache.js';
import type { PhotoFetcher } from '../ports/photo-fetcher.js';
import type { PhotosPort } from '../ports/photos.js';
import type { SignaturesPort } from '../ports/signatures.js';
import { lastAppliedKey, type StateStore } from '../ports/state-store.js';
import { sourcePhotoHashes } from './source-photo-hashes.js';

/** One slice with everything its plan reads: built, matched, and its users' records and readback. */
export interface PreparedSlice {
  desired: DesiredSlice;
  matched: MatchResult;
  lastApplied: Map<string, AppliedDigest>;
  readback: Readback;
  /** sha256 of source photos fetched this run, by URL. */
  sourcePhotoHashes: Map<string, string>;
  /** Reads that failed, by aspect (gathered over the run to keep the plan's order of warnings). */
  warnings: { photos: string[]; signatures: string[]; sourcePhotos: string[] };
}

export interface SliceContext {
  builder: DesiredBuilder;
  matcher: SnapshotMatcher;
  store: StateStore;
  photos: PhotosPort;
  signatures: SignaturesPort;
  photoFetcher: PhotoFetcher | undefined;
  tenantId: string;
  scopeDomains: readonly string[];
  /** Employees wanted (`only`, lowercased); all when undefined. */
  only: ReadonlySet<string> | undefined;
  claims: Claims;
  /** Aspects compared with what Roster last applied (photos and signatures when enabled). */
  compared: readonly LastAppliedRecord['aspect'][];
  /** Read back photos / signatures from the tenant this run. */
  photoDue: boolean;
  signatureDue: boolean;
  /**
   * Read the photos and signatures of users Roster has no record of (`--deep-check`). Otherwise a
   * deep check reads only those Roster manages: for the others the plan already knows it must
   * write, so a first sync makes one call per photo and per signature, the write.
   */
  readUnmanaged: boolean;
}

/**
 * Builds a slice's employees, finds their users in the snapshot, and reads what planning them
 * compares with — the last-applied digests of just those users and, when a deep check is due,
 * their photo metadata and signatures and the source photos Roster uploaded before.
 */
export async function prepareSlice(
  rows: readonly SourceRow[],
  context: SliceContext,
): Promise<PreparedSlice> {
  const { builder, only } = context;
  for (const row of rows) builder.add(row);
  const built = builder.takeSlice();
  const desired: DesiredSlice = only
    ? {
        employees: built.employees.filter((e) => only.has(e.key)),
        excluded: built.excluded,
        issues: built.issues.filter((i) => !i.employee || only.has(i.employee.toLowerCase())),
      }
    : built;
  const found = await context.matcher.findUsers(desired.employees.map((e) => e.key));
  const matched = matchEmployees(
    desired.employees,
    (key) => found.get(key),
    context.scopeDomains,
    context.claims,
  );
  const { matches } = matched;
  const lastApplied = await context.store.getAppliedDigests(
    context.tenantId,
    context.compared,
    matches.map((m) => m.user.id),
  );
  // Photos and signatures are read back only on their cadence (the first run is always one);
  // in between, the last-applied record stands in for them.
  const managed = (userId: string, aspect: 'photo' | 'signature') =>
    context.readUnmanaged || lastApplied.has(lastAppliedKey(userId, aspect));
  const photoMatches = context.photoDue
    ? matches.filter((m) => m.employee.photoUrl && managed(m.user.id, 'photo'))
    : [];
  const signatureMatches = context.signatureDue
    ? matches.filter((m) => m.employee.signature && managed(m.user.id, 'signature'))
    : [];
  const [deep, hashes] = await Promise.all([
    observeDeep(context, {
      photoUserIds: photoMatches.map((m) => m.user.id),
      signatureUsers: signatureMatches.map((m) => ({
        userId: m.user.id,
        identity: m.user.userPrincipalName,
      })),
    }),
    context.photoFetcher
      ? sourcePhotoHashes(
          context.photoFetcher,
          photoMatches
            .filter((m) => lastApplied.has(lastAppliedKey(m.user.id, 'photo')))
            .map((m) => m.employee.photoUrl!),
        )
      : Promise.resolve({ hashes: new Map<string, string>(), warnings: [] }),
  ]);
  return {
    desired,
    matched,
    lastApplied,
    readback: { photos: deep.photos, signatures: deep.signatures },
    sourcePhotoHashes: hashes.hashes,
    warnings: { ...deep.warnings, sourcePhotos: hashes.warnings },
  };
}
