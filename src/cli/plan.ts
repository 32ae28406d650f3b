import { appendFile, writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { parseMoment } from './parse-moment.js';
import { renderPlanJson } from '../plan/plan-file.js';
import { createPlanJsonWriter } from '../plan/plan-source.js';
import { createPlanFileWriter } from '../adapters/plan-file/plan-files.js';
import type { Plan, PlanHead } from '../plan/plan-model.js';
import { renderPlanMarkdown } from '../plan/render-markdown.js';
import { renderPlanText, summaryLine } from '../plan/render-text.js';
import { openRuntime, type Runtime } from '../runtime/open-runtime.js';
import { run } from '../runs/run.js';
import { combineEvents, type ObserveOptions, type RunEvents, type RunResult } from '../runs/run-request.js';
import { cliContext, type CliContext } from './cli-context.js';
import { cliProgress, createThrottleWaitMeter, type RunProgress } from './run-progress.js';
import { collectPlan } from '../runs/collect-plan.js';
import { noEmployeeMatched, planCountsOf } from '../plan/plan-counts.js';

export type PlanFormat = 'text' | 'json' | 'markdown';

export function renderPlan(
  plan: Plan,
  format: PlanFormat,
  options: { color: boolean; allowLargeChange?: boolean },
): string {
  if (format === 'json') return renderPlanJson(plan);
  if (format === 'markdown') return renderPlanMarkdown(plan);
  return renderPlanText(plan, options);
}

export interface PlanCommandOptions {
  out?: string;
  format: PlanFormat;
  detailedExitcode?: boolean;
  only?: string[];
  deepCheck?: boolean;
  fullResync?: boolean;
  /** `--no-progress` sets false; only `true` (commander's default) shows progress. */
  progress?: boolean;
  /** `--at`: the moment to plan the signatures of (ISO 8601 with a time zone offset). */
  at?: string;
}

/** Observe options shared by `plan` and `apply`. */
export function observeOptions(opts: Pick<PlanCommandOptions, 'deepCheck' | 'fullResync'>): ObserveOptions {
  return { deepCheck: opts.deepCheck ? 'force' : 'auto', fullResync: opts.fullResync ?? false };
}

/** The run's error, raised for the top-level handler (message and exit code 1). */
export function raiseFailure(result: RunResult): void {
  if (result.failure !== undefined) throw result.failure;
}

/** `roster plan`: what would change; exit 0/2 with --detailed-exitcode. */
export async function runPlanCommand(ctx: CliContext, opts: PlanCommandOptions): Promise<number> {
  const meter = createThrottleWaitMeter();
  const runtime = await openRuntime({ dir: ctx.dir, env: ctx.env, logger: ctx.logger, metrics: meter });
  let progress: RunProgress | undefined;
  try {
    // JSON streamed to a terminal shares it with standard error: no bars over it.
    const streamsToTerminal = opts.format === 'json' && !opts.out && ctx.stdout.isTTY === true;
    progress = cliProgress(ctx, meter, opts.progress === true && !streamsToTerminal);
    if (opts.format === 'json') return await streamPlanJson(ctx, runtime, opts, progress?.events);
    const collected = collectPlan();
    raiseFailure(await run(runtime, planRequest(ctx, opts), combineEvents(progress?.events, collected)));
    const plan = collected.plan()!;
    const rendered = ctx.scrubber.text(
      renderPlan(plan, opts.format, {
        color: !opts.out && opts.format === 'text' && ctx.stdout.isTTY === true,
      }),
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
    return planExitCode(plan, opts);
  } finally {
    progress?.stop();
    await runtime.close();
  }
}

function planRequest(ctx: CliContext, opts: PlanCommandOptions) {
  return {
    kind: 'plan' as const,
    actor: ctx.actor,
    ...(opts.only?.length ? { only: opts.only } : {}),
    ...observeOptions(opts),
    ...(opts.at !== undefined ? { at: parseMoment(opts.at) } : {}),
  };
}

/**
 * `plan --format json`: the JSON is written as the planner finds each action, to the file (beside
 * it, renamed into place when complete) or to standard output, so a plan of any size (50,000
 * employees with every signature differing is hundreds of megabytes) is never whole in memory.
 * The bytes are those of the plan rendered whole.
 */
async function streamPlanJson(
  ctx: CliContext,
  runtime: Runtime,
  opts: PlanCommandOptions,
  progress: RunEvents | undefined,
): Promise<number> {
  // Scrubbed before it is hashed: `apply FILE` reads back exactly these bytes.
  const scrub = ctx.scrubber.text;
  const file = opts.out ? await createPlanFileWriter(opts.out, scrub) : undefined;
  const writer = file ?? createPlanJsonWriter((text) => writeOut(ctx.stdout, text), scrub);
  let head: PlanHead | undefined;
  const result = await run(
    runtime,
    planRequest(ctx, opts),
    combineEvents(progress, {
      action: (action) => writer.add(action),
      async planned(planned) {
        head = planned;
        await writer.finish(planned);
      },
    }),
  );
  if (result.failure !== undefined || !head) await file?.abort();
  raiseFailure(result);
  if (opts.out) ctx.stdout.write(`${summaryLine(head!)}\nPlan written to ${opts.out}\n`);
  return planExitCode(head!, opts);
}

/**
 * `--detailed-exitcode`: 0 in sync, 2 changes pending, 1 when no employee matched a tenant user
 * (nothing was compared, so "in sync" would be a false all-clear for monitoring).
 */
function planExitCode(head: PlanHead, opts: PlanCommandOptions): number {
  if (!opts.detailedExitcode) return 0;
  if (noEmployeeMatched(head)) return 1;
  return planCountsOf(head).changes > 0 ? 2 : 0;
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
    .option(
      '--detailed-exitcode',
      'exit 0 when in sync, 2 when changes are pending, 1 on error or when no employee matched a tenant user',
    )
    .option('--only <email...>', 'plan only these employees')
    .option('--deep-check', 'read back every photo and signature now, whatever the cadence')
    .option('--full-resync', 'list every user instead of continuing from the last delta')
    .option('--no-progress', 'no progress on standard error (bars on a terminal, else a line every 5s)')
    .option(
      '--at <date-time>',
      'plan the signatures of this moment (ISO 8601 with offset): which campaigns run then, and for whom',
    )
    .action(async (opts: PlanCommandOptions, command: Command) => {
      process.exitCode = await runPlanCommand(cliContext(command), opts);
    });
}
