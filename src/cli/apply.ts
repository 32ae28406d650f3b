import type { Command } from 'commander';
import { applyPlan, checkPlanTarget, trippedGuardrails } from '../apply/apply-plan.js';
import { applyExitCode, renderApplySummary } from '../apply/apply-result.js';
import type { ApplyResult } from '../apply/apply-result.js';
import { openPlanFile, type PlanSource } from '../plan/plan-file-stream.js';
import type { Plan, PlanAction } from '../plan/plan-model.js';
import { restrictPlan } from '../plan/restrict-plan.js';
import { renderPlanText } from '../plan/render-text.js';
import { makePlan } from '../reconcile/make-plan.js';
import { cliContext, type CliContext } from './cli-context.js';
import { abortOnSignals, confirmApply } from './confirm.js';
import { planRunOptions } from './plan.js';
import { openRuntime, type Runtime } from '../runtime/open-runtime.js';

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
  plan: Plan | PlanSource,
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
        findSecret: runtime.scrubber.find,
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
  let closeFile: (() => Promise<void>) | undefined;
  try {
    let plan: Plan | PlanSource;
    if (planFile) {
      // A saved plan is read action by action from a checked private copy, never whole.
      const file = await openPlanFile(planFile);
      closeFile = () => file.close();
      checkPlanTarget(file.head, {
        tenantId: runtime.config.settings.tenant.id,
        configRevision: runtime.config.revision,
      });
      plan = opts.only?.length ? restrictPlan(await plannedFor(file, opts.only), opts.only) : file;
    } else {
      plan = (await makePlan(runtime, planRunOptions(opts))).plan;
      ctx.stdout.write(renderPlanText(plan, { color: ctx.stdout.isTTY === true }));
    }
    const head = 'head' in plan ? plan.head : plan;
    const count = 'actionCount' in plan ? plan.actionCount : plan.actions.length;
    // A tripped guardrail is reported (and the run recorded as stopped) even when the plan
    // writes nothing: a source that shrank to nothing must not pass as "in sync".
    const tripped = trippedGuardrails(head, opts.allowLargeChange ?? false).length > 0;
    if (count === 0 && !tripped) {
      ctx.stdout.write('Nothing to apply.\n');
      return 0;
    }
    const go =
      planFile || count === 0
        ? true
        : await confirmApply(`Apply these ${count} change(s) to tenant ${head.tenantId}?`, {
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
    await closeFile?.();
    await runtime.close();
  }
}

/** The plan with only the actions for these employees, which `--only` keeps in memory. */
async function plannedFor(file: PlanSource, emails: readonly string[]): Promise<Plan> {
  const wanted = new Set(emails.map((e) => e.toLowerCase()));
  const actions: PlanAction[] = [];
  for await (const action of file.actions())
    if (wanted.has(action.employee.toLowerCase())) actions.push(action);
  return { ...file.head, actions };
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
