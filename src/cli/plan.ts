import { appendFile, writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { renderPlanJson } from '../plan/plan-file.js';
import { createPlanFileWriter, createPlanJsonWriter } from '../plan/plan-file-stream.js';
import type { Plan, PlanHead } from '../plan/plan-model.js';
import { renderPlanMarkdown } from '../plan/render-markdown.js';
import { renderPlanText, summaryLine } from '../plan/render-text.js';
import { makePlan, streamPlan, type PlanRunOptions } from '../reconcile/make-plan.js';
import { cliContext, type CliContext } from './cli-context.js';
import { openRuntime, type Runtime } from './runtime.js';

export type PlanFormat = 'text' | 'json' | 'markdown';

export function renderPlan(plan: Plan, format: PlanFormat, color: boolean): string {
  if (format === 'json') return renderPlanJson(plan);
  if (format === 'markdown') return renderPlanMarkdown(plan);
  return renderPlanText(plan, { color });
}

export interface PlanCommandOptions {
  out?: string;
  format: PlanFormat;
  detailedExitcode?: boolean;
  only?: string[];
  deepCheck?: boolean;
  fullResync?: boolean;
}

/** Plan options shared by `plan` and `apply`. */
export function planRunOptions(
  opts: Pick<PlanCommandOptions, 'only' | 'deepCheck' | 'fullResync'>,
): PlanRunOptions {
  return {
    ...(opts.only?.length ? { only: opts.only } : {}),
    deepCheck: opts.deepCheck ? 'force' : 'auto',
    fullResync: opts.fullResync ?? false,
  };
}

/** `roster plan`: what would change; exit 0/2 with --detailed-exitcode. */
export async function runPlanCommand(ctx: CliContext, opts: PlanCommandOptions): Promise<number> {
  const runtime = await openRuntime({ dir: ctx.dir, env: ctx.env, logger: ctx.logger });
  try {
    if (opts.format === 'json') return await streamPlanJson(ctx, runtime, opts);
    const { plan } = await makePlan(runtime, planRunOptions(opts));
    await recordPlanRun(runtime, ctx.actor, plan);
    const rendered = ctx.scrubber.text(
      renderPlan(plan, opts.format, !opts.out && opts.format === 'text' && ctx.stdout.isTTY === true),
    );
    if (opts.out) {
      await writeFile(opts.out, rendered);
      ctx.stdout.write(`${summaryLine(plan)}\nPlan written to ${opts.out}\n`);
    } else {
      ctx.stdout.write(rendered);
    }
    if (opts.format === 'markdown' && ctx.env.GITHUB_STEP_SUMMARY) {
      await appendFile(ctx.env.GITHUB_STEP_SUMMARY, rendered);
    }
    return opts.detailedExitcode && plan.actions.length > 0 ? 2 : 0;
  } finally {
    await runtime.close();
  }
}

async function recordPlanRun(runtime: Runtime, actor: string, plan: PlanHead): Promise<void> {
  const runId = await runtime.store.startRun({
    kind: 'plan',
    tenantId: plan.tenantId,
    actor,
    planHash: null,
    configRevision: plan.configRevision,
  });
  await runtime.store.finishRun(runId, 'succeeded', {
    updateProfile: plan.summary.updateProfile,
    setPhoto: plan.summary.setPhoto,
    setSignature: plan.summary.setSignature,
    warnings: plan.summary.warnings,
  });
}

/**
 * `plan --format json`: the JSON is written as the planner finds each action, to the file (beside
 * it, renamed into place when complete) or to standard output, so a plan of any size (50,000
 * employees with every signature differing is hundreds of megabytes) is never whole in memory.
 * The bytes are those of the plan rendered whole.
 */
async function streamPlanJson(ctx: CliContext, runtime: Runtime, opts: PlanCommandOptions): Promise<number> {
  // Scrubbed before it is hashed: `apply FILE` reads back exactly these bytes.
  const scrub = ctx.scrubber.text;
  const file = opts.out ? await createPlanFileWriter(opts.out, scrub) : undefined;
  const writer = file ?? createPlanJsonWriter((text) => writeOut(ctx.stdout, text), scrub);
  let head: PlanHead;
  try {
    ({ head } = await streamPlan(runtime, planRunOptions(opts), (action) => writer.add(action)));
    await writer.finish(head);
  } catch (error) {
    await file?.abort();
    throw error;
  }
  await recordPlanRun(runtime, ctx.actor, head);
  if (opts.out) ctx.stdout.write(`${summaryLine(head)}\nPlan written to ${opts.out}\n`);
  const { updateProfile, setPhoto, setSignature } = head.summary;
  return opts.detailedExitcode && updateProfile + setPhoto + setSignature > 0 ? 2 : 0;
}

/** Writes `text`, waiting for the stream to drain when it asks to. */
function writeOut(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    stream.once('error', onError);
    const done = () => {
      stream.removeListener('error', onError);
      resolve();
    };
    if (stream.write(text)) done();
    else stream.once('drain', done);
  });
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('observe the tenant and show what would change (nothing is written to the tenant)')
    .option('--out <file>', 'write the plan to FILE instead of standard output')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'),
    )
    .option('--detailed-exitcode', 'exit 0 when in sync, 2 when changes are pending, 1 on error')
    .option('--only <email...>', 'plan only these employees')
    .option('--deep-check', 'read back every photo and signature now, whatever the cadence')
    .option('--full-resync', 'list every user instead of continuing from the last delta')
    .action(async (opts: PlanCommandOptions, command: Command) => {
      process.exitCode = await runPlanCommand(cliContext(command), opts);
    });
}
