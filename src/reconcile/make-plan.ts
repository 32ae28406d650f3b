import type { DesiredConfig } from '../config/settings.js';
import { createDesiredBuilder } from '../desired/build-desired.js';
import type { DesiredState } from '../desired/model.js';
import type { SignatureMemo } from '../desired/signature-memo.js';
import { createSignatureRenderer, type SignatureRenderer } from '../desired/signature-renderer.js';
import { observeDeep } from '../observe/observe-deep.js';
import { observeUsers, type ObservedUsers } from '../observe/observe-users.js';
import type { ObservedState, ObservedUser } from '../observe/model.js';
import { indexUsers, matchEmployees } from '../plan/match-employees.js';
import { planStream } from '../plan/plan-changes.js';
import type { Plan, PlanAction, PlanHead } from '../plan/plan-model.js';
import type { DirectoryPort } from '../ports/directory.js';
import type { HrSource } from '../ports/hr-source.js';
import type { ObservationCache } from '../ports/observation-cache.js';
import type { OrgSettingsPort } from '../ports/org-settings.js';
import type { PhotoFetcher } from '../ports/photo-fetcher.js';
import type { PhotosPort } from '../ports/photos.js';
import type { SignaturesPort } from '../ports/signatures.js';
import { lastAppliedKey, type StateStore } from '../ports/state-store.js';
import { sourcePhotoHashes } from './source-photo-hashes.js';

/** Everything a plan run reads from. */
export interface PlanDeps {
  config: DesiredConfig;
  hrSource: HrSource;
  store: StateStore;
  cache: ObservationCache;
  directory: DirectoryPort;
  photos: PhotosPort;
  signatures: SignaturesPort;
  orgSettings: OrgSettingsPort;
  /** Used to hash source photos during a deep photo check (source changed at the same URL). */
  photoFetcher?: PhotoFetcher;
  /**
   * Signatures made by earlier runs (see `SignatureMemo`): whoever runs plans again and again (the
   * controller) keeps one and passes it each time; without one every signature is rendered.
   */
  signatureMemo?: SignatureMemo;
  now: () => Date;
}

export interface PlanRunOptions {
  only?: string[];
  /** `auto`: on the configured cadence; `force`: read back every photo and signature now. */
  deepCheck?: 'auto' | 'force';
  /** List every user instead of continuing from the last snapshot with a delta round. */
  fullResync?: boolean;
}

export interface PlanRun {
  plan: Plan;
  desired: DesiredState;
  observed: ObservedState;
  users: Pick<ObservedUsers, 'via' | 'reason' | 'users'>;
}

/** A plan run whose actions went to a sink as they were found. */
export type StreamedPlanRun = Omit<PlanRun, 'plan'> & { head: PlanHead };

/** Receives a plan's actions in plan order (a plan file writer, for one). */
export type ActionSink = (action: PlanAction) => void | Promise<void>;

async function readDesired(deps: PlanDeps, renderer: SignatureRenderer): Promise<DesiredState> {
  const builder = createDesiredBuilder(deps.config, {
    renderer,
    ...(deps.signatureMemo ? { memo: deps.signatureMemo } : {}),
  });
  for await (const page of deps.hrSource.readActive()) {
    for (const row of page) builder.add(row);
  }
  return builder.finish();
}

/** The users the employees' keys find in the snapshot (every other user cannot be matched). */
async function findUsers(
  cache: ObservationCache,
  tenantId: string,
  scopeHash: string,
  employees: readonly { key: string }[],
): Promise<ObservedUser[]> {
  const matcher = await cache.openMatcher(tenantId, scopeHash);
  try {
    const byId = new Map<string, ObservedUser>();
    for (let i = 0; i < employees.length; i += 2000) {
      const found = await matcher.findUsers(employees.slice(i, i + 2000).map((e) => e.key));
      for (const { users } of found.values()) for (const u of users) byId.set(u.id, u);
    }
    return [...byId.values()];
  } finally {
    await matcher.close();
  }
}

async function deepCheckDue(
  deps: PlanDeps,
  aspect: 'photo' | 'signature',
  options: PlanRunOptions,
): Promise<boolean> {
  if (options.deepCheck === 'force') return true;
  const last = await deps.cache.getLastDeepCheck(deps.config.settings.tenant.id, aspect);
  const interval = deps.config.settings.schedule.deepCheckIntervalSeconds * 1000;
  return !last || deps.now().getTime() - last.getTime() >= interval;
}

/**
 * One plan, end to end: HR source → desired; tenant → observed (users by delta when possible;
 * photos and signatures read back on their slower cadence); state store → last-applied; then the
 * pure planner.
 */
export async function makePlan(deps: PlanDeps, options: PlanRunOptions = {}): Promise<PlanRun> {
  const actions: PlanAction[] = [];
  const { head, ...run } = await streamPlan(deps, options, (action) => void actions.push(action));
  return { ...run, plan: { ...head, actions } };
}

/**
 * `makePlan` with the actions handed to `sink` as the planner finds them instead of collected:
 * a plan written to a file this way is never whole in memory.
 */
export async function streamPlan(
  deps: PlanDeps,
  options: PlanRunOptions,
  sink: ActionSink,
): Promise<StreamedPlanRun> {
  const { settings } = deps.config;
  const tenantId = settings.tenant.id;
  const photosOn = settings.photos.enabled;
  const signaturesOn = settings.signatures.enabled;
  // The planner compares photos and signatures with what Roster last wrote; profiles it compares
  // with the tenant alone, so their (largest) records are not read.
  const renderer = createSignatureRenderer(deps.config.templates);
  const compared = [...(photosOn ? ['photo' as const] : []), ...(signaturesOn ? ['signature' as const] : [])];
  const [desired, lastApplied, previousSourceCount, observedUsers] = await Promise.all([
    readDesired(deps, renderer),
    deps.store.getAppliedDigests(tenantId, compared),
    deps.store.lastSuccessfulSourceCount(tenantId),
    observeUsers(deps, {
      tenantId,
      domains: settings.scope.domains,
      fullResync: options.fullResync ?? false,
    }),
  ]);
  const only = options.only ? new Set(options.only.map((e) => e.toLowerCase())) : undefined;
  const employees = only ? desired.employees.filter((e) => only.has(e.key)) : desired.employees;
  const users = await findUsers(deps.cache, tenantId, observedUsers.scopeHash, employees);
  const matched = matchEmployees(employees, indexUsers(users), settings.scope.domains);
  const { matches } = matched;

  const [photoDue, signatureDue] = await Promise.all([
    photosOn ? deepCheckDue(deps, 'photo', options) : false,
    signaturesOn ? deepCheckDue(deps, 'signature', options) : false,
  ]);
  // Photos and signatures are read back only on their cadence (the first run is always one);
  // in between, the last-applied record stands in for them.
  const photoMatches = photoDue ? matches.filter((m) => m.employee.photoUrl) : [];
  const signatureMatches = signatureDue ? matches.filter((m) => m.employee.signature) : [];
  const [deep, hashes] = await Promise.all([
    observeDeep(deps, {
      photoUserIds: photoMatches.map((m) => m.user.id),
      signatureUsers: signatureMatches.map((m) => ({
        userId: m.user.id,
        identity: m.user.userPrincipalName,
      })),
      readOrgSettings: signaturesOn,
    }),
    photoDue && deps.photoFetcher
      ? sourcePhotoHashes(
          deps.photoFetcher,
          photoMatches
            .filter((m) => lastApplied.has(lastAppliedKey(m.user.id, 'photo')))
            .map((m) => m.employee.photoUrl!),
        )
      : Promise.resolve({ hashes: new Map<string, string>(), warnings: [] }),
  ]);

  const observed: ObservedState = {
    users,
    photos: deep.photos,
    signatures: deep.signatures,
    roamingSignaturesPostponed: deep.roamingSignaturesPostponed,
    deepChecked: { photos: photoDue, signatures: signatureDue },
    warnings: [...deep.warnings, ...hashes.warnings],
  };
  const planner = planStream(
    desired,
    observed,
    lastApplied,
    {
      tenantId,
      configRevision: deps.config.revision,
      scopeDomains: settings.scope.domains,
      photos: photosOn,
      signatures: signaturesOn,
      ...(options.only ? { only: options.only } : {}),
      sourcePhotoHashes: hashes.hashes,
      guardrails: settings.guardrails,
      ...(previousSourceCount !== undefined ? { previousSourceCount } : {}),
      whenRoamingEnabled: settings.signatures.whenRoamingEnabled,
      renderSignature: renderer.renderDesired,
    },
    matched,
  );
  let next = planner.next();
  for (; !next.done; next = planner.next()) {
    const pending = sink(next.value);
    if (pending) await pending;
  }
  const head = next.value;
  const now = deps.now();
  if (photoDue && !options.only) await deps.cache.saveDeepCheck(tenantId, 'photo', now);
  if (signatureDue && !options.only) await deps.cache.saveDeepCheck(tenantId, 'signature', now);
  // Every employee was built: the memo forgets those no longer in the source.
  deps.signatureMemo?.sweep();
  return {
    head,
    desired,
    observed,
    users: {
      via: observedUsers.via,
      users: observedUsers.users,
      ...(observedUsers.reason ? { reason: observedUsers.reason } : {}),
    },
  };
}
