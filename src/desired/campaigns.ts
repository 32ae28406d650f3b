import type { Campaign, CampaignSubject, CampaignTransition } from './campaign-model.js';

/** Whether `campaign` runs at `at` (epoch ms): from its start, up to but not including its end. */
export function isActive(campaign: Campaign, at: number): boolean {
  return campaign.start.instant <= at && at < campaign.end.instant;
}

function titleMatcher(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

/** Each campaign's title patterns, compiled once (a run asks for every employee, at several moments). */
const compiledTitles = new WeakMap<Campaign['target'], RegExp[]>();

function titleMatchers(target: Campaign['target']): RegExp[] {
  let matchers = compiledTitles.get(target);
  if (!matchers) compiledTitles.set(target, (matchers = target.titles.map(titleMatcher)));
  return matchers;
}

/** Whether the campaign's target takes this employee in (exclusions win). */
export function isTargeted(campaign: Campaign, subject: CampaignSubject): boolean {
  const { target } = campaign;
  if (target.exclude.includes(subject.key)) return false;
  if (target.employees.includes(subject.key)) return true;
  const office = [subject.officeName, subject.officeId]
    .filter((o): o is string => !!o)
    .map((o) => o.toLowerCase());
  if (office.some((o) => target.offices.includes(o))) return true;
  if (subject.title && titleMatchers(target).some((m) => m.test(subject.title))) return true;
  return target.group !== undefined && subject.groups?.has(target.group.toLowerCase()) === true;
}

/** Highest priority first, then the id alphabetically: the order that decides overlaps. */
export function byPrecedence(a: Campaign, b: Campaign): number {
  return b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The campaign an employee's signature shows at `at`: of the active campaigns that target the
 * employee, the one of highest priority (one banner per signature). Pure: the moment is an input.
 */
export function campaignFor(
  campaigns: readonly Campaign[],
  subject: CampaignSubject,
  at: number,
): Campaign | undefined {
  return [...campaigns].sort(byPrecedence).find((c) => isActive(c, at) && isTargeted(c, subject));
}

/** Every start and end after `at`, in time order (then start before end, then by campaign id). */
export function transitionsAfter(campaigns: readonly Campaign[], at: number): CampaignTransition[] {
  const all: CampaignTransition[] = campaigns.flatMap((c) => [
    { campaign: c.id, kind: 'start' as const, instant: c.start.instant, rollout: c.start.rollout },
    { campaign: c.id, kind: 'end' as const, instant: c.end.instant, rollout: c.end.rollout },
  ]);
  return all
    .filter((t) => t.instant > at)
    .sort(
      (a, b) =>
        a.instant - b.instant ||
        (a.kind === b.kind ? 0 : a.kind === 'start' ? -1 : 1) ||
        (a.campaign < b.campaign ? -1 : a.campaign > b.campaign ? 1 : 0),
    );
}

/** The link with `utm_*` parameters added (kept where the link already has them). */
export function withUtm(
  link: string,
  utm: Partial<Record<'source' | 'medium' | 'campaign' | 'term' | 'content', string>>,
): string {
  const url = new URL(link);
  for (const key of ['source', 'medium', 'campaign', 'term', 'content'] as const) {
    const value = utm[key];
    if (value !== undefined && !url.searchParams.has(`utm_${key}`)) url.searchParams.set(`utm_${key}`, value);
  }
  return url.toString();
}
