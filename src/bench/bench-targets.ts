import type { ScenarioResult } from './bench-metrics.js';
import type { BenchResults, SeedResult, TargetCheck } from './bench-report.js';
import { outcomeOverPrediction } from './campaign-report.js';

/** The issue's targets ("Budget-blind adaptive pacing"). */
export const TARGETS = {
  firstSyncOverFloor: 1.4,
  firstSyncThrottledShare: 0.02,
  speedupOverBaseline: 5,
  exchangeCallsPerSignature: 1.2,
  ceilingThrottledShare: 0.05,
  noopRequests: 15,
  noopWallMs: 5_000,
  peakRssMb: 300,
  largerPeakRatio: 1.15,
  /** "Signature campaigns": 99 % of a notBefore switch within this many times the prediction. */
  campaignOverPrediction: 1.2,
  campaignShare: 0.99,
} as const;

const pct = (share: number) => `${(share * 100).toFixed(2)} %`;
const ratio = (n: number | undefined) => (n === undefined ? '–' : `${n.toFixed(2)} ×`);

/** Real-world speed-up of the first sync over the baseline, and what the floor would allow. */
export function speedup(seed: SeedResult, first: ScenarioResult, timeScale: number) {
  const baseline = seed.baseline?.realWorldWallMs ?? Number.NaN;
  return {
    measured: baseline / (first.wallMs / timeScale),
    allowedByFloor: first.floor.ms > 0 ? baseline / (first.floor.ms / timeScale) : Number.POSITIVE_INFINITY,
  };
}

/** Every target of one seed, met or not. */
export function seedTargets(seed: SeedResult, timeScale: number): TargetCheck[] {
  const T = TARGETS;
  const out: TargetCheck[] = [];
  const first = seed.scenarios.find((s) => s.id === 'first sync');
  const noop = seed.scenarios.find((s) => s.id === 'c');
  const tag = `seed ${seed.seed}`;
  if (first) {
    const n = first.employees.toLocaleString('en-US');
    out.push(
      {
        name: `First sync at ${n} (${tag})`,
        target: `≤ ${T.firstSyncOverFloor} × floor`,
        value: `${ratio(first.wallOverFloor)} (${(first.wallMs / 1000).toFixed(1)} s vs ${(first.floor.ms / 1000).toFixed(1)} s, ${first.floor.binding})`,
        met: first.wallOverFloor !== undefined && first.wallOverFloor <= T.firstSyncOverFloor,
      },
      {
        name: `First sync at ${n} (${tag})`,
        target: `< ${T.firstSyncThrottledShare * 100} % throttled`,
        value: pct(first.throttledShare),
        met: first.throttledShare < T.firstSyncThrottledShare,
      },
      {
        name: `First sync at ${n} (${tag})`,
        target: '0 failed',
        value: `${first.failed}`,
        met: first.failed === 0,
      },
      {
        name: `First sync at ${n} (${tag})`,
        target: `≤ ${T.exchangeCallsPerSignature} Exchange calls per signature written`,
        value: `${first.exchangeCallsPerSignature?.toFixed(3) ?? '–'} (${first.exchangeCalls} for ${first.applied.signatures})`,
        met:
          first.exchangeCallsPerSignature !== undefined &&
          first.exchangeCallsPerSignature <= T.exchangeCallsPerSignature,
      },
    );
  }
  if (first && seed.baseline) {
    const s = speedup(seed, first, timeScale);
    const possible = s.allowedByFloor >= T.speedupOverBaseline;
    out.push({
      name: `First sync vs sequential baseline, real-world (${tag})`,
      target: possible
        ? `≥ ${T.speedupOverBaseline}× faster`
        : `floor allows only ${s.allowedByFloor.toFixed(2)}×: within ${T.firstSyncOverFloor} × floor`,
      value: `${s.measured.toFixed(2)}× faster`,
      met: possible
        ? s.measured >= T.speedupOverBaseline
        : first.wallOverFloor !== undefined && first.wallOverFloor <= T.firstSyncOverFloor,
    });
  }
  if (seed.ceiling) {
    out.push({
      name: `Exchange ceiling 10× above the budget (${tag})`,
      target: `< ${T.ceilingThrottledShare * 100} % throttled`,
      value: `${pct(seed.ceiling.throttledShare)} (wall/floor ${ratio(seed.ceiling.wallOverFloor)})`,
      met: seed.ceiling.throttledShare < T.ceilingThrottledShare,
    });
  }
  if (noop) {
    out.push(
      {
        name: `No-op re-plan (${tag})`,
        target: `≤ ${T.noopRequests} requests`,
        value: `${noop.wireRequests}`,
        met: noop.wireRequests <= T.noopRequests,
      },
      {
        name: `No-op re-plan (${tag})`,
        target: `≤ ${T.noopWallMs / 1000} s`,
        value: `${(noop.wallMs / 1000).toFixed(2)} s`,
        met: noop.wallMs <= T.noopWallMs,
      },
    );
  }
  return out;
}

/**
 * The campaign switch's targets ("Signature campaigns"): `notBefore` writes nothing before its
 * moment and switches 99 % within 1.2 × the prediction; `finishBy` has 99 % switched by its
 * moment; neither writes outside its audience.
 */
export function campaignTargets(seed: SeedResult): TargetCheck[] {
  const out: TargetCheck[] = [];
  const tag = `seed ${seed.seed}`;
  const s = (n: number | undefined) => (n === undefined ? 'never' : `${n.toFixed(1)} s`);
  for (const p of seed.campaign?.phases ?? []) {
    const t = p.timing;
    const name = `Campaign ${p.rollout} switch, ${t.audience.toLocaleString('en-US')} mailboxes (${tag})`;
    out.push({
      name,
      target: '0 writes outside the audience',
      value: `${t.outsideWrites} (${p.showingOutside} outside show the banner)`,
      met: t.outsideWrites === 0 && p.showingOutside === 0,
    });
    if (p.rollout === 'notBefore') {
      const over = outcomeOverPrediction(p).p99;
      out.push(
        {
          name,
          target: '0 writes before the moment',
          value: `${t.writesBeforeMoment} (first write ${s(t.firstWriteSeconds)} after it)`,
          met: t.writesBeforeMoment === 0,
        },
        {
          name,
          target: `99 % switched within ${TARGETS.campaignOverPrediction} × predicted`,
          value: `${over === undefined ? '–' : `${over.toFixed(2)} ×`} (99 % at ${s(t.p99Seconds)}, predicted ${s(p.lastSwitch?.predictedSeconds)})`,
          met: over !== undefined && over <= TARGETS.campaignOverPrediction,
        },
      );
    } else {
      out.push({
        name,
        target: '99 % switched by the moment',
        value: `99 % at ${s(t.p99Seconds)} from the moment (run started ${s(p.runStartSeconds)}, predicted ${s(p.lastSwitch?.predictedSeconds)})`,
        met: t.p99Seconds !== undefined && t.p99Seconds <= 0,
      });
    }
  }
  return out;
}

/** Peak RSS of the memory runs: the smallest against the limit, larger ones against it. */
export function memoryTargets(scaling: ScenarioResult[], memoryEmployees: number[]): TargetCheck[] {
  // A memory run's active employees are about 94 % of those generated.
  const runs = memoryEmployees
    .map((generated) => scaling.filter((s) => s.employees >= generated * 0.9 && s.employees <= generated))
    .filter((scenarios) => scenarios.length > 0);
  const peakOf = (r: ScenarioResult[]) => Math.max(...r.map((s) => s.peakRssMb));
  const peaks = (r: ScenarioResult[]) => r.map((s) => `(${s.id}) ${s.peakRssMb.toFixed(0)} MB`).join(', ');
  const [smallest, ...larger] = runs;
  if (!smallest) return [];
  const n = (r: ScenarioResult[]) => r[0]!.employees.toLocaleString('en-US');
  return [
    {
      name: `Peak RSS at ${n(smallest)}`,
      target: `≤ ${TARGETS.peakRssMb} MB`,
      value: `${peakOf(smallest).toFixed(0)} MB`,
      met: peakOf(smallest) <= TARGETS.peakRssMb,
      note: `highest of ${peaks(smallest)}`,
    },
    ...larger.map((r) => {
      const growth = peakOf(r) / peakOf(smallest);
      return {
        name: `Peak RSS at ${n(r)}`,
        target: `≤ ${TARGETS.largerPeakRatio} × peak at ${n(smallest)}`,
        value: `${peakOf(r).toFixed(0)} MB (${growth.toFixed(2)} ×)`,
        met: growth <= TARGETS.largerPeakRatio,
        note: `highest of ${peaks(r)}`,
      };
    }),
  ];
}

/** All targets of a run. */
export function benchTargets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  return [
    ...r.seeds.flatMap((seed) => [...seedTargets(seed, r.options.timeScale), ...campaignTargets(seed)]),
    ...memoryTargets(r.scaling, r.options.memoryEmployees),
  ];
}
