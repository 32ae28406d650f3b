import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureDemoCa, runTrustingCa, trustsCa, type DemoCa } from '../local/demo-ca.js';
import { useMemoryProfile } from '../cli/memory-profile.js';
import { worstAndMedian, type ScenarioResult } from './bench-metrics.js';
import { benchCommand, readBenchOptions } from './bench-options.js';
import {
  renderBenchMarkdown,
  type BenchOptions,
  type BenchResults,
  type SeedResult,
} from './bench-report.js';
import { runCampaignSeed, runScenarios, runSeed } from './bench-seed.js';
import { benchTargets } from './bench-targets.js';
import { runWorker } from './bench-worker.js';
import { startBenchWorld } from './bench-world.js';

const MACHINE_NOTE =
  'The machine has 2 CPUs, shared during the run with the simulator, PostgreSQL and other work: wall-clock figures include that contention.';

/** The seeds at N employees on one database, HR data and photo server; each seed starts cold. */
async function runSeeds(options: BenchOptions, ca: DemoCa): Promise<SeedResult[]> {
  const [first] = options.seeds;
  if (first === undefined) return [];
  // Holds PostgreSQL, the HR data and the photo server; its own simulator stays idle.
  const base = await startBenchWorld({ ...options, budgetSeed: first, ca });
  try {
    const out: SeedResult[] = [];
    for (const [i, seed] of options.seeds.entries()) {
      if (options.campaignOnly) {
        out.push(await runCampaignSeed(options, ca, seed, base));
        continue;
      }
      // The forced deep check reads every mailbox: once, on the first seed, is enough to measure it.
      out.push(await runSeed(options, ca, seed, base, options.deepCheck && i === 0));
    }
    return out;
  } finally {
    await base.close();
  }
}

/** A first sync and a no-op at other sizes, each on a fresh database (the first seed's budget). */
async function runScaling(options: BenchOptions, ca: DemoCa): Promise<ScenarioResult[]> {
  const seed = options.seeds[0] ?? 1;
  const sizes: Array<{ employees: number; timeScale: number }> = [];
  if (!options.memoryOnly && options.employees !== 1000)
    sizes.push({ employees: 1000, timeScale: options.timeScale });
  for (const employees of options.memoryEmployees)
    sizes.push({ employees, timeScale: options.memoryTimeScale });
  const out: ScenarioResult[] = [];
  for (const { employees, timeScale } of sizes) {
    console.error(
      `scaling: ${employees} employees, first sync and no-op, time scale ${timeScale}, seed ${seed}`,
    );
    const w = await startBenchWorld({ ...options, employees, timeScale, budgetSeed: seed, ca });
    try {
      const runs = await runScenarios(w, timeScale, ['c']);
      out.push(...runs.filter((s) => s.id === 'first sync' || s.id === 'c'));
    } finally {
      await w.close();
    }
  }
  return out;
}

async function main(ca: DemoCa, argv: string[]): Promise<void> {
  const options = readBenchOptions(argv);
  const startedAt = new Date().toISOString();
  console.error(`roster bench: ${benchCommand(options)}`);
  const seeds = options.memoryOnly ? [] : await runSeeds(options, ca);
  const scaling = options.scaling && !options.campaignOnly ? await runScaling(options, ca) : [];
  if (options.scaling && !options.memoryOnly && !options.campaignOnly) {
    // The main size's first seed belongs in the scaling table next to the 1,000-employee run.
    const main = seeds[0]?.scenarios.filter((s) => s.id === 'first sync' || s.id === 'c') ?? [];
    scaling.unshift(...main);
    scaling.sort((a, b) => a.employees - b.employees);
  }
  const { out, ...kept } = options;
  const partial: Omit<BenchResults, 'targets'> = {
    startedAt,
    command: benchCommand(options),
    options: kept,
    machine: { cpus: cpus().length, node: process.versions.node, note: MACHINE_NOTE },
    seeds,
    summary: {
      firstSyncWallOverFloor: worstAndMedian(
        seeds.map((s) => s.scenarios.find((x) => x.id === 'first sync')?.wallOverFloor),
      ),
    },
    scaling,
  };
  const results: BenchResults = { ...partial, targets: benchTargets(partial) };
  const markdown = renderBenchMarkdown(results);
  const dir = resolve(out);
  await mkdir(dir, { recursive: true });
  const stamp = startedAt.replace(/[:.]/g, '-');
  // A partial run keeps its own latest: latest.md stays the whole bench's.
  const latest = options.memoryOnly ? 'latest-memory' : options.campaignOnly ? 'latest-campaign' : 'latest';
  const json = `${JSON.stringify(results, null, 2)}\n`;
  await Promise.all([
    writeFile(join(dir, `${stamp}.json`), json),
    writeFile(join(dir, `${stamp}.md`), markdown),
    writeFile(join(dir, `${latest}.md`), markdown),
    writeFile(join(dir, `${latest}.json`), json),
  ]);
  process.stdout.write(markdown);
  console.error(`results: ${join(out, `${stamp}.json`)} and .md, ${join(out, `${latest}.md`)}`);
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
