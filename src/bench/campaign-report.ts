import type { CampaignPhaseResult, CampaignResult } from './bench-campaign.js';

const s = (n: number | undefined, digits = 1) => (n === undefined ? '–' : n.toFixed(digits));
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const diff = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : a - b;

/**
 * How long the switch took against the prediction: until 99 % (and all) of the audience switched,
 * over the seconds Roster predicted. A `notBefore` switch counts from the declared moment (a run
 * that started late is late) over its whole prediction; a `finishBy` one from when its writes were
 * to start (it plans ahead and holds them until then) over the writing time it allowed, so 1.00
 * or less is done by the moment.
 */
export function outcomeOverPrediction(p: CampaignPhaseResult): { p99?: number; all?: number } {
  const writesFrom = p.upcoming?.writesFrom;
  const start =
    p.rollout === 'notBefore'
      ? 0
      : writesFrom !== undefined
        ? (Date.parse(writesFrom) - Date.parse(p.moment)) / 1000
        : undefined;
  const predicted = p.rollout === 'notBefore' ? p.lastSwitch?.predictedSeconds : start && -start;
  if (!predicted || start === undefined) return {};
  const { p99Seconds, allSeconds } = p.timing;
  return {
    ...(p99Seconds !== undefined ? { p99: (p99Seconds - start) / predicted } : {}),
    ...(allSeconds !== undefined ? { all: (allSeconds - start) / predicted } : {}),
  };
}

/** The campaign scenario of a seed, as markdown. */
export function campaignSection(c: CampaignResult, timeScale: number): string[] {
  const first = c.phases[0];
  return [
    '### Campaign switch (controller, apply mode)',
    '',
    `${int(first?.timing.audience ?? 0)} of ${int(c.employees)} mailboxes (every office but one in ten: ${c.offices.targeted} of ${c.offices.total}), after the first sync. Seconds on Roster's clock (real-world; wall = × ${timeScale}), from the moment the campaign declares. Predicted: what the controller predicted for the run (\`/status\` \`campaigns.lastSwitch\`); outcome ÷ predicted counts from the moment over the whole prediction for \`notBefore\`; for \`finishBy\` from when its writes were to start (the run plans ahead and holds them) over the writing time it allowed (1.00 or less: done by the moment).`,
    '',
    "| Campaign | Rollout | Audience (Roster's count) | Predicted s | Run started s | First write s (run's planning s) | 99 % s | All s (writing s) | 99 % ÷ predicted | all ÷ predicted | Writes before the moment | Writes outside | Showing the banner (outside) |",
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...c.phases.map((p) => {
      const r = outcomeOverPrediction(p);
      const t = p.timing;
      return `| ${p.campaign}${p.timedOut ? ' (timed out)' : ''} | ${p.rollout} | ${int(t.audience)} (${p.upcoming?.audience === undefined ? '–' : int(p.upcoming.audience)}) | ${s(p.lastSwitch?.predictedSeconds)} | ${s(p.runStartSeconds)} | ${s(t.firstWriteSeconds)} (${s(diff(t.firstWriteSeconds, p.runStartSeconds))}) | ${s(t.p99Seconds)} | ${s(t.allSeconds)} (${s(diff(t.allSeconds, t.firstWriteSeconds))}) | ${s(r.p99, 2)} | ${s(r.all, 2)} | ${int(t.writesBeforeMoment)} | ${int(t.outsideWrites)} | ${int(p.showing)} (${int(p.showingOutside)}) |`;
    }),
    '',
  ];
}
