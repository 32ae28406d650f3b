import type { DesiredConfig } from '../config/settings.js';
import { createDesiredBuilder } from '../desired/build-desired.js';
import { employeeKeyOf } from '../desired/employee-key.js';
import type { DesiredEmployee } from '../desired/model.js';
import type { SignatureMemo } from '../desired/signature-memo.js';
import { createSignatureRenderer, type SignatureText } from '../desired/signature-renderer.js';
import { createSourceCensus } from '../desired/source-census.js';
import { SourceError } from '../errors/roster-error.js';
import type { ObservedUser } from '../observe/model.js';
import { readPhotoUpdateBlock, readRoamingSetting } from '../observe/observe-deep.js';
import { observeUsers, snapshotScope, type ObservedUsers } from '../observe/observe-users.js';
import { summarizeEmployees, type EmployeeSummary } from '../plan/employee-summary.js';
import { emptyTally, issueWarning, planHead, planMatches, type PlanOptions } from '../plan/plan-changes.js';
import type { Plan, PlanAction, PlanHead, PlanWarning } from '../plan/plan-model.js';
import type { DirectoryPort } from '../ports/directory.js';
import type { HrSnapshot, HrSource } from '../ports/hr-source.js';
import type { ObservationCache, SnapshotMatcher } from '../ports/observation-cache.js';
import type { OrgSettingsPort } from '../ports/org-settings.js';
import type { PhotoFetcher } from '../ports/photo-fetcher.js';
import type { PhotosPort } from '../ports/photos.js';
import type { GroupMembersPort } from '../ports/group-members.js';
import { readCampaignGroups } from './campaign-groups.js';
import type { SignaturesPort } from '../ports/signatures.js';
import type { StateStore } from '../ports/state-store.js';
import { prepareSlice, type PreparedSlice, type SliceContext } from './prepare-slice.js';
import { readAhead } from './read-ahead.js';
import { campaignWarnings } from './campaign-warnings.js';
import { createCampaignSwitchCheck } from '../desired/campaign-switch.js';
import { planCampaigns } from '../plan/plan-campaigns.js';
import { reviewedBounds, shownAudiences } from '../plan/reviewed-audiences.js';
import type { Campaign } from '../desired/campaign-model.js';
import type { CampaignAudienceStore } from '../ports/campaign-audiences.js';
import { findClaims, sliceRows, takeCensus } from './source-passes.js';

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
  /**
   * The campaign audiences reviewed plans showed (`review` of `PlanRunOptions`); absent, nothing is
   * recorded and a `recorded` run finds none.
   */
  campaignAudiences?: CampaignAudienceStore;
  /** Members of the groups campaigns target (read only when a campaign targets a group). */
  groupMembers?: GroupMembersPort;
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
  /**
   * Plan the `only` employees from what Roster holds, calling no Microsoft service: the stored
   * user snapshot as it is, no photo or signature read back (a dashboard's look at one employee).
   * Only their rows are read from the source, so the head's counts cover just them.
   */
  storedOnly?: boolean;
  /** Rows per slice (default 1,000): what a run holds of the source, its users and their readback. */
  sliceRows?: number;
  /**
   * The moment the desired signatures are of (which campaigns run): default `deps.now()` when the
   * run starts. A plan made for another moment shows what that moment will need.
   */
  at?: Date;
  /**
   * Who reviews this plan's campaign switches (docs/campaigns.md, "Safety"). `this-plan` (the
   * default: `roster plan`, `roster apply`): a person sees it, its switches are exempt from
   * maxChanges, and a whole-tenant plan records the audiences it shows. `recorded` (the
   * controller): nobody does, and each campaign's switches are exempt only within the audience a
   * reviewed plan showed for its latest boundary.
   */
  review?: 'this-plan' | 'recorded';
}

/** Receives a plan's actions in plan order (a plan file writer, for one). */
export type ActionSink = (action: PlanAction) => void | Promise<void>;

/** One planned employee as a detail view shows it: its desired state, user and actions. */
export interface EmployeeLook {
  summary: EmployeeSummary;
  employee?: DesiredEmployee;
  user?: ObservedUser;
  /** The desired signature, rendered. */
  signature?: SignatureText;
  actions: PlanAction[];
}

/**
 * How far a plan is: slices planned so far and the HR rows (active employees, the plan's
 * `sourceCount`) they held, of all the rows the run plans (counted before the first slice).
 */
export interface PlanProgress {
  slices: number;
  rows: number;
  totalRows: number;
}

/** Where a streamed plan goes, slice by slice, in key order. */
export interface PlanSinks {
  action: ActionSink;
  /** Once the rows are counted (0 slices), then after each slice (a progress display). */
  progress?: (progress: PlanProgress) => void;
  /** One summary per employee (see `summarizeEmployees`). */
  employees?: (summaries: EmployeeSummary[]) => void;
  /** Every planned employee whole (for a detail view of a few: it renders signatures). */
  look?: (look: EmployeeLook) => void;
}

/** A plan run whose actions went to sinks as they were found. */
export interface StreamedPlanRun {
  head: PlanHead;
  /** How the users were observed (`stored`: the snapshot as it was) and how many are in scope. */
  users: { via: ObservedUsers['via'] | 'stored'; reason?: string; users: number };
  /** `PostponeRoamingSignaturesUntilLater` as read this run (undefined when not read). */
  roamingSignaturesPostponed: boolean | undefined;
}

/** A plan run held whole: the plan and a summary of every employee. */
export interface PlanRun extends Omit<StreamedPlanRun, 'head'> {
  plan: Plan;
  employees: EmployeeSummary[];
}

/** Employees per slice: a slice's desired state, users and readback are what a run holds. */
const SLICE_ROWS = 1000;
/** Slices being prepared (their reads under way) while one is planned and written. */
const READ_AHEAD = 2;

async function deepCheckDue(
  deps: PlanDeps,
  aspect: 'photo' | 'signature',
  options: PlanRunOptions,
): Promise<boolean> {
  if (options.storedOnly) return false;
  if (options.deepCheck === 'force') return true;
  const last = await deps.cache.getLastDeepCheck(deps.config.settings.tenant.id, aspect);
  const interval = deps.config.settings.schedule.deepCheckIntervalSeconds * 1000;
  return !last || deps.now().getTime() - last.getTime() >= interval;
}

async function observe(
  deps: PlanDeps,
  options: PlanRunOptions,
): Promise<StreamedPlanRun['users'] & { scopeHash: string }> {
  const tenantId = deps.config.settings.tenant.id;
  const domains = deps.config.settings.scope.domains;
  if (options.storedOnly) {
    const scopeHash = snapshotScope(domains);
    return { via: 'stored', users: await deps.cache.countUsers(tenantId, scopeHash), scopeHash };
  }
  return observeUsers(deps, { tenantId, domains, fullResync: options.fullResync ?? false, now: deps.now });
}

/**
 * One plan, end to end, collected: see `streamPlan`. The plan is held whole (the CLI's text and
 * markdown, an apply of it); so is one summary per employee.
 */
export async function makePlan(deps: PlanDeps, options: PlanRunOptions = {}): Promise<PlanRun> {
  const actions: PlanAction[] = [];
  const employees: EmployeeSummary[] = [];
  const { head, ...run } = await streamPlan(deps, options, {
    action: (action) => void actions.push(action),
    employees: (summaries) => void employees.push(...summaries),
  });
  return { ...run, plan: { ...head, actions }, employees };
}

/**
 * One plan, end to end, streamed: the tenant's users into the stored snapshot (a delta round when
 * possible); one snapshot of the HR source read in key order, first whole for what crosses slices
 * (source count, override targets, the claim rule), then slice by slice — built, matched in the
 * snapshot tables, compared with the last-applied digests and (on their cadence) the photos and
 * signatures of just those users — with each slice's actions handed to the sinks in plan order
 * before the next is planned. Nothing holds every employee or user; the head (guardrails,
 * warnings, summary) comes last.
 */
export async function streamPlan(
  deps: PlanDeps,
  options: PlanRunOptions,
  sinks: ActionSink | PlanSinks,
): Promise<StreamedPlanRun> {
  const {
    action: sink,
    employees: summarySink,
    look,
    progress,
  } = typeof sinks === 'function' ? { action: sinks } : sinks;
  const { config } = deps;
  const { settings } = config;
  const tenantId = settings.tenant.id;
  const photosOn = settings.photos.enabled;
  const signaturesOn = settings.signatures.enabled;
  const only = options.only ? new Set(options.only.map((e) => e.toLowerCase())) : undefined;
  if (options.storedOnly && !only)
    throw new Error('storedOnly plans only some employees (a bug in the caller)');
  // Read once, before anything else: the one moment the whole run's signatures are of.
  const at = (options.at ?? deps.now()).getTime();

  const snapshotOpening = deps.hrSource.openSnapshot(only ? [...only] : undefined);
  snapshotOpening.catch(() => undefined);
  let snapshot: HrSnapshot | undefined;
  let matcher: SnapshotMatcher | undefined;
  try {
    const [users, roaming, photoBlock, previousSourceCount, photoDue, signatureDue, groups, reviewed] =
      await Promise.all([
        observe(deps, options),
        signaturesOn && !options.storedOnly
          ? readRoamingSetting(deps.orgSettings)
          : Promise.resolve<{ postponed: undefined; warning?: string }>({ postponed: undefined }),
        photosOn && !options.storedOnly
          ? readPhotoUpdateBlock(deps.orgSettings, settings.photos.appRoles ?? [])
          : Promise.resolve<{ blocked?: string; warning?: string }>({}),
        deps.store.lastSuccessfulSourceCount(tenantId),
        photosOn ? deepCheckDue(deps, 'photo', options) : false,
        signaturesOn ? deepCheckDue(deps, 'signature', options) : false,
        signaturesOn ? readCampaignGroups(config, deps.groupMembers) : { members: new Map(), warnings: [] },
        options.review === 'recorded' && config.campaigns?.length
          ? reviewedAudiences(deps, config.campaigns, at)
          : undefined,
      ]);
    snapshot = await snapshotOpening;
    const source = snapshot;
    matcher = await deps.cache.openMatcher(tenantId, users.scopeHash);
    const renderer = createSignatureRenderer(config.templates);
    const censusPart = options.storedOnly ? 'only' : 'all';
    const slicePart = only ? 'only' : 'all';

    const census = createSourceCensus(config, only ? { only } : {});
    await takeCensus(source.rows(censusPart), census, matcher);
    if (only && !options.storedOnly) await checkWantedRows(source, only, census.wantedRows);
    const claims = await findClaims(matcher, () => source.rows(slicePart), config, renderer);

    const planOptions: PlanOptions = {
      tenantId,
      configRevision: config.revision,
      scopeDomains: settings.scope.domains,
      photos: photosOn,
      signatures: signaturesOn,
      guardrails: settings.guardrails,
      ...(previousSourceCount !== undefined ? { previousSourceCount } : {}),
      whenRoamingEnabled: settings.signatures.whenRoamingEnabled,
      ...(photoBlock.blocked !== undefined ? { photoUpdatesBlocked: photoBlock.blocked } : {}),
      renderSignature: renderer.renderDesired,
      ...(config.campaigns?.length
        ? { campaignSwitch: createCampaignSwitchCheck(config.campaigns, renderer) }
        : {}),
      ...(reviewed ? { reviewedAudiences: reviewed } : {}),
    };
    const context: SliceContext = {
      builder: createDesiredBuilder(config, {
        renderer,
        at,
        groupMembers: groups.members,
        ...(deps.signatureMemo ? { memo: deps.signatureMemo } : {}),
      }),
      matcher,
      store: deps.store,
      photos: deps.photos,
      signatures: deps.signatures,
      photoFetcher: photoDue ? deps.photoFetcher : undefined,
      tenantId,
      scopeDomains: settings.scope.domains,
      only,
      claims,
      compared: [...(photosOn ? ['photo' as const] : []), ...(signaturesOn ? ['signature' as const] : [])],
      photoDue,
      signatureDue,
      // A photo or mailbox Roster never set is planned "will be set" without reading it, unless forced.
      readUnmanaged: options.deepCheck === 'force',
    };

    const tally = emptyTally();
    const warnings: PlanWarning[] = [];
    const readFailures = { photos: [] as string[], signatures: [] as string[], sourcePhotos: [] as string[] };
    // Every row the slices will hold: all of them, or (with `only`) the wanted ones.
    const done: PlanProgress = { slices: 0, rows: 0, totalRows: census.wantedRows };
    progress?.({ ...done });
    const slices = readAhead(
      sliceRows(source.rows(slicePart), options.sliceRows ?? SLICE_ROWS),
      async (rows) => ({ ...(await prepareSlice(rows, context)), rows: rows.length }),
      READ_AHEAD,
    );
    for await (const slice of slices) {
      const { desired, matched } = slice;
      tally.employees += desired.employees.length;
      const planned = planMatches(
        matched.matches,
        slice.readback,
        slice.lastApplied,
        { ...planOptions, sourcePhotoHashes: slice.sourcePhotoHashes },
        tally,
      );
      const found = [...desired.issues.map(issueWarning), ...matched.warnings, ...planned.warnings];
      warnings.push(...found);
      readFailures.photos.push(...slice.warnings.photos);
      readFailures.signatures.push(...slice.warnings.signatures);
      readFailures.sourcePhotos.push(...slice.warnings.sourcePhotos);
      for (const action of planned.actions) {
        const pending = sink(action);
        if (pending) await pending;
      }
      // What this deep check saw of Roster's own unconfirmed writes (state, not the tenant).
      if (planned.adoptions.length > 0) await deps.store.adoptFingerprints(tenantId, planned.adoptions);
      const summaries =
        summarySink || look
          ? summarizeEmployees({
              employees: desired.employees,
              ...matched,
              actions: planned.actions,
              warnings: found,
            })
          : [];
      summarySink?.(summaries);
      if (look) lookAt(look, summaries, slice, planned.actions, renderer.renderDesired);
      done.slices += 1;
      done.rows += slice.rows;
      progress?.({ ...done });
    }
    const totals = census.totals();
    const outlook = context.builder.campaigns();
    const head = planHead(
      {
        sourceCount: totals.sourceCount,
        tally,
        warnings: [
          ...warnings,
          ...totals.unknownTargets.map(issueWarning),
          ...campaignWarnings(config),
          ...groups.warnings,
          ...[
            ...(roaming.warning ? [roaming.warning] : []),
            ...(photoBlock.warning ? [photoBlock.warning] : []),
            ...readFailures.photos,
            ...readFailures.signatures,
            ...readFailures.sourcePhotos,
          ].map((message) => ({ kind: 'observation' as const, message })),
        ],
        deepChecked: { photos: photoDue, signatures: signatureDue },
        roamingSignaturesPostponed: roaming.postponed,
        ...(outlook ? { campaigns: planCampaigns(outlook) } : {}),
      },
      planOptions,
    );
    if (!only) {
      const now = deps.now();
      // A whole-tenant plan a person reviews: the audiences it showed bound the controller's switches.
      if (outlook && options.review !== 'recorded' && deps.campaignAudiences) {
        await deps.campaignAudiences.recordShown(tenantId, shownAudiences(outlook), now);
      }
      if (photoDue) await deps.cache.saveDeepCheck(tenantId, 'photo', now);
      if (signatureDue) await deps.cache.saveDeepCheck(tenantId, 'signature', now);
      // Every employee was built: the memo forgets those no longer in the source.
      deps.signatureMemo?.sweep();
    }
    const { scopeHash: _scope, ...observed } = users;
    return { head, users: observed, roamingSignaturesPostponed: roaming.postponed };
  } finally {
    await matcher?.close();
    // Opened beside the observation: let go whether or not the run got to use it.
    snapshot ??= await snapshotOpening.catch(() => undefined);
    await snapshot?.close();
  }
}

/** Each running campaign's switch bound from the audiences reviewed plans showed (`reviewedBounds`). */
async function reviewedAudiences(
  deps: PlanDeps,
  campaigns: readonly Campaign[],
  at: number,
): Promise<Record<string, number>> {
  const shown = deps.campaignAudiences
    ? await deps.campaignAudiences.shownAudiences(deps.config.settings.tenant.id)
    : [];
  return reviewedBounds(campaigns, at, shown);
}

/**
 * An `only` run reads the wanted rows by the database's key and counts them by Roster's over every
 * row: both must agree before anything is planned.
 */
async function checkWantedRows(
  source: HrSnapshot,
  only: ReadonlySet<string>,
  expected: number,
): Promise<void> {
  let found = 0;
  for await (const page of source.rows('only')) {
    for (const row of page) {
      const key = employeeKeyOf(row);
      if (key.ok && only.has(key.key)) found++;
    }
  }
  if (found !== expected) {
    throw new SourceError(
      `the HR database found ${found} rows for the employees asked for where Roster found ${expected}: it computes email keys differently from Roster; nothing was planned`,
    );
  }
}

/** Each employee of a slice, whole, with its signature rendered (`PlanSinks.look`). */
function lookAt(
  look: NonNullable<PlanSinks['look']>,
  summaries: readonly EmployeeSummary[],
  slice: PreparedSlice,
  actions: readonly PlanAction[],
  render: (signature: NonNullable<DesiredEmployee['signature']>) => SignatureText,
): void {
  const employees = new Map(slice.desired.employees.map((e) => [e.key, e]));
  const users = new Map(slice.matched.matches.map((m) => [m.employee.key, m.user]));
  for (const summary of summaries) {
    const employee = employees.get(summary.email);
    const user = users.get(summary.email);
    look({
      summary,
      ...(employee ? { employee } : {}),
      ...(user ? { user } : {}),
      ...(employee?.signature ? { signature: render(employee.signature) } : {}),
      actions: actions.filter((a) => a.employee.toLowerCase() === summary.email),
    });
  }
}
