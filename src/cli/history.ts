import { Option, type Command } from 'commander';
import { count, NOUNS } from '../plan/plan-counts.js';
import { applyExitCode, renderApplySummary } from '../apply/apply-result.js';
import { UsageError } from '../errors/roster-error.js';
import type { RunDetail, RunRecord } from '../ports/state-store.js';
import { hideUrlQueries } from '../secrets/display-url.js';
import { run } from '../runs/run.js';
import { renderPlan, raiseFailure, type PlanFormat } from './plan.js';
import { collectPlan } from '../runs/collect-plan.js';
import { cliContext, type CliContext } from './cli-context.js';
import { confirmApply } from './confirm.js';
import { lockTimeoutMs, withSignals } from './apply.js';
import { loadConfigOrThrow, openRuntime, openStateStore } from '../runtime/open-runtime.js';

function runLine(r: RunRecord): string {
  const counts = Object.entries(r.counts)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${r.id}  ${r.startedAt}  ${r.kind.padEnd(8)} ${(r.outcome ?? 'running').padEnd(9)} ${r.actor}  ${counts}`;
}

function shortValue(v: unknown): string {
  // The journal keeps whole photo URLs; the text view hides their query strings (`--json` is data).
  const s = hideUrlQueries(JSON.stringify(v ?? null));
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}

function runDetail(run: RunDetail): string {
  const lines = [runLine(run), ...(run.error ? [`  error: ${run.error}`] : []), ''];
  for (const j of run.journal) {
    lines.push(`  ${j.at}  ${j.status.padEnd(13)} ${j.actionKey}`);
    if (j.status === 'applied' || j.status === 'skipped-stale')
      lines.push(`      before ${shortValue(j.before)}`, `      after  ${shortValue(j.after)}`);
    if (j.error) lines.push(`      error  ${shortValue(j.error)}`);
    if (j.requestId) lines.push(`      request-id ${j.requestId}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `roster history [RUN]`: runs, newest first, or one run with its journal. */
export async function runHistory(
  ctx: CliContext,
  runId: string | undefined,
  opts: { limit: number; json?: boolean },
): Promise<number> {
  const { config } = await loadConfigOrThrow(ctx.dir, ctx.env);
  const { store, cache } = await openStateStore(config, ctx.env);
  try {
    if (runId) {
      const run = await store.getRun(runId);
      if (!run) throw new UsageError(`no run ${runId}`);
      ctx.stdout.write(opts.json ? `${JSON.stringify(run, null, 2)}\n` : runDetail(run));
      return 0;
    }
    const runs = await store.listRuns(opts.limit, config.settings.tenant.id);
    ctx.stdout.write(opts.json ? `${JSON.stringify(runs, null, 2)}\n` : runs.map(runLine).join('\n') + '\n');
    return 0;
  } finally {
    await Promise.allSettled([store.close(), cache.close()]);
  }
}

/**
 * `roster rollback RUN`: a plan restoring the journaled before-values of that run's profile changes;
 * with `--apply`, applied through the same stale checks and guardrails.
 */
export async function runRollback(
  ctx: CliContext,
  runId: string,
  opts: {
    apply?: boolean;
    autoApprove?: boolean;
    format: PlanFormat;
    allowLargeChange?: boolean;
    lockTimeout?: string;
  },
): Promise<number> {
  const runtime = await openRuntime({ dir: ctx.dir, env: ctx.env, logger: ctx.logger });
  try {
    const collected = collectPlan();
    const result = await withSignals(ctx, (signal) =>
      run(
        runtime,
        {
          kind: 'rollback',
          actor: ctx.actor,
          runId,
          apply: opts.apply ?? false,
          signal,
          ...(opts.allowLargeChange ? { allowLargeChange: true } : {}),
          lockTimeoutMs: lockTimeoutMs(opts.lockTimeout),
          confirm: (_head, actions) =>
            confirmApply(`Roll back ${count(actions, NOUNS.profileUpdate)} of run ${runId}?`, {
              autoApprove: opts.autoApprove ?? false,
            }),
        },
        {
          ...collected,
          planned(head) {
            collected.planned!(head);
            const plan = collected.plan()!;
            ctx.stdout.write(
              renderPlan(plan, opts.format, {
                color: opts.format === 'text' && ctx.stdout.isTTY === true,
                allowLargeChange: (opts.apply && opts.allowLargeChange) ?? false,
              }),
            );
          },
        },
      ),
    );
    if (result.cancelled) return 1;
    raiseFailure(result);
    if (!result.apply) return 0;
    ctx.stdout.write(renderApplySummary(result.apply));
    return applyExitCode(result.apply);
  } finally {
    await runtime.close();
  }
}

export function registerHistory(program: Command): void {
  program
    .command('history')
    .argument('[run]', 'a run id: show its journal')
    .description('list runs (newest first), or show one run and every write it made')
    .option('--limit <n>', 'how many runs', (v) => Number.parseInt(v, 10), 20)
    .option('--json', 'JSON instead of text')
    .action(async (runId: string | undefined, opts: { limit: number; json?: boolean }, command: Command) => {
      process.exitCode = await runHistory(cliContext(command), runId, opts);
    });
  program
    .command('rollback')
    .argument('<run>', 'the run whose profile changes to undo')
    .description("plan (and with --apply, apply) restoring a run's journaled before-values")
    .option('--apply', 'apply the rollback plan (asks first unless --auto-approve)')
    .option('--auto-approve', 'apply without asking')
    .option('--allow-large-change', 'override the max-changes guardrail')
    .option(
      '--lock-timeout <duration>',
      'wait this long while another apply of the tenant runs; default: refuse at once',
    )
    .addOption(
      new Option('--format <format>', 'plan output format')
        .choices(['text', 'json', 'markdown'])
        .default('text'),
    )
    .action(
      async (
        runId: string,
        opts: { apply?: boolean; autoApprove?: boolean; format: PlanFormat; lockTimeout?: string },
        command: Command,
      ) => {
        process.exitCode = await runRollback(cliContext(command), runId, opts);
      },
    );
}
