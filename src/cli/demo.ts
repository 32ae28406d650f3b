import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { applyExitCode, renderApplySummary } from '../apply/apply-result.js';
import { ensureDemoCa, runTrustingCa, trustsCa } from '../local/demo-ca.js';
import { startDemoWorld, type DemoWorld } from '../local/demo-world.js';
import { renderPlanText } from '../plan/render-text.js';
import { planHash } from '../plan/plan-file.js';
import { planSourceOf } from '../plan/plan-source.js';
import { run } from '../runs/run.js';
import { withSignals } from './apply.js';
import { cliContext, type CliContext } from './cli-context.js';
import { startControllerServer, type ControllerServer } from '../runtime/controller-runtime.js';
import { collectPlan } from '../runs/collect-plan.js';
import { raiseFailure } from './plan.js';
import { openRuntime } from '../runtime/open-runtime.js';
import { explainListenError } from './listen-error.js';

export interface DemoOptions {
  apply?: boolean;
  /** Exit after printing instead of serving until Ctrl-C (for scripts and tests). */
  exit?: boolean;
  port: number;
}

function banner(world: DemoWorld): string {
  const d = world.drift;
  return [
    'Roster demo: everything runs locally.',
    `  HR database     ${world.postgresKind === 'server' ? "the machine's PostgreSQL" : 'embedded PostgreSQL (PGlite)'}: ${world.hr.employees.length} employees in ${world.hr.offices.length} offices`,
    `  tenant          simulated Microsoft 365 at ${world.sim.origin}`,
    `  photos          ${world.photoServer.url}/photos/`,
    `  configuration   ${world.configDir}`,
    `  drift planted   ${d.drifted.length} users with stale profile fields, ${d.withOldPhoto.length} old photos, ${d.withOldSignature.length} old signatures,`,
    `                  synced user ${d.syncedUser}, no account for ${d.unmatchedEmployee}, ${d.outOfScope.length} users outside the managed domains`,
    '',
  ].join('\n');
}

/** One plan (and with --apply: apply, then a second plan that must be empty) against the demo world. */
async function planAndMaybeApply(ctx: CliContext, opts: DemoOptions): Promise<number> {
  const runtime = await openRuntime({ dir: ctx.dir, env: ctx.env, logger: ctx.logger });
  try {
    const color = ctx.stdout.isTTY === true;
    const plan = async () => {
      const collected = collectPlan();
      raiseFailure(await run(runtime, { kind: 'plan', actor: ctx.actor, deepCheck: 'force' }, collected));
      return collected.plan()!;
    };
    const first = await plan();
    ctx.stdout.write(renderPlanText(first, { color }));
    if (!opts.apply) return 0;
    ctx.stdout.write('\nApplying…\n');
    const applied = await withSignals(ctx, (signal) =>
      run(runtime, { kind: 'apply', actor: ctx.actor, signal, plan: planSourceOf(first, planHash(first)) }),
    );
    raiseFailure(applied);
    if (applied.apply) ctx.stdout.write(renderApplySummary(applied.apply));
    const second = await plan();
    ctx.stdout.write(`\nSecond plan, read back from the tenant:\n${renderPlanText(second, { color })}`);
    return (applied.apply ? applyExitCode(applied.apply) : 0) || (second.actions.length > 0 ? 1 : 0);
  } finally {
    await runtime.close();
  }
}

/**
 * `roster demo`: a local PostgreSQL with generated HR data, a simulated tenant with drift, photos
 * served on loopback; prints the plan, then runs the controller (observe mode) with its dashboard.
 * The process must trust the simulator's CA from the start, so it re-runs itself with
 * NODE_EXTRA_CA_CERTS when needed.
 */
export async function runDemo(ctx: CliContext, opts: DemoOptions): Promise<number> {
  const ca = await ensureDemoCa();
  if (!trustsCa(ca.certFile, ctx.env)) return (await runTrustingCa(ca.certFile)).code;

  // ROSTER_DEMO_POSTGRES=embedded shows the path of a machine without PostgreSQL.
  const pgChoice = ctx.env.ROSTER_DEMO_POSTGRES;
  const usePgServer = pgChoice === 'embedded' || pgChoice === 'server' ? pgChoice : 'auto';
  const world = await startDemoWorld({ ca, usePgServer });
  let server: ControllerServer | undefined;
  const stop = async () => {
    await server?.close();
    await world.close();
  };
  try {
    const apiToken = randomBytes(16).toString('hex');
    const env = { ...ctx.env, ...world.env, ROSTER_API_TOKEN: apiToken };
    const demo: CliContext = { ...ctx, dir: world.configDir, env };
    ctx.stdout.write(banner(world));
    const code = await planAndMaybeApply(demo, opts);
    if (opts.exit) return code;
    server = await startControllerServer({
      dir: world.configDir,
      env,
      logger: ctx.logger,
      host: '127.0.0.1',
      port: opts.port,
    }).catch((error: unknown) => {
      throw explainListenError(error, { host: '127.0.0.1', port: opts.port, choose: '--port N' });
    });
    ctx.stdout.write(
      [
        '',
        `Controller (observe mode) and dashboard: ${server.url}/`,
        `Status API: ${server.url}/status   metrics: ${server.url}/metrics`,
        `API token for actions (this demo only): ${apiToken}`,
        'Press Ctrl-C to stop and clean everything up.',
        '',
      ].join('\n'),
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    ctx.stdout.write('\nStopping…\n');
    return 0;
  } finally {
    await stop();
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'run Roster against a local PostgreSQL and a simulated tenant with drift (nothing leaves this machine)',
    )
    .option('--apply', 'apply the plan, then show that a second plan is empty')
    .option('--exit', 'exit after the plan (and apply) instead of serving the dashboard')
    .option(
      '--port <n>',
      'port for the controller and dashboard (0 = any free port)',
      (v) => Number.parseInt(v, 10),
      8080,
    )
    .action(async (opts: DemoOptions, command: Command) => {
      process.exitCode = await runDemo(cliContext(command), opts);
    });
}
