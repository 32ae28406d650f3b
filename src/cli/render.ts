import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { DesiredConfig } from '../config/settings.js';
import { createDesiredBuilder } from '../desired/build-desired.js';
import type { DesiredState } from '../desired/model.js';
import { createSignatureRenderer } from '../desired/signature-renderer.js';
import { formatProblem, UsageError } from '../errors/roster-error.js';
import { checkCampaignBanners } from '../config/check-campaign-banners.js';
import { createBannerImages } from '../adapters/photo-fetch/banner-images.js';
import { cliContext, type CliContext } from './cli-context.js';
import { loadConfigOrThrow, openHrSource } from '../runtime/open-runtime.js';
import { parseMoment } from './parse-moment.js';

/** Desired state of every active employee: configuration + the whole HR source (duplicates need all rows). */
export async function readDesiredState(ctx: CliContext): Promise<DesiredState> {
  return (await readConfigAndDesired(ctx)).desired;
}

async function readConfigAndDesired(
  ctx: CliContext,
  at?: Date,
): Promise<{ config: DesiredConfig; desired: DesiredState }> {
  let { config } = await loadConfigOrThrow(ctx.dir, ctx.env);
  if (at && config.campaigns?.length) {
    // The banner a run at that moment would show: a broken one is left out, as in plans.
    const checked = await checkCampaignBanners(config, createBannerImages(config.settings), {
      at: at.getTime(),
      campaigns: 'running',
    });
    for (const problem of checked.problems) ctx.stderr.write(`${formatProblem(problem)}\n`);
    config = checked.config;
  }
  const source = openHrSource(config, ctx.env);
  try {
    const builder = createDesiredBuilder(config, at ? { at: at.getTime() } : {});
    for await (const page of source.readActive()) for (const row of page) builder.add(row);
    return { config, desired: builder.finish() };
  } finally {
    await source.close();
  }
}

/** `roster render --email X`: the signature one employee would get, as HTML or text. */
export async function runRender(
  ctx: CliContext,
  opts: { email: string; format: 'html' | 'text'; out?: string; at?: string },
): Promise<number> {
  // The signature of a moment: now, or --at (with the banner of any campaign running then).
  const { config, desired } = await readConfigAndDesired(ctx, opts.at ? parseMoment(opts.at) : new Date());
  const key = opts.email.toLowerCase();
  const employee = desired.employees.find((e) => e.key === key);
  const issues = desired.issues.filter((i) => i.employee?.toLowerCase() === key);
  for (const issue of issues) ctx.stderr.write(`${issue.severity ?? 'error'}: ${issue.message}\n`);
  if (!employee) {
    const why = desired.excluded.includes(key)
      ? 'is excluded by an override'
      : issues.length > 0
        ? 'is left out because of the errors above'
        : 'is not an active employee in the HR source';
    throw new UsageError(`${opts.email} ${why}`);
  }
  if (!employee.signature)
    throw new UsageError(`no signature for ${opts.email}: signatures are disabled or could not be rendered`);
  const { html, text } = createSignatureRenderer(config.templates).renderDesired(employee.signature);
  const body = opts.format === 'html' ? html : text;
  if (opts.out) await writeFile(opts.out, ctx.scrubber.text(body));
  else ctx.stdout.write(body.endsWith('\n') ? body : `${body}\n`);
  return 0;
}

/** `roster desired`: the desired state of every employee as JSON. */
export async function runDesired(ctx: CliContext): Promise<number> {
  const { config, desired } = await readConfigAndDesired(ctx, new Date());
  const renderer = createSignatureRenderer(config.templates);
  // Each signature as it would be written: its rendering, flags and hash.
  const employees = desired.employees.map(({ signature, ...employee }) => {
    if (!signature) return employee;
    const { html, text } = renderer.renderDesired(signature);
    const { template, flags, hash } = signature;
    return { ...employee, signature: { template, text, ...flags, hash, html } };
  });
  ctx.stdout.write(`${JSON.stringify({ ...desired, employees }, null, 2)}\n`);
  return 0;
}

export function registerRender(program: Command): void {
  program
    .command('render')
    .description("render one employee's signature from the HR source, overrides and templates")
    .requiredOption('--email <email>', 'the employee')
    .addOption(new Option('--format <format>', 'signature version').choices(['html', 'text']).default('html'))
    .option('--out <file>', 'write to FILE instead of standard output')
    .option(
      '--at <date-time>',
      'the signature of this moment (ISO 8601 with offset; default now): campaigns running then',
    )
    .action(
      async (
        opts: { email: string; format: 'html' | 'text'; out?: string; at?: string },
        command: Command,
      ) => {
        process.exitCode = await runRender(cliContext(command), opts);
      },
    );
  program
    .command('desired')
    .description('print the desired state of every employee as JSON (nothing is read from the tenant)')
    .action(async (_opts: unknown, command: Command) => {
      process.exitCode = await runDesired(cliContext(command));
    });
}
