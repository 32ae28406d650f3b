import { subscribe } from 'node:diagnostics_channel';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { appliedTotal, noneApplied, type AppliedCounts } from '../apply/apply-result.js';
import { createSignatureMemo } from '../desired/signature-memo.js';
import { openRuntime, type Runtime } from '../runtime/open-runtime.js';
import { createInMemoryApiMetrics, type ApiMetricsSnapshot } from '../http/api-metrics.js';
import { createPlanFileWriter, openPlanFile } from '../adapters/plan-file/plan-files.js';
import { run } from '../runs/run.js';
import type { RunDeps } from '../runs/run-request.js';
import { startBenchController, type BenchController, type BenchControllerStart } from './bench-controller.js';
import { createScaledClock } from './scaled-clock.js';
import type { ControllerStatus } from '../controller/status-model.js';

/** A request from the orchestrator to the worker process. */
export type WorkerRequest =
  | { type: 'init'; configDir: string; env: Record<string, string>; timeScale: number; clockOrigin?: number }
  | ({ type: 'controller-start' } & BenchControllerStart)
  | { type: 'controller-status' }
  | { type: 'controller-stop' }
  | { type: 'plan'; deepCheck?: 'auto' | 'force' }
  | { type: 'apply' }
  | { type: 'plan-apply' }
  | { type: 'close' };

/** What the worker measured for one request. */
export interface WorkerReply {
  ok: boolean;
  error?: string;
  wallMs: number;
  /** Client metrics after the step (the orchestrator diffs them). */
  metrics: ApiMetricsSnapshot;
  actions: number;
  applied: number;
  /** Applied actions by kind. */
  appliedByKind: AppliedCounts;
  failed: number;
  /** Highest RSS sampled every 50 ms during the step, and the process's lifetime maximum. */
  peakRssMb: number;
  maxRssMb: number;
  /** Connections fetch opened since the worker started (the orchestrator diffs them). */
  connections: number;
  /** The controller's `/status` (controller requests). */
  status?: ControllerStatus;
}

const MB = 1024 * 1024;
const NOTHING = { ok: true, actions: 0, applied: 0, appliedByKind: noneApplied(), failed: 0 };

/**
 * The Roster side of the benchmark, in its own process so its peak RSS is Roster's alone (the
 * simulator, the photo server and PostgreSQL live in the orchestrator and in postgres).
 */
export function runWorker(): void {
  const metrics = createInMemoryApiMetrics();
  let runtime: Runtime | undefined;
  let deps: RunDeps | undefined;
  let controller: BenchController | undefined;
  // The plan goes to a file as `roster plan --format json --out` writes it, and the apply reads
  // it back action by action as `roster apply FILE` does: neither holds the whole plan.
  let planDir: string | undefined;
  let planned: { path: string; actions: number } | undefined;
  // Node's fetch (undici) reports every connection it establishes: keep-alive shows as few.
  let connections = 0;
  subscribe('undici:client:connected', () => (connections += 1));

  async function doPlan(deepCheck: 'auto' | 'force'): Promise<{ actions: number }> {
    planDir ??= await mkdtemp(join(tmpdir(), 'roster-bench-plan-'));
    const path = join(planDir, 'plan.json');
    const writer = await createPlanFileWriter(path);
    const result = await run(
      deps!,
      { kind: 'plan', actor: 'bench', deepCheck },
      {
        action: (action) => writer.add(action),
        planned: (head) => writer.finish(head).then(() => undefined),
      },
    );
    if (result.failure !== undefined) {
      await writer.abort();
      throw result.failure;
    }
    planned = { path, actions: result.actionCount };
    return planned;
  }

  async function doApply(): Promise<{ applied: number; appliedByKind: AppliedCounts; failed: number }> {
    const file = await openPlanFile(planned!.path);
    try {
      const result = await run(deps!, { kind: 'apply', actor: 'bench', plan: file });
      if (result.failure !== undefined) throw result.failure;
      const apply = result.apply;
      return {
        applied: apply ? appliedTotal(apply.applied) : 0,
        appliedByKind: apply ? { ...apply.applied } : noneApplied(),
        failed: (apply?.failed.length ?? 0) + (apply?.notStarted.length ?? 0),
      };
    } finally {
      await file.close();
    }
  }

  async function handle(
    request: WorkerRequest,
  ): Promise<Omit<WorkerReply, 'wallMs' | 'metrics' | 'peakRssMb' | 'maxRssMb' | 'connections'>> {
    switch (request.type) {
      case 'init': {
        // Plans again and again, as the controller does: signatures made by one are reused by the
        // next. Its pacing, learned and kept in the state database as the CLI keeps it, runs on
        // the scaled clock, and so do the runs' moments.
        runtime = await openRuntime({
          dir: request.configDir,
          env: request.env,
          metrics,
          signatureMemo: createSignatureMemo(),
          clock: createScaledClock(request.timeScale, undefined, request.clockOrigin),
        });
        deps = runtime;
        return NOTHING;
      }
      case 'controller-start':
        controller = await startBenchController(request);
        return NOTHING;
      case 'controller-status':
        return { ...NOTHING, status: controller!.status() };
      case 'controller-stop': {
        const status = controller!.status();
        await controller!.stop();
        controller = undefined;
        return { ...NOTHING, status };
      }
      case 'plan': {
        const p = await doPlan(request.deepCheck ?? 'auto');
        return { ok: true, actions: p.actions, applied: 0, appliedByKind: noneApplied(), failed: 0 };
      }
      case 'apply': {
        const r = await doApply();
        return { ok: true, actions: planned!.actions, ...r };
      }
      case 'plan-apply': {
        const p = await doPlan('auto');
        const r = await doApply();
        return { ok: true, actions: p.actions, ...r };
      }
      case 'close':
        await controller?.stop();
        await runtime?.close();
        if (planDir) await rm(planDir, { recursive: true, force: true });
        return { ok: true, actions: 0, applied: 0, appliedByKind: noneApplied(), failed: 0 };
    }
  }

  process.on('message', (request: WorkerRequest) => {
    let peak = process.memoryUsage.rss();
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
    const started = performance.now();
    const finish = (
      part: Omit<WorkerReply, 'wallMs' | 'metrics' | 'peakRssMb' | 'maxRssMb' | 'connections'>,
    ) => {
      const wallMs = performance.now() - started;
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage.rss());
      const reply: WorkerReply = {
        ...part,
        wallMs,
        metrics: metrics.snapshot(),
        peakRssMb: peak / MB,
        maxRssMb: process.resourceUsage().maxRSS / 1024,
        connections,
      };
      process.send!(reply, () => {
        if (request.type === 'close') process.exit(0);
      });
    };
    handle(request).then(finish, (error: unknown) =>
      finish({
        ok: false,
        error: error instanceof Error ? error.message : String(error),
        actions: 0,
        applied: 0,
        appliedByKind: noneApplied(),
        failed: 0,
      }),
    );
  });
}
