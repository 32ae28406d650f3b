import { Option, type Command } from 'commander';
import { rollbackPlan } from '../apply/rollback-plan.js';
import { applyExitCode, renderApplySummary } from '../apply/apply-result.js';
import { UsageError } from '../errors/roster-error.js';
import { observeUsers } from '../observe/observe-users.js';
import type { RunDetail, RunRecord } from '../ports/state-store.js';
import { renderPlan, type PlanFormat } from './plan.js';
import { cliContext, type CliContext } from './cli-context.js';
import { confirmApply } from './confirm.js';
import { executePlan } from './apply.js';
import { loadConfigOrThrow, openRuntime, openStateStore } from './runtime.js';

function runLine(r: RunRecord): string {
  const counts = Object.entries(r.counts)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${r.id}  ${r.startedAt}  ${r.kind.padEnd(8)} ${(r.outcome ?? 'running').padEnd(9)} ${r.actor}  ${counts}`;
}

function shortValue(v: unknown): string {
  const s = JSON.stringify(v ?? null);
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
  opts: { apply?: boolean; autoApprove?: boolean; format: PlanFormat; allowLargeChange?: boolean },
): Promise<number> {
  const runtime = await openRuntime({ dir: ctx.dir, env: ctx.env, logger: ctx.logger });
  try {
    const run = await runtime.store.getRun(runId);
    if (!run) throw new UsageError(`no run ${runId}`);
    const { settings } = runtime.config;
    const { scopeHash } = await observeUsers(runtime, {
      tenantId: settings.tenant.id,
      domains: settings.scope.domains,
    });
    const ids = [...new Set(run.journal.flatMap((j) => (j.userId ? [j.userId] : [])))];
    const users = await runtime.cache.getUsers(settings.tenant.id, scopeHash, ids);
    const plan = rollbackPlan(run, users, {
      tenantId: settings.tenant.id,
      configRevision: runtime.config.revision,
      guardrails: settings.guardrails,
    });
    ctx.stdout.write(renderPlan(plan, opts.format, opts.format === 'text' && ctx.stdout.isTTY === true));
    if (!opts.apply || plan.actions.length === 0) return 0;
    const go = await confirmApply(`Roll back ${plan.actions.length} profile change(s) of run ${runId}?`, {
      autoApprove: opts.autoApprove ?? false,
    });
    if (!go) return 1;
    const result = await executePlan(ctx, runtime, plan, {
      runKind: 'rollback',
      allowLargeChange: opts.allowLargeChange ?? false,
    });
    ctx.stdout.write(renderApplySummary(result));
    return applyExitCode(result);
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
    .addOption(
      new Option('--format <format>', 'plan output format')
        .choices(['text', 'json', 'markdown'])
        .default('text'),
    )
    .action(
      async (
        runId: string,
        opts: { apply?: boolean; autoApprove?: boolean; format: PlanFormat },
        command: Command,
      ) => {
        process.exitCode = await runRollback(cliContext(command), runId, opts);
      },
    );
}
