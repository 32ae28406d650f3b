import type { BaselineResult } from './baseline-sequential.js';
import type { SimHiddenBudget } from '../sim/hidden-budget.js';
import { extrapolate, growthFactor, type ScenarioResult } from './bench-metrics.js';
import type { StateRows } from './reset-roster-state.js';
import type { CampaignResult } from './bench-campaign.js';
import { campaignSection } from './campaign-report.js';

/** The options a run was made with. */
export interface BenchOptions {
  employees: number;
  latencyMs: number;
  timeScale: number;
  /** Seeds of the simulator's hidden budget: one cold first sync (and the rest) per seed. */
  seeds: number[];
  /** Graph identity budgets drawn below the published ones too. */
  drawGraphBudget: boolean;
  baselineSlice: number;
  /** The ceiling scenario's Exchange ceiling, in multiples of the drawn rate (0: not run). */
  ceilingFactor: number;
  /** The forced deep check (e), on the first seed only. */
  deepCheck: boolean;
  scaling: boolean;
  /** Employee counts of the memory runs (first sync and no-op each), smallest first. */
  memoryEmployees: number[];
  memoryTimeScale: number;
  /** Only the memory runs (a separate invocation when the whole is too long). */
  memoryOnly: boolean;
  /** The campaign switch scenario after each seed's first sync (`--no-campaign`: not run). */
  campaign: boolean;
  /** Only each seed's first sync and the campaign scenario (`--campaign-only`). */
  campaignOnly: boolean;
}

/** The baseline's slice and what it means for N employees. */
export interface BaselineSummary {
  measured: BaselineResult;
  /** Linear extrapolation of the slice to all active employees. */
  extrapolated: { employees: number; wallMs: number; requests: number };
  /** The same with the latency Microsoft would add (the slice saw `latency · timeScale`). */
  realWorldWallMs: number;
}

/** A measured target. */
export interface TargetCheck {
  name: string;
  target: string;
  value: string;
  met: boolean;
  note?: string;
}

/** What one seed measured, from a cold start. */
export interface SeedResult {
  seed: number;
  /** The budget the simulator drew (read from its control plane, for the floor only). */
  budget: SimHiddenBudget;
  activeEmployees: number;
  /** Roster's state rows before the reset (what would have carried over) and at the first plan. */
  state: { before: StateRows; after: StateRows };
  /** a first plan, b first apply, first sync (a + b), c no-op, d drift, e deep check. */
  scenarios: ScenarioResult[];
  /** The first sync on a fresh tenant and state with the Exchange ceiling above the budget. */
  ceiling: ScenarioResult | undefined;
  /** Absent in a campaign-only run. */
  baseline?: BaselineSummary;
  /** The campaign switch scenario, after the first sync (absent with `--no-campaign`). */
  campaign?: CampaignResult;
}

/** Everything one `npm run bench` measured. */
export interface BenchResults {
  startedAt: string;
  command: string;
  options: BenchOptions;
  machine: { cpus: number; node: string; note: string };
  seeds: SeedResult[];
  /** Worst and median wall ÷ floor of the first syncs over the seeds. */
  summary: { firstSyncWallOverFloor: { worst: number; median: number } | undefined };
  scaling: ScenarioResult[];
  targets: TargetCheck[];
}

export function summarizeBaseline(
  measured: BaselineResult,
  employees: number,
  latencyMs: number,
  timeScale: number,
): BaselineSummary {
  const wallMs = extrapolate(measured.wallMs, measured.employees, employees);
  const requests = extrapolate(measured.requests, measured.employees, employees);
  // The slice's calls saw latency·timeScale; against Microsoft each would wait the full latency.
  const realWorldWallMs = wallMs + requests * latencyMs * (1 - timeScale);
  return { measured, extrapolated: { employees, wallMs, requests: Math.round(requests) }, realWorldWallMs };
}

const fmt = (n: number | undefined, digits = 1) =>
  n === undefined || !Number.isFinite(n)
    ? '–'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const sec = (ms: number) => fmt(ms / 1000, ms < 10_000 ? 2 : 1);

export function scenarioRow(s: ScenarioResult): string {
  return `| ${s.id} ${s.label} | ${int(s.employees)} | ${sec(s.wallMs)} | ${int(s.wireRequests)} (${int(s.minimumRequests)}) | ${int(
    s.throttled.simulator,
  )} (${fmt(s.throttledShare * 100, 2)} %) | ${int(s.retries)} | ${int(s.actions)} | ${int(s.failed)} | ${int(
    s.exchangeCalls,
  )} | ${fmt(s.exchangeCallsPerSignature, 2)} | ${sec(s.floor.ms)} (${s.floor.binding}) | ${fmt(s.wallOverFloor, 2)} | ${fmt(
    s.peakRssMb,
    0,
  )} |`;
}

const SCENARIO_HEAD = [
  '| Scenario | Employees | Wall s | HTTP requests (minimum¹) | 429s (share²) | Retries | Actions | Failed | Exchange calls | per signature written | Floor s (binding) | Wall/floor | Peak RSS MB |',
  '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
];

/** The drawn budget in one line (docs/simulator.md explains each part). */
export function budgetLine(b: SimHiddenBudget): string {
  const e = b.exchange;
  const sends = [e.rateLimitHeaders ? 'Rate-Limit-*' : '', e.retryAfter ? 'Retry-After' : ''].filter(Boolean);
  return [
    `Hidden budget (seed ${b.seed}): Exchange ${e.shape} of ${int(e.requests)} per ${e.windowSeconds} s`,
    `(${fmt(e.requests / e.windowSeconds, 2)}/s), concurrency ${e.concurrency}, sends ${sends.length > 0 ? sends.join(' and ') : 'neither rate headers nor Retry-After'};`,
    `Graph ${int(b.graph.resourceUnitsPer10s)} RU per 10 s, ${int(b.graph.writesPer150s)} writes per 150 s;`,
    `${fmt(b.subLimit429Rate * 100, 1)} % of calls 429 below the limits.`,
  ].join(' ');
}

function endpointTable(scenarios: ScenarioResult[]): string[] {
  const lines = [
    `| Endpoint | ${scenarios.map((s) => s.id).join(' | ')} |`,
    `|---|${scenarios.map(() => '--:').join('|')}|`,
  ];
  const endpoints = [...new Set(scenarios.flatMap((s) => Object.keys(s.byEndpoint)))].sort();
  for (const e of endpoints) {
    lines.push(`| \`${e}\` | ${scenarios.map((s) => int(s.byEndpoint[e] ?? 0)).join(' | ')} |`);
  }
  const throttled = scenarios.filter((s) => Object.keys(s.throttledByEndpoint).length > 0);
  if (throttled.length > 0) lines.push('', '429s by endpoint:', '');
  for (const s of throttled) {
    const parts = Object.entries(s.throttledByEndpoint).map(([e, n]) => `\`${e}\` ${int(n)}`);
    lines.push(`- (${s.id}) ${parts.join(', ')}`);
  }
  return lines;
}

/** What Roster had found out about Exchange by the end of the first sync, against the budget. */
export function paceLine(r: Pick<SeedResult, 'budget'>, first: ScenarioResult | undefined): string[] {
  const p = first?.pacing?.exchange;
  if (!p) return [];
  const e = r.budget.exchange;
  const rate = p.rates.requests;
  return [
    `Roster's Exchange pace at the end of the first sync: ${fmt(rate, 2)} calls/s, ${p.concurrency} in flight (the hidden budget: ${fmt(
      e.requests / e.windowSeconds,
      2,
    )}/s, ${e.concurrency} at a time); ${int(p.throttled)} refusals heard, callers held ${sec(p.throttleWaitMs * r.budget.timeScale)} s of wall time by them.`,
    '',
  ];
}

function seedSection(r: SeedResult, timeScale: number): string[] {
  const b = r.baseline;
  const rows = [...r.scenarios, ...(r.ceiling ? [r.ceiling] : [])];
  const first = r.scenarios.find((s) => s.id === 'first sync');
  const st = r.state;
  return [
    `## Seed ${r.seed}`,
    '',
    budgetLine(r.budget),
    '',
    `State database at the first plan: ${st.after.learnedPacing} learned-pacing rows, ${st.after.snapshots} snapshot users, ${st.after.lastApplied} last-applied records (before the reset: ${st.before.learnedPacing}, ${int(st.before.snapshots)}, ${int(st.before.lastApplied)}). Roster was given no rate limits${r.ceiling ? ', except the Exchange ceiling of the ceiling run' : ''}.`,
    '',
    ...SCENARIO_HEAD,
    ...rows.map(scenarioRow),
    '',
    ...paceLine(r, first),
    '### Requests by endpoint (simulator side)',
    '',
    ...endpointTable(rows),
    '',
    ...(r.campaign ? campaignSection(r.campaign, timeScale) : []),
    ...(b ? baselineLines(b, first, timeScale) : []),
  ];
}

function baselineLines(b: BaselineSummary, first: ScenarioResult | undefined, timeScale: number): string[] {
  return [
    `Baseline (the seed’s sequential design, 150 ms pause after each call): ${int(b.measured.employees)} employees measured in ${sec(
      b.measured.wallMs,
    )} s (${int(b.measured.requests)} requests, ${b.measured.failed} failed, ${b.measured.throttled} 429s), extrapolated to ${int(
      b.extrapolated.employees,
    )}: ${sec(b.realWorldWallMs)} s real-world (${int(b.extrapolated.requests)} requests per run).${
      first
        ? ` First sync real-world: ${sec(first.wallMs / timeScale)} s (wall ÷ ${timeScale}), ${fmt(
            b.realWorldWallMs / (first.wallMs / timeScale),
            2,
          )}× faster than the baseline; its floor allows ${fmt(b.realWorldWallMs / (first.floor.ms / timeScale), 2)}×.`
        : ''
    }`,
    '',
  ];
}

/** The results as markdown: per seed, the summary, scaling, targets. */
export function renderBenchMarkdown(r: BenchResults): string {
  const o = r.options;
  const w = r.summary.firstSyncWallOverFloor;
  const lines: string[] = [
    `# Roster benchmark — ${r.startedAt}`,
    '',
    `\`${r.command}\` · ${int(o.employees)} employees · seeds ${o.seeds.join(', ')} · latency ${o.latencyMs} ms · time scale ${o.timeScale} · ${r.machine.cpus} CPUs, Node ${r.machine.node}`,
    '',
    r.machine.note,
    '',
    `Wall times are wall-clock seconds at time scale ${o.timeScale}: the real-world equivalent is wall ÷ ${o.timeScale}.`,
    '¹ The least HTTP requests the scenario needs: one Set per signature, PATCHes in `$batch`es of 20, one PUT per photo (a deep check: one read per mailbox and photo). The floor is computed from that work, never from the requests Roster made.',
    '² 429s over Graph and Exchange calls as the simulator counted them (every `$batch` item once; envelopes and token requests excluded).',
    '',
  ];
  if (r.seeds.length > 0) {
    lines.push(
      `**First sync wall/floor over ${r.seeds.length} seed(s): worst ${fmt(w?.worst, 2)}, median ${fmt(w?.median, 2)}.**`,
      '',
    );
  }
  for (const seed of r.seeds) lines.push(...seedSection(seed, o.timeScale));
  if (r.scaling.length > 0) {
    lines.push('## Scaling and memory', '', ...SCENARIO_HEAD, ...r.scaling.map(scenarioRow), '');
    // The memory runs use another time scale: growth is compared at the main one only.
    lines.push(...scalingNotes(r, o.employees));
  }
  lines.push('', '## Targets', '', '| Target | Goal | Measured | Met |', '|---|---|---|---|');
  for (const t of r.targets) {
    lines.push(
      `| ${t.name} | ${t.target} | ${t.value} | ${t.met ? 'yes' : `**no**${t.note ? ` — ${t.note}` : ''}`} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Per-employee growth of the first sync and (c) between the smallest and largest runs up to `maxEmployees`. */
export function scalingNotes(
  r: Pick<BenchResults, 'scaling'>,
  maxEmployees = Number.POSITIVE_INFINITY,
): string[] {
  const out: string[] = [];
  for (const id of ['first sync', 'c']) {
    const runs = r.scaling
      .filter((s) => s.id === id && s.employees <= maxEmployees)
      .sort((x, y) => x.employees - y.employees);
    const small = runs[0];
    const large = runs[runs.length - 1];
    if (!small || !large || small === large) continue;
    const wall = growthFactor(small.wallMs, large.wallMs, small.employees, large.employees);
    const reqs = growthFactor(small.wireRequests, large.wireRequests, small.employees, large.employees);
    out.push(
      `- (${id}) ${int(small.employees)} → ${int(large.employees)}: wall grows ${fmt(wall, 2)}× linear, requests ${fmt(reqs, 2)}× linear (1 = linear, below 1 = sublinear).`,
    );
  }
  return out;
}
