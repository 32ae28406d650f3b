import { DEMO_TENANT } from '../local/demo-tenant.js';
import type { DemoCa } from '../local/demo-ca.js';
import { runBaseline } from './baseline-sequential.js';
import type { ScenarioResult } from './bench-metrics.js';
import { combineScenarios } from './combine-scenarios.js';
import { appliedWork, measure, Worker, type ScenarioSpec } from './bench-measure.js';
import { summarizeBaseline, type BenchOptions, type SeedResult } from './bench-report.js';
import { ceilingAboveBudget, startBenchWorld, type BenchWorld } from './bench-world.js';
import { resetRosterState } from './reset-roster-state.js';
import { runCampaignScenario, type CampaignResult } from './bench-campaign.js';

const NO_WORK = () => ({ signatureWrites: 0, profileWrites: 0, photoWrites: 0 });

/** The first sync's two steps: a plan, then its apply. */
const FIRST_SYNC: ScenarioSpec[] = [
  { id: 'a', label: 'first plan', requests: [{ type: 'plan' }], work: NO_WORK },
  { id: 'b', label: 'first apply', requests: [{ type: 'apply' }], work: appliedWork },
];

/** A first sync (a, b and their sum), then the given later scenarios, in one Roster process. */
export async function runScenarios(
  world: BenchWorld,
  timeScale: number,
  later: Array<'c' | 'd' | 'e'>,
  firstSyncId = 'first sync',
): Promise<ScenarioResult[]> {
  const worker = await Worker.start(world, timeScale);
  const out: ScenarioResult[] = [];
  try {
    const [plan, apply] = [
      await measure(world, worker, FIRST_SYNC[0]!),
      await measure(world, worker, FIRST_SYNC[1]!),
    ];
    out.push(plan, apply, combineScenarios(firstSyncId, '(a + b)', [plan, apply], world.budget));
    if (later.includes('c')) {
      out.push(
        await measure(world, worker, {
          id: 'c',
          label: 'no-op re-plan',
          requests: [{ type: 'plan' }],
          work: NO_WORK,
        }),
      );
    }
    if (later.includes('d')) {
      // 1 % of users edited out of band, as an admin would in the portal.
      for (const e of world.active.filter((_, i) => i % 100 === 0)) {
        world.sim.patchUser(e.email, { jobTitle: 'Drifted title' });
      }
      out.push(
        await measure(world, worker, {
          id: 'd',
          label: '1 % drift: plan + apply',
          requests: [{ type: 'plan-apply' }],
          work: appliedWork,
        }),
      );
    }
    if (later.includes('e')) {
      // Every mailbox's signature and every user's photo read once: the least a forced check does.
      const mailboxes = world.active.length;
      out.push(
        await measure(world, worker, {
          id: 'e',
          label: 'deep photo/signature check',
          requests: [{ type: 'plan', deepCheck: 'force' }],
          work: () => ({ ...NO_WORK(), signatureReads: mailboxes, photoReads: mailboxes }),
        }),
      );
    }
  } finally {
    await worker.close();
  }
  return out;
}

/** A world on `shared`'s database, HR data and photo server, with an empty state database. */
async function coldWorld(
  options: BenchOptions,
  ca: DemoCa,
  seed: number,
  shared: BenchWorld,
  ceiling?: { exchangeRequestsPerMinute: number },
) {
  const state = await resetRosterState(shared.databaseUrl);
  const world = await startBenchWorld({
    employees: options.employees,
    timeScale: options.timeScale,
    latencyMs: options.latencyMs,
    budgetSeed: seed,
    drawGraphBudget: options.drawGraphBudget,
    ca,
    shared,
    ...(ceiling && { ceiling }),
  });
  return { world, state };
}

/**
 * One seed: a fresh simulator with that seed's hidden budget and an empty state database; the
 * first sync with no rate limits, the no-op, the drift (and the deep check if asked); then the
 * first sync again on a fresh tenant and state with the Exchange ceiling 10× above the drawn
 * budget; then the baseline on a twin simulator.
 */
export async function runSeed(
  options: BenchOptions,
  ca: DemoCa,
  seed: number,
  shared: BenchWorld,
  deepCheck: boolean,
): Promise<SeedResult> {
  console.error(`seed ${seed}:`);
  const { world, state } = await coldWorld(options, ca, seed, shared);
  const budget = world.budget;
  let scenarios: ScenarioResult[];
  let campaign: CampaignResult | undefined;
  try {
    scenarios = await runScenarios(world, options.timeScale, deepCheck ? ['c', 'd', 'e'] : ['c', 'd']);
    if (options.campaign) campaign = await runCampaignScenario(world, options.timeScale, ca);
  } finally {
    await world.close();
  }
  let ceiling: ScenarioResult | undefined;
  if (options.ceilingFactor > 0) {
    const setting = ceilingAboveBudget(budget, options.ceilingFactor);
    console.error(
      `  ceiling: exchangeRequestsPerMinute ${setting.exchangeRequestsPerMinute} (${options.ceilingFactor}× the drawn rate)`,
    );
    const cold = await coldWorld(options, ca, seed, shared, setting);
    try {
      const runs = await runScenarios(cold.world, options.timeScale, [], 'ceiling');
      ceiling = { ...runs[2]!, label: `(a + b), Exchange ceiling ${options.ceilingFactor}× the budget` };
    } finally {
      await cold.world.close();
    }
  }
  console.error(`  baseline: ${options.baselineSlice} employees, one at a time`);
  const twin = await startBenchWorld({
    employees: options.employees,
    timeScale: options.timeScale,
    latencyMs: options.latencyMs,
    budgetSeed: seed,
    drawGraphBudget: options.drawGraphBudget,
    ca,
    shared,
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
      shared.hr,
      shared.active.slice(0, options.baselineSlice),
    );
    const baseline = summarizeBaseline(measured, shared.active.length, options.latencyMs, options.timeScale);
    return {
      seed,
      budget,
      activeEmployees: shared.active.length,
      state,
      scenarios,
      ceiling,
      baseline,
      ...(campaign ? { campaign } : {}),
    };
  } finally {
    await twin.close();
  }
}

/**
 * A seed's first sync and then its campaign scenario alone (`--campaign-only`): the same world
 * and state database the whole bench's seed has when its campaign scenario starts, but for the
 * no-op and drift steps in between.
 */
export async function runCampaignSeed(
  options: BenchOptions,
  ca: DemoCa,
  seed: number,
  shared: BenchWorld,
): Promise<SeedResult> {
  console.error(`seed ${seed} (campaign only):`);
  const { world, state } = await coldWorld(options, ca, seed, shared);
  try {
    const scenarios = await runScenarios(world, options.timeScale, []);
    const campaign = await runCampaignScenario(world, options.timeScale, ca);
    const activeEmployees = shared.active.length;
    return { seed, budget: world.budget, activeEmployees, state, scenarios, ceiling: undefined, campaign };
  } finally {
    await world.close();
  }
}
