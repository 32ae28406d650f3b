import type { BaselineResult } from './baseline-sequential.js';
import type { SimHiddenBudget } from '../sim/hidden-budget.js';
import { extrapolate, growthFactor, type ScenarioResult } from './bench-metrics.js';

/** The options a run was made with. */
export interface BenchOptions {
  employees: number;
  latencyMs: number;
  timeScale: number;
  /** Seed of the simulator's hidden budget. */
  budgetSeed: number;
  /** Graph identity budgets drawn below the published ones too. */
  drawGraphBudget: boolean;
  baselineSlice: number;
  scaling: boolean;
  /** Employee counts of the memory runs (scenarios a–c each), smallest first. */
  memoryEmployees: number[];
  memoryTimeScale: number;
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

/** Everything one `npm run bench` measured. */
export interface BenchResults {
  startedAt: string;
  command: string;
  options: BenchOptions;
  machine: { cpus: number; node: string };
  activeEmployees: number;
  /** The budget the simulator drew (read from its control plane after the run). */
  budget: SimHiddenBudget;
  scenarios: ScenarioResult[];
  baseline: BaselineSummary;
  comparison: {
    noopRequests: number;
    fullApplyRequests: number;
    /** Baseline requests per run ÷ Roster's, for a no-op run and for the full apply. */
    noopRequestRatio: number;
    fullRequestRatio: number;
    /** Baseline wall ÷ Roster wall: measured (wall clock) and real-world (unscaled) terms. */
    noopWallRatioRaw: number;
    fullWallRatioRaw: number;
    fullWallRatioRealWorld: number;
  };
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

function scenarioRow(s: ScenarioResult): string {
  return `| ${s.id} ${s.label} | ${int(s.employees)} | ${sec(s.wallMs)} | ${int(s.wireRequests)} | ${int(
    Object.values(s.byEndpoint).reduce((a, b) => a + b, 0),
  )} | ${int(s.throttled.simulator)} (${fmt(s.throttledShare * 100, 2)} %) | ${int(s.retries)} | ${int(s.actions)} | ${int(
    s.failed,
  )} | ${fmt(s.peakRssMb, 0)} | ${sec(s.floor.ms)} (${s.floor.binding}) | ${fmt(s.wallOverFloor, 2)} | ${
    s.connections === undefined ? '–' : int(s.connections)
  } |`;
}

const SCENARIO_HEAD = [
  '| Scenario | Employees | Wall s | HTTP requests | Sim requests¹ | 429s (share) | Retries | Actions | Failed | Peak RSS MB | Floor s (binding) | Wall/floor | Connections² |',
  '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
];

/** The drawn budget in one line (docs/simulator.md explains each part). */
export function budgetLine(b: SimHiddenBudget): string {
  const e = b.exchange;
  const sends = [e.rateLimitHeaders ? 'Rate-Limit-*' : '', e.retryAfter ? 'Retry-After' : ''].filter(Boolean);
  return [
    `Hidden budget (seed ${b.seed}): Exchange ${e.shape} of ${int(e.requests)} per ${e.windowSeconds} s,`,
    `concurrency ${e.concurrency}, sends ${sends.length > 0 ? sends.join(' and ') : 'neither rate headers nor Retry-After'};`,
    `Graph ${int(b.graph.resourceUnitsPer10s)} RU per 10 s, ${int(b.graph.writesPer150s)} writes per 150 s;`,
    `${fmt(b.subLimit429Rate * 100, 1)} % of calls 429 below the limits.`,
  ].join(' ');
}

/** The results as markdown: scenarios, endpoints, baseline, scaling, targets. */
export function renderBenchMarkdown(r: BenchResults): string {
  const o = r.options;
  const lines: string[] = [
    `# Roster benchmark — ${r.startedAt}`,
    '',
    `\`${r.command}\` · ${int(o.employees)} employees (${int(r.activeEmployees)} active) · latency ${o.latencyMs} ms · time scale ${o.timeScale} · ${r.machine.cpus} CPUs, Node ${r.machine.node}`,
    '',
    budgetLine(r.budget),
    '',
    '## Scenarios',
    '',
    ...SCENARIO_HEAD,
    ...r.scenarios.map(scenarioRow),
    '',
    '¹ As the simulator counted them: every `$batch` item once, plus the `$batch` envelope, plus token requests.',
    '² TLS connections Roster opened to the simulator during the scenario (keep-alive reuses them).',
    `Wall times are wall-clock seconds at time scale ${o.timeScale}: the real-world equivalent is wall ÷ ${o.timeScale}.`,
    '',
    '### Requests by endpoint (simulator side)',
    '',
    `| Endpoint | ${r.scenarios.map((s) => s.id).join(' | ')} |`,
    `|---|${r.scenarios.map(() => '--:').join('|')}|`,
  ];
  const endpoints = [...new Set(r.scenarios.flatMap((s) => Object.keys(s.byEndpoint)))].sort();
  for (const e of endpoints) {
    lines.push(`| \`${e}\` | ${r.scenarios.map((s) => int(s.byEndpoint[e] ?? 0)).join(' | ')} |`);
  }
  const throttled = r.scenarios.filter((s) => Object.keys(s.throttledByEndpoint ?? {}).length > 0);
  if (throttled.length > 0) {
    lines.push('', '429s by endpoint:', '');
    for (const s of throttled) {
      const parts = Object.entries(s.throttledByEndpoint).map(([e, n]) => `\`${e}\` ${int(n)}`);
      lines.push(`- (${s.id}) ${parts.join(', ')}`);
    }
  }
  const b = r.baseline;
  const c = r.comparison;
  lines.push(
    '',
    '## Baseline: the seed’s sequential design',
    '',
    `One employee at a time — look up by mail, PATCH all fields, PUT photo, Set-MailboxMessageConfiguration — with a 150 ms pause (wall ms, not time-scaled) after each call, on every run. Measured on a slice of ${int(
      b.measured.employees,
    )} employees against a second, identically configured simulator, then extrapolated linearly to ${int(
      b.extrapolated.employees,
    )}.`,
    '',
    '| | Slice | Extrapolated | Real-world (full latency) |',
    '|---|--:|--:|--:|',
    `| Wall s | ${sec(b.measured.wallMs)} | ${sec(b.extrapolated.wallMs)} | ${sec(b.realWorldWallMs)} |`,
    `| Requests per run | ${int(b.measured.requests)} | ${int(b.extrapolated.requests)} | ${int(b.extrapolated.requests)} |`,
    `| Failed / 429s | ${b.measured.failed} / ${b.measured.throttled} | | |`,
    '',
    '| Roster vs baseline | Requests (baseline ÷ Roster) | Wall (baseline ÷ Roster) |',
    '|---|--:|--:|',
    `| No-op run (c) | ${fmt(c.noopRequestRatio, 0)}× (${int(c.noopRequests)} vs ${int(b.extrapolated.requests)}) | ${fmt(c.noopWallRatioRaw, 0)}× |`,
    `| Full apply (a+b) | ${fmt(c.fullRequestRatio, 2)}× (${int(c.fullApplyRequests)} vs ${int(b.extrapolated.requests)}) | ${fmt(c.fullWallRatioRaw, 2)}× measured, ${fmt(c.fullWallRatioRealWorld, 2)}× real-world |`,
  );
  if (r.scaling.length > 0) {
    lines.push('', '## Scaling', '', ...SCENARIO_HEAD, ...r.scaling.map(scenarioRow), '');
    lines.push(...scalingNotes(r));
  }
  lines.push('', '## Targets', '', '| Target | Goal | Measured | Met |', '|---|---|---|---|');
  for (const t of r.targets) {
    lines.push(`| ${t.name} | ${t.target} | ${t.value} | ${t.met ? 'yes' : `**no** — ${t.note ?? ''}`} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Per-employee growth of (b) and (c) between the two sizes measured. */
export function scalingNotes(r: Pick<BenchResults, 'scaling'>): string[] {
  const out: string[] = [];
  for (const id of ['b', 'c']) {
    const runs = r.scaling.filter((s) => s.id === id).sort((x, y) => x.employees - y.employees);
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
