import type { GuardrailSettings } from '../config/settings.js';
import { count, NOUNS } from './plan-counts.js';
import type { GuardrailResult } from './plan-model.js';
import type { SwitchCount } from './reviewed-audiences.js';

export interface GuardrailInput {
  /** Distinct users the plan's actions change. */
  changedUsers: number;
  /**
   * Of those, users whose one change is a campaign's banner switching, by campaign: they do not
   * count against maxChanges within the audience a reviewed plan showed (`countSwitches`).
   */
  campaignSwitches?: SwitchCount;
  /** Whether the plan sets any signature. */
  signatureActions: boolean;
  managedUsers: number;
  sourceCount: number;
  previousSourceCount: number | undefined;
  roamingSignaturesPostponed: boolean | undefined;
  whenRoamingEnabled: 'refuse' | 'warn';
  settings: GuardrailSettings;
  signaturesEnabled: boolean;
}

/**
 * The most users one run may change: the stricter of the absolute and percent limits. Users, not
 * actions, so that the percentage of managed users compares like with like. A percentage never
 * rounds below one user: 10 % of a small tenant (or of a one-employee apply) still lets one through.
 */
export function maxChangesAllowed(settings: GuardrailSettings, managedUsers: number): number {
  const limits: number[] = [];
  if (settings.maxChanges.absolute !== undefined) limits.push(settings.maxChanges.absolute);
  if (settings.maxChanges.percent !== undefined) {
    limits.push(Math.max(1, Math.floor((settings.maxChanges.percent / 100) * managedUsers)));
  }
  return limits.length ? Math.min(...limits) : Number.POSITIVE_INFINITY;
}

/**
 * What to do about a tripped guardrail, said where the flags are known (the command line): the
 * plan's own message states the fact only, since the same plan is shown by `plan`, by
 * `apply --allow-large-change` (where "re-run with --allow-large-change" would be wrong) and by
 * the controller. The other guardrails' messages carry their own fix: no flag lifts them.
 */
export function guardrailAdvice(
  name: GuardrailResult['name'],
  when: 'plan' | 'stopped' | 'overridden',
): string | undefined {
  if (name !== 'max-changes') return undefined;
  switch (when) {
    case 'plan':
      return 'apply stops here: review the plan, then apply with --allow-large-change to proceed';
    case 'stopped':
      return 'review it and re-run with --allow-large-change to proceed';
    case 'overridden':
      return 'overridden for this apply by --allow-large-change';
  }
}

/** A guardrail's message with the advice that fits (see `guardrailAdvice`). */
export function guardrailText(
  guardrail: Pick<GuardrailResult, 'name' | 'message'>,
  when: 'plan' | 'stopped' | 'overridden',
): string {
  const advice = guardrailAdvice(guardrail.name, when);
  return advice ? `${guardrail.message}; ${advice}` : guardrail.message;
}

/** " (and 812 users switching a campaign banner within the reviewed audience, not counted; …)". */
function exemptText({ exempt, beyond }: SwitchCount): string {
  const parts = [
    ...(exempt > 0
      ? [`${count(exempt, NOUNS.user)} switching a campaign banner within the reviewed audience, not counted`]
      : []),
    ...beyond.map(
      (b) =>
        `${count(b.switched - b.reviewed, NOUNS.user)} beyond the ${b.reviewed} a reviewed plan showed for campaign ${b.campaign}, counted`,
    ),
  ];
  return parts.length > 0 ? ` (${exempt > 0 ? 'and ' : ''}${parts.join('; ')})` : '';
}

/**
 * Evaluates every guardrail against a plan. Pure: `apply` refuses to start while any is tripped
 * (unless overridden), and the plan shows them so the reviewer sees the stop coming.
 */
export function evaluateGuardrails(input: GuardrailInput): GuardrailResult[] {
  const results: GuardrailResult[] = [];
  const limit = maxChangesAllowed(input.settings, input.managedUsers);
  const switches = input.campaignSwitches ?? { exempt: 0, beyond: [] };
  const n = input.changedUsers - switches.exempt;
  const exempt = exemptText(switches);
  results.push({
    name: 'max-changes',
    tripped: n > limit,
    message:
      n > limit
        ? `the plan changes ${count(n, NOUNS.user)}${exempt}, more than the limit of ${limit} per run (guardrails.maxChanges)`
        : `${count(n, NOUNS.user)} changed${exempt}, within the limit of ${Number.isFinite(limit) ? limit : 'unlimited'}`,
  });
  const prev = input.previousSourceCount;
  if (prev !== undefined && prev > 0) {
    const drop = ((prev - input.sourceCount) / prev) * 100;
    const tripped = drop > input.settings.maxSourceShrinkPercent;
    results.push({
      name: 'source-shrink',
      tripped,
      message: tripped
        ? `the HR source returned ${input.sourceCount} active employees, ${drop.toFixed(0)}% fewer than the ${prev} of the last successful run (limit ${input.settings.maxSourceShrinkPercent}%, guardrails.maxSourceShrinkPercent); check the HR import before proceeding`
        : `source count ${input.sourceCount} (last successful run: ${prev})`,
    });
  }
  const signatureActions = input.signatureActions;
  if (input.signaturesEnabled && input.roamingSignaturesPostponed === false) {
    const tripped = signatureActions && input.whenRoamingEnabled === 'refuse';
    results.push({
      name: 'roaming-signatures',
      tripped,
      message: tripped
        ? 'roaming signatures are enabled in the tenant, so signatures set through Exchange will not show; run Set-OrganizationConfig -PostponeRoamingSignaturesUntilLater $true, or set signatures.whenRoamingEnabled: warn'
        : 'roaming signatures are enabled; signature pushes are reported only',
    });
  }
  return results;
}
