import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ApiMetricsSnapshot } from '../http/api-metrics.js';
import { ROSTER_NODE_OPTIONS } from '../cli/memory-profile.js';
import {
  byEndpoint,
  diffClientMetrics,
  diffStats,
  exchangeCalls,
  exchangeCallsPerSignature,
  floorOf,
  minimumRequests,
  throttledByEndpoint,
  throttleCounts,
  throttledShare,
  type MinimumWork,
  type ScenarioResult,
  type SimStatsLike,
} from './bench-metrics.js';
import type { WorkerReply, WorkerRequest } from './bench-worker.js';
import type { BenchWorld } from './bench-world.js';

const EMPTY_METRICS: ApiMetricsSnapshot = { requests: {}, retries: {}, throttled: {}, durationMs: {} };
const WORKER_SCRIPT = fileURLToPath(new URL('./run-bench.js', import.meta.url));

/** The Roster worker process, one request at a time. */
export class Worker {
  private last = EMPTY_METRICS;
  private lastConnections = 0;
  constructor(private readonly child: ChildProcess) {}

  /** `clockOrigin`: where its scaled clock meets the wall (default: when it starts). */
  static start(world: BenchWorld, timeScale: number, clockOrigin?: number): Promise<Worker> {
    const child = fork(WORKER_SCRIPT, ['--worker'], {
      // Started as the `roster` command starts.
      execArgv: [...ROSTER_NODE_OPTIONS],
      env: { ...process.env, NODE_EXTRA_CA_CERTS: world.env.NODE_EXTRA_CA_CERTS },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker = new Worker(child);
    return worker
      .send({
        type: 'init',
        configDir: world.configDir,
        env: world.env,
        timeScale,
        ...(clockOrigin !== undefined ? { clockOrigin } : {}),
      })
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

/** One scenario to measure: its requests, and its minimum work from what they applied. */
export interface ScenarioSpec {
  id: string;
  label: string;
  requests: WorkerRequest[];
  /** The least work the scenario needs; `applied` is what Roster's apply wrote, by kind. */
  work: (applied: ScenarioResult['applied']) => MinimumWork;
}

/** The least work of a sync: what it applied (a plan applies nothing and has no floor). */
export function appliedWork(applied: ScenarioResult['applied']): MinimumWork {
  return {
    signatureWrites: applied.signatures,
    profileWrites: applied.profiles,
    photoWrites: applied.photos,
  };
}

/** Runs one scenario and measures it from both sides: the worker's and the simulator's. */
export async function measure(
  world: BenchWorld,
  worker: Worker,
  spec: ScenarioSpec,
): Promise<ScenarioResult> {
  const before = world.sim.statsSnapshot();
  const sum = {
    wallMs: 0,
    wire: 0,
    retries: 0,
    clientThrottled: 0,
    actions: 0,
    failed: 0,
    peak: 0,
    connections: 0,
  };
  const applied = { profiles: 0, photos: 0, signatures: 0 };
  let pacing: ScenarioResult['pacing'];
  for (const request of spec.requests) {
    const { reply, client } = await worker.send(request);
    pacing = reply.metrics.pacing;
    sum.wallMs += reply.wallMs;
    sum.wire += client.requests;
    sum.retries += client.retries;
    sum.clientThrottled += client.throttled;
    sum.actions += reply.actions;
    sum.failed += reply.failed;
    sum.peak = Math.max(sum.peak, reply.peakRssMb);
    sum.connections += client.connections;
    applied.profiles += reply.appliedByKind['update-profile'];
    applied.photos += reply.appliedByKind['set-photo'];
    applied.signatures += reply.appliedByKind['set-signature'];
  }
  const stats = diffStats(before, world.sim.statsSnapshot());
  const result = { ...scenarioResult(world, spec, stats, sum, applied), ...(pacing && { pacing }) };
  console.error(
    `  ${spec.id} ${spec.label}: ${(sum.wallMs / 1000).toFixed(2)} s, ${sum.wire} requests, ${sum.actions} actions, ${sum.failed} failed, ${(result.throttledShare * 100).toFixed(2)} % throttled, floor ${(result.floor.ms / 1000).toFixed(2)} s (${result.floor.binding}), wall/floor ${result.wallOverFloor?.toFixed(2) ?? '–'}, ${result.exchangeCalls} Exchange calls, peak RSS ${sum.peak.toFixed(0)} MB`,
  );
  return result;
}

function scenarioResult(
  world: BenchWorld,
  spec: ScenarioSpec,
  stats: SimStatsLike,
  sum: {
    wallMs: number;
    wire: number;
    retries: number;
    clientThrottled: number;
    actions: number;
    failed: number;
    peak: number;
    connections: number;
  },
  applied: ScenarioResult['applied'],
): ScenarioResult {
  const work = spec.work(applied);
  const { floor, ratio } = floorOf(work, world.budget);
  const calls = exchangeCalls(stats);
  return {
    id: spec.id,
    label: spec.label,
    employees: world.active.length,
    wallMs: sum.wallMs,
    wireRequests: sum.wire,
    byEndpoint: byEndpoint(stats),
    throttledByEndpoint: throttledByEndpoint(stats),
    connections: sum.connections,
    throttled: { simulator: stats.throttled, client: sum.clientThrottled },
    throttledShare: throttledShare(stats),
    throttleCounts: throttleCounts(stats),
    retries: sum.retries,
    actions: sum.actions,
    failed: sum.failed,
    peakRssMb: sum.peak,
    applied,
    exchangeCalls: calls,
    exchangeCallsPerSignature: exchangeCallsPerSignature(calls, applied.signatures),
    minimumWork: work,
    minimumRequests: minimumRequests(work),
    floor,
    wallOverFloor: ratio(sum.wallMs),
  };
}
