import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { applyPlan, checkPlanTarget, trippedGuardrails } from '../apply/apply-plan.js';
import { applyExitCode, renderApplySummary } from '../apply/apply-result.js';
import type { ApplyResult } from '../apply/apply-result.js';
import { readPlanJson } from '../plan/plan-file.js';
import type { Plan } from '../plan/plan-model.js';
import { restrictPlan } from '../plan/restrict-plan.js';
import { renderPlanText } from '../plan/render-text.js';
import { makePlan } from '../reconcile/make-plan.js';
import { cliContext, type CliContext } from './cli-context.js';
import { abortOnSignals, confirmApply } from './confirm.js';
import { planRunOptions } from './plan.js';
import { openRuntime, type Runtime } from './runtime.js';

export interface ApplyCommandOptions {
  autoApprove?: boolean;
  allowLargeChange?: boolean;
  only?: string[];
  deepCheck?: boolean;
  fullResync?: boolean;
}

/** Applies `plan` through the runtime's ports, with SIGINT/SIGTERM stopping new writes. */
export async function executePlan(
  ctx: CliContext,
  runtime: Runtime,
  plan: Plan,
  options: { allowLargeChange?: boolean; runKind?: 'apply' | 'rollback' },
): Promise<ApplyResult> {
  const signals = abortOnSignals((signal) =>
    ctx.stderr.write(`\n${signal}: no new writes will start; waiting for those in flight…\n`),
  );
  try {
    return await applyPlan(
      plan,
      {
        directory: runtime.directory,
        photos: runtime.photos,
        signatures: runtime.signatures,
        photoFetcher: runtime.photoFetcher,
        store: runtime.store,
        logger: ctx.logger,
      },
      {
        tenantId: runtime.config.settings.tenant.id,
        configRevision: runtime.config.revision,
        actor: ctx.actor,
        allowLargeChange: options.allowLargeChange ?? false,
        signal: signals.signal,
        runKind: options.runKind ?? 'apply',
      },
    );
  } finally {
    signals.dispose();
  }
}

/**
 * `roster apply [PLANFILE]`: applies a saved plan (refused if it is of another tenant, config
 * revision or format), or plans now and asks before applying.
 */
export async function runApplyCommand(
  ctx: CliContext,
  planFile: string | undefined,
  opts: ApplyCommandOptions,
): Promise<number> {
  const runtime = await openRuntime({ dir: ctx.dir, env: ctx.env, logger: ctx.logger });
  try {
    let plan: Plan;
    if (planFile) {
      plan = readPlanJson(await readFile(planFile, 'utf8'), planFile);
      checkPlanTarget(plan, {
        tenantId: runtime.config.settings.tenant.id,
        configRevision: runtime.config.revision,
      });
      if (opts.only?.length) plan = restrictPlan(plan, opts.only);
    } else {
      plan = (await makePlan(runtime, planRunOptions(opts))).plan;
      ctx.stdout.write(renderPlanText(plan, { color: ctx.stdout.isTTY === true }));
    }
    // A tripped guardrail is reported (and the run recorded as stopped) even when the plan
    // writes nothing: a source that shrank to nothing must not pass as "in sync".
    const tripped = trippedGuardrails(plan, opts.allowLargeChange ?? false).length > 0;
    if (plan.actions.length === 0 && !tripped) {
      ctx.stdout.write('Nothing to apply.\n');
      return 0;
    }
    const go =
      planFile || plan.actions.length === 0
        ? true
        : await confirmApply(`Apply these ${plan.actions.length} change(s) to tenant ${plan.tenantId}?`, {
            autoApprove: opts.autoApprove ?? false,
          });
    if (!go) {
      ctx.stdout.write('Apply cancelled.\n');
      return 1;
    }
    const result = await executePlan(ctx, runtime, plan, {
      allowLargeChange: opts.allowLargeChange ?? false,
    });
    ctx.stdout.write(renderApplySummary(result));
    return applyExitCode(result);
  } finally {
    await runtime.close();
  }
}

export function registerApply(program: Command): void {
  program
    .command('apply')
    .argument('[planfile]', 'a plan saved with `roster plan --format json --out FILE`')
    .description('apply a saved plan, or plan now and apply after confirmation')
    .option('--auto-approve', 'apply without asking (for automation)')
    .option('--allow-large-change', 'override the max-changes guardrail for this run')
    .option('--only <email...>', 'apply only these employees (of the saved plan, or of a new plan)')
    .option('--deep-check', 'read back every photo and signature before planning')
    .option('--full-resync', 'list every user instead of continuing from the last delta')
    .action(async (planFile: string | undefined, opts: ApplyCommandOptions, command: Command) => {
      process.exitCode = await runApplyCommand(cliContext(command), planFile, opts);
    });
}
