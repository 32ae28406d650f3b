import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ApiMetricsSnapshot } from '../http/api-metrics.js';
import { ensureDemoCa, runTrustingCa, trustsCa, type DemoCa } from '../local/demo-ca.js';
import { DEMO_TENANT } from '../local/demo-tenant.js';
import { ROSTER_NODE_OPTIONS, useMemoryProfile } from '../cli/memory-profile.js';
import { runBaseline } from './baseline-sequential.js';
import {
  byEndpoint,
  diffClientMetrics,
  diffStats,
  floorOf,
  throttledByEndpoint,
  throttledShare,
  type ScenarioResult,
} from './bench-metrics.js';
import {
  renderBenchMarkdown,
  summarizeBaseline,
  type BenchOptions,
  type BenchResults,
  type TargetCheck,
} from './bench-report.js';
import { runWorker, type WorkerReply, type WorkerRequest } from './bench-worker.js';
import { startBenchWorld, type BenchWorld } from './bench-world.js';

const EMPTY_METRICS: ApiMetricsSnapshot = { requests: {}, retries: {}, throttled: {}, durationMs: {} };

/** The Roster worker process, one request at a time. */
class Worker {
  private last = EMPTY_METRICS;
  private lastConnections = 0;
  constructor(private readonly child: ChildProcess) {}

  static start(world: BenchWorld, timeScale: number): Promise<Worker> {
    const child = fork(fileURLToPath(import.meta.url), ['--worker'], {
      // Started as the `roster` command starts.
      execArgv: [...ROSTER_NODE_OPTIONS],
      env: { ...process.env, NODE_EXTRA_CA_CERTS: world.env.NODE_EXTRA_CA_CERTS },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker = new Worker(child);
    return worker
      .send({ type: 'init', configDir: world.configDir, env: world.env, timeScale })
      .then(() => worker);
  }

  /** Sends a request; resolves with the reply and the client metrics of this request alone. */
  async send(request: WorkerRequest) {
    const reply = await new Promise<WorkerReply>((resolvePromise, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`bench worker exited (${code}) during ${request.type}`));
      this.child.once('exit', onExit);
      this.child.once('message', (m) => {
        this.child.off('exit', onExit);
        resolvePromise(m as WorkerReply);
      });
      this.child.send(request);
    });
    if (!reply.ok) throw new Error(`bench worker: ${request.type} failed: ${reply.error ?? 'unknown error'}`);
    const client = {
      ...diffClientMetrics(this.last, reply.metrics),
      connections: reply.connections - this.lastConnections,
    };
    this.last = reply.metrics;
    this.lastConnections = reply.connections;
    return { reply, client };
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await this.send({ type: 'close' }).catch(() => this.child.kill());
  }
}

/** Runs one worker request and measures it from both sides. */
async function measure(
  world: BenchWorld,
  worker: Worker,
  id: string,
  label: string,
  requests: WorkerRequest[],
  photoMailboxes: number,
): Promise<ScenarioResult> {
  const before = world.sim.statsSnapshot();
  let wallMs = 0;
  let wire = 0;
  let retries = 0;
  let clientThrottled = 0;
  let actions = 0;
  let failed = 0;
  let peak = 0;
  let connections = 0;
  for (const request of requests) {
    const { reply, client } = await worker.send(request);
    wallMs += reply.wallMs;
    wire += client.requests;
    retries += client.retries;
    clientThrottled += client.throttled;
    actions += reply.actions;
    failed += reply.failed;
    peak = Math.max(peak, reply.peakRssMb);
    connections += client.connections;
  }
  const stats = diffStats(before, world.sim.statsSnapshot());
  const { floor, ratio } = floorOf(stats, world.budget, photoMailboxes);
  const result: ScenarioResult = {
    id,
    label,
    employees: world.active.length,
    wallMs,
    wireRequests: wire,
    byEndpoint: byEndpoint(stats),
    throttledByEndpoint: throttledByEndpoint(stats),
    connections,
    throttled: { simulator: stats.throttled, client: clientThrottled },
    throttledShare: throttledShare(stats),
    retries,
    actions,
    failed,
    peakRssMb: peak,
    floor,
    wallOverFloor: ratio(wallMs),
  };
  console.error(
    `  ${id} ${label}: ${(wallMs / 1000).toFixed(2)} s, ${wire} requests, ${actions} actions, ${failed} failed, floor ${(floor.ms / 1000).toFixed(2)} s, ${connections} connections, peak RSS ${peak.toFixed(0)} MB`,
  );
  return result;
}

function withPhotos(world: BenchWorld): number {
  return world.active.filter((e) => e.profileImageUrl).length;
}

/** Scenarios a–e against one world (or a subset for scaling runs). */
async function runScenarios(world: BenchWorld, timeScale: number, ids: string[]): Promise<ScenarioResult[]> {
  const worker = await Worker.start(world, timeScale);
  const out: ScenarioResult[] = [];
  const photos = withPhotos(world);
  try {
    out.push(await measure(world, worker, 'a', 'initial plan', [{ type: 'plan' }], photos));
    if (ids.includes('b')) {
      out.push(await measure(world, worker, 'b', 'full apply', [{ type: 'apply' }], photos));
    }
    if (ids.includes('c'))
      out.push(await measure(world, worker, 'c', 'no-op re-plan', [{ type: 'plan' }], 1));
    if (ids.includes('d')) {
      // 1 % of users edited out of band, as an admin would in the portal.
      const drifted = world.active.filter((_, i) => i % 100 === 0);
      for (const e of drifted) world.sim.patchUser(e.email, { jobTitle: 'Drifted title' });
      out.push(
        await measure(
          world,
          worker,
          'd',
          '1 % drift: plan + apply',
          [{ type: 'plan-apply' }],
          drifted.length,
        ),
      );
    }
    if (ids.includes('e')) {
      out.push(
        await measure(
          world,
          worker,
          'e',
          'deep photo/signature check',
          [{ type: 'plan', deepCheck: 'force' }],
          photos,
        ),
      );
    }
  } finally {
    await worker.close();
  }
  return out;
}

function readOptions(argv: string[]): BenchOptions & { out: string; worker: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      employees: { type: 'string', default: '10000' },
      'latency-ms': { type: 'string', default: '30' },
      'time-scale': { type: 'string', default: '0.05' },
      'budget-seed': { type: 'string', default: '1' },
      'draw-graph-budget': { type: 'boolean', default: false },
      'baseline-slice': { type: 'string', default: '50' },
      'no-scaling': { type: 'boolean', default: false },
      'memory-employees': { type: 'string', default: '50000,100000' },
      'memory-time-scale': { type: 'string' },
      out: { type: 'string', default: 'bench/results' },
      worker: { type: 'boolean', default: false },
    },
  });
  const num = (name: string, value: string | undefined, min: number, max: number) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new Error(`--${name} must be a number in [${min}, ${max}]`);
    return n;
  };
  const timeScale = num('time-scale', values['time-scale'], 0.0001, 1);
  return {
    employees: Math.round(num('employees', values.employees, 10, 200_000)),
    latencyMs: num('latency-ms', values['latency-ms'], 0, 10_000),
    timeScale,
    budgetSeed: Math.round(num('budget-seed', values['budget-seed'], 0, 0xffff_ffff)),
    drawGraphBudget: values['draw-graph-budget'],
    baselineSlice: Math.round(num('baseline-slice', values['baseline-slice'], 1, 10_000)),
    scaling: !values['no-scaling'],
    memoryEmployees: (values['memory-employees'] ?? '')
      .split(',')
      .filter((v) => v.trim() !== '')
      .map((v) => Math.round(num('memory-employees', v, 0, 500_000)))
      .filter((n) => n > 0)
      .sort((a, b) => a - b),
    memoryTimeScale: num(
      'memory-time-scale',
      values['memory-time-scale'] ?? String(timeScale / 10),
      0.0001,
      1,
    ),
    out: values.out,
    worker: values.worker,
  };
}

function targets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const get = (id: string) => r.scenarios.find((s) => s.id === id);
  const noop = get('c');
  const full = get('b');
  // A memory run's active employees are about 94 % of those generated.
  const memoryRuns = r.options.memoryEmployees
    .map((generated) => ({
      generated,
      scenarios: r.scaling.filter((s) => s.employees >= generated * 0.9 && s.employees <= generated),
    }))
    .filter((m) => m.scenarios.length > 0);
  const out: TargetCheck[] = [];
  if (noop) {
    out.push({
      name: `No-op re-plan at ${noop.employees}`,
      target: '≤ 15 requests',
      value: `${noop.wireRequests}`,
      met: noop.wireRequests <= 15,
    });
    out.push({
      name: `No-op re-plan at ${noop.employees}`,
      target: '≤ 5 s',
      value: `${(noop.wallMs / 1000).toFixed(2)} s`,
      met: noop.wallMs <= 5000,
    });
  }
  if (full) {
    out.push({
      name: 'Full apply',
      target: '≤ 1.15 × floor',
      value: `${full.wallOverFloor?.toFixed(2) ?? '–'} × (${full.floor.binding})`,
      met: full.wallOverFloor !== undefined && full.wallOverFloor <= 1.15,
      note: 'per-request CPU of Roster and the simulator on this machine (docs/performance.md)',
    });
    out.push({
      name: 'Full apply',
      target: '< 2 % throttled',
      value: `${(full.throttledShare * 100).toFixed(2)} %`,
      met: full.throttledShare < 0.02,
    });
    out.push({
      name: 'Full apply',
      target: 'zero failures',
      value: `${full.failed}`,
      met: full.failed === 0,
    });
  }
  out.push({
    name: 'No-op vs baseline',
    target: '≥ 1,000× fewer requests',
    value: `${Math.round(r.comparison.noopRequestRatio).toLocaleString('en-US')}×`,
    met: r.comparison.noopRequestRatio >= 1000,
  });
  const peakOf = (m: (typeof memoryRuns)[number]) => Math.max(...m.scenarios.map((s) => s.peakRssMb));
  const peaks = (m: (typeof memoryRuns)[number]) =>
    m.scenarios.map((s) => `(${s.id}) ${s.peakRssMb.toFixed(0)} MB`).join(', ');
  const [smallest] = memoryRuns;
  if (smallest) {
    out.push({
      name: `Peak RSS at ${smallest.scenarios[0]!.employees}`,
      target: '≤ 300 MB',
      value: `${peakOf(smallest).toFixed(0)} MB`,
      met: peakOf(smallest) <= 300,
      note: `highest of ${peaks(smallest)} (docs/performance.md)`,
    });
    for (const larger of memoryRuns.slice(1)) {
      const ratio = peakOf(larger) / peakOf(smallest);
      out.push({
        name: `Peak RSS at ${larger.scenarios[0]!.employees}`,
        target: `≤ 1.15 × peak at ${smallest.scenarios[0]!.employees}`,
        value: `${peakOf(larger).toFixed(0)} MB (${ratio.toFixed(2)} ×)`,
        met: ratio <= 1.15,
        note: `highest of ${peaks(larger)}: a run holds slices, not the directory`,
      });
    }
  }
  return out;
}

async function main(ca: DemoCa, argv: string[]): Promise<void> {
  const options = readOptions(argv);
  const startedAt = new Date().toISOString();
  const { timeScale, latencyMs, budgetSeed, drawGraphBudget } = options;
  console.error(
    `roster bench: ${options.employees} employees, latency ${latencyMs} ms, time scale ${timeScale}, budget seed ${budgetSeed}`,
  );
  const hidden = { budgetSeed, drawGraphBudget };
  const world = await startBenchWorld({ employees: options.employees, timeScale, latencyMs, ca, ...hidden });
  const budget = world.budget;
  let scenarios: ScenarioResult[];
  let baseline;
  try {
    scenarios = await runScenarios(world, timeScale, ['a', 'b', 'c', 'd', 'e']);
    console.error(`  baseline: ${options.baselineSlice} employees, one at a time`);
    const twin = await startBenchWorld({
      employees: options.employees,
      timeScale,
      latencyMs,
      ca,
      ...hidden,
      shared: world,
    });
    try {
      const measured = await runBaseline(
        {
          origin: twin.sim.origin,
          tenantId: twin.sim.state.tenantId,
          tenantDomain: twin.sim.state.tenantDomain,
          clientId: DEMO_TENANT.clientId,
          clientSecret: DEMO_TENANT.clientSecret,
          pauseMs: 150,
        },
        world.hr,
        world.active.slice(0, options.baselineSlice),
      );
      baseline = summarizeBaseline(measured, world.active.length, latencyMs, timeScale);
    } finally {
      await twin.close();
    }
  } finally {
    await world.close();
  }

  const scaling: ScenarioResult[] = [];
  if (options.scaling) {
    const small = 1000;
    if (options.employees !== small) {
      console.error(`  scaling: ${small} employees`);
      const w = await startBenchWorld({ employees: small, timeScale, latencyMs, ca, ...hidden });
      try {
        scaling.push(...(await runScenarios(w, timeScale, ['b', 'c'])).filter((s) => s.id !== 'a'));
      } finally {
        await w.close();
      }
    }
    scaling.push(...scenarios.filter((s) => s.id === 'b' || s.id === 'c'));
    for (const employees of options.memoryEmployees) {
      console.error(`  memory: ${employees} employees, (a)–(c), time scale ${options.memoryTimeScale}`);
      const w = await startBenchWorld({
        employees,
        timeScale: options.memoryTimeScale,
        latencyMs,
        ca,
        ...hidden,
      });
      try {
        scaling.push(...(await runScenarios(w, options.memoryTimeScale, ['b', 'c'])));
      } finally {
        await w.close();
      }
    }
  }

  const noop = scenarios.find((s) => s.id === 'c')!;
  const full = [scenarios.find((s) => s.id === 'a')!, scenarios.find((s) => s.id === 'b')!];
  const fullRequests = full.reduce((n, s) => n + s.wireRequests, 0);
  const fullWall = full.reduce((n, s) => n + s.wallMs, 0);
  const partial: Omit<BenchResults, 'targets'> = {
    startedAt,
    command: `npm run bench -- --employees ${options.employees} --latency-ms ${latencyMs} --time-scale ${timeScale} --budget-seed ${budgetSeed}${drawGraphBudget ? ' --draw-graph-budget' : ''}${options.scaling ? '' : ' --no-scaling'}`,
    options: { ...options },
    machine: { cpus: cpus().length, node: process.versions.node },
    activeEmployees: world.active.length,
    budget,
    scenarios,
    baseline: baseline!,
    comparison: {
      noopRequests: noop.wireRequests,
      fullApplyRequests: fullRequests,
      noopRequestRatio: baseline!.extrapolated.requests / Math.max(1, noop.wireRequests),
      fullRequestRatio: baseline!.extrapolated.requests / Math.max(1, fullRequests),
      noopWallRatioRaw: baseline!.extrapolated.wallMs / noop.wallMs,
      fullWallRatioRaw: baseline!.extrapolated.wallMs / fullWall,
      fullWallRatioRealWorld: baseline!.realWorldWallMs / (fullWall / timeScale),
    },
    scaling,
  };
  const results: BenchResults = { ...partial, targets: targets(partial) };
  delete (results.options as Partial<typeof options>).out;
  const markdown = renderBenchMarkdown(results);
  const dir = resolve(options.out);
  await mkdir(dir, { recursive: true });
  const stamp = startedAt.replace(/[:.]/g, '-');
  await Promise.all([
    writeFile(join(dir, `${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`),
    writeFile(join(dir, `${stamp}.md`), markdown),
    writeFile(join(dir, 'latest.md'), markdown),
    writeFile(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`),
  ]);
  process.stdout.write(markdown);
  console.error(`results: ${join(options.out, `${stamp}.json`)} and .md, ${join(options.out, 'latest.md')}`);
}

async function entry(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--worker')) {
    // The Roster process runs as the CLI does.
    useMemoryProfile();
    runWorker();
    return;
  }
  const ca = await ensureDemoCa();
  // Node reads NODE_EXTRA_CA_CERTS only at start: re-run this script trusting the bench CA.
  if (!trustsCa(ca.certFile)) {
    const { code } = await runTrustingCa(ca.certFile);
    process.exit(code);
  }
  await main(ca, argv);
  process.exit(0);
}

entry().catch((error: unknown) => {
  console.error(`roster bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
