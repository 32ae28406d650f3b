import type { Command } from 'commander';
import { applyExitCode, renderApplySummary } from '../apply/apply-result.js';
import { parseDuration } from '../config/parse-duration.js';
import { UsageError } from '../errors/roster-error.js';
import { checkPlanTarget } from '../plan/plan-checks.js';
import { openPlanFile } from '../adapters/plan-file/plan-files.js';
import { renderPlanText } from '../plan/render-text.js';
import { openRuntime } from '../runtime/open-runtime.js';
import { run } from '../runs/run.js';
import { combineEvents, type RunEvents } from '../runs/run-request.js';
import { cliContext, type CliContext } from './cli-context.js';
import { abortOnSignals, confirmApply, refuseWithoutTerminal } from './confirm.js';
import { count, NOUNS } from '../plan/plan-counts.js';
import { collectPlan } from '../runs/collect-plan.js';
import { observeOptions, raiseFailure } from './plan.js';
import { cliProgress, createThrottleWaitMeter, type RunProgress } from './run-progress.js';

export interface ApplyCommandOptions {
  autoApprove?: boolean;
  allowLargeChange?: boolean;
  lockTimeout?: string;
  only?: string[];
  deepCheck?: boolean;
  fullResync?: boolean;
  /** `--no-progress` sets false; only `true` (commander's default) shows progress. */
  progress?: boolean;
}

/** SIGINT/SIGTERM stop new writes while `work` runs; writes in flight finish and are journaled. */
export async function withSignals<T>(ctx: CliContext, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signals = abortOnSignals((signal) =>
    ctx.stderr.write(`\n${signal}: no new writes will start; waiting for those in flight…\n`),
  );
  try {
    return await work(signals.signal);
  } finally {
    signals.dispose();
  }
}

/**
 * `roster apply [PLANFILE]`: applies a saved plan (refused if it is of another tenant, config
 * revision or format), or plans now, shows the plan and asks before applying.
 */
export async function runApplyCommand(
  ctx: CliContext,
  planFile: string | undefined,
  opts: ApplyCommandOptions,
): Promise<number> {
  // A saved plan is applied as it is, unasked; a plan made now is shown and asked about.
  if (!planFile) refuseWithoutTerminal({ autoApprove: opts.autoApprove ?? false });
  const meter = createThrottleWaitMeter();
  const runtime = await openRuntime({ dir: ctx.dir, env: ctx.env, logger: ctx.logger, metrics: meter });
  // A saved plan is read action by action from a checked private copy, never whole.
  const file = planFile
    ? await openPlanFile(planFile).catch(async (e: unknown) => {
        await runtime.close();
        throw e;
      })
    : undefined;
  let progress: RunProgress | undefined;
  try {
    if (file) {
      checkPlanTarget(file.head, {
        tenantId: runtime.config.settings.tenant.id,
        configRevision: runtime.config.revision,
      });
    }
    const shown: RunEvents = file ? {} : showPlan(ctx, opts.allowLargeChange ?? false);
    progress = cliProgress(ctx, meter, opts.progress === true);
    // A saved plan is written at once; a plan made now once the prompt said yes.
    const progressEvents: RunEvents | undefined = progress && {
      ...progress.events,
      planned(head) {
        progress!.events.planned?.(head);
        if (file) progress!.applying();
      },
    };
    const result = await withSignals(ctx, (signal) =>
      run(
        runtime,
        {
          kind: 'apply',
          actor: ctx.actor,
          signal,
          ...(file ? { plan: file } : {}),
          ...(opts.only?.length ? { only: opts.only } : {}),
          ...observeOptions(opts),
          ...(opts.allowLargeChange ? { allowLargeChange: true } : {}),
          lockTimeoutMs: lockTimeoutMs(opts.lockTimeout),
          ...(file
            ? {}
            : {
                async confirm(head, actions) {
                  const yes = await confirmApply(
                    `Apply these ${count(actions, NOUNS.change)} to tenant ${head.tenantId}?`,
                    { autoApprove: opts.autoApprove ?? false },
                  );
                  if (yes) progress?.applying();
                  return yes;
                },
              }),
        },
        combineEvents(progressEvents, shown),
      ),
    );
    progress?.stop();
    if (result.cancelled) {
      ctx.stdout.write('Apply cancelled.\n');
      return 1;
    }
    raiseFailure(result);
    if (!result.apply) {
      ctx.stdout.write('Nothing to apply.\n');
      return 0;
    }
    ctx.stdout.write(renderApplySummary(result.apply));
    return applyExitCode(result.apply);
  } finally {
    progress?.stop();
    await file?.close();
    await runtime.close();
  }
}

/** `--lock-timeout 2m` in milliseconds (default 0: refuse at once while another apply runs). */
export function lockTimeoutMs(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const seconds = parseDuration(raw);
  if (seconds === undefined)
    throw new UsageError(`--lock-timeout must be a duration such as 30s, 5m or 1h, not ${raw}`);
  return seconds * 1000;
}

/** Prints the plan made now, before the prompt. */
function showPlan(ctx: CliContext, allowLargeChange: boolean): RunEvents {
  const collected = collectPlan();
  return {
    action: collected.action!,
    planned(head) {
      collected.planned!(head);
      ctx.stdout.write(
        renderPlanText(collected.plan()!, { color: ctx.stdout.isTTY === true, allowLargeChange }),
      );
    },
  };
}

export function registerApply(program: Command): void {
  program
    .command('apply')
    .argument('[planfile]', 'a plan saved with `roster plan --format json --out FILE`')
    .description('apply a saved plan, or plan now and apply after confirmation')
    .option('--auto-approve', 'apply without asking (for automation)')
    .option('--allow-large-change', 'override the max-changes guardrail for this run')
    .option(
      '--lock-timeout <duration>',
      'wait this long (30s, 5m) while another apply of the tenant runs; default: refuse at once',
    )
    .option('--only <email...>', 'apply only these employees (of the saved plan, or of a new plan)')
    .option('--deep-check', 'read back every photo and signature before planning')
    .option('--full-resync', 'list every user instead of continuing from the last delta')
    .option('--no-progress', 'no progress on standard error (bars on a terminal, else a line every 5s)')
    .action(async (planFile: string | undefined, opts: ApplyCommandOptions, command: Command) => {
      process.exitCode = await runApplyCommand(cliContext(command), planFile, opts);
    });
}
