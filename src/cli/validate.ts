import type { Command } from 'commander';
import { loadDesiredConfig } from '../config/load-desired-config.js';
import { referencedColumns } from '../config/referenced-columns.js';
import { createDesiredBuilder } from '../desired/build-desired.js';
import { formatProblem, RosterError } from '../errors/roster-error.js';
import { cliContext, type CliContext } from './cli-context.js';
import { createBannerImages } from '../adapters/photo-fetch/banner-images.js';
import { checkCampaignBanners } from '../config/check-campaign-banners.js';
import type { Settings } from '../config/settings.js';
import type { BannerImages } from '../ports/banner-images.js';
import { openHrSource } from '../runtime/open-runtime.js';

/**
 * `roster validate`: configuration, overrides and templates, then the source query against the
 * database and every employee through the merge rules. Lists every problem; exits 1 when any
 * `error:` line was printed — an HR data error (duplicate email, over-long title) or a broken
 * campaign file (left out of runs; everything else goes on) or a banner image over
 * `signatures.maxBannerBytes` or not an image included — and
 * when the source could not be checked because DATABASE_URL is not set. `--no-source` checks the
 * configuration only, and says so.
 */
export async function runValidate(
  ctx: CliContext,
  opts: { source: boolean; banners?: boolean },
  deps: { bannerImages?: (settings: Settings) => BannerImages } = {},
): Promise<number> {
  const out = (line: string) => ctx.stdout.write(`${line}\n`);
  const loaded = await loadDesiredConfig(ctx.dir, ctx.env);
  for (const p of loaded.problems) out(formatProblem(p));
  if (!loaded.config) {
    out(`configuration: ${loaded.problems.filter((p) => p.severity === 'error').length} error(s)`);
    return 1;
  }
  out(
    `configuration: valid (revision ${loaded.config.revision.slice(0, 12)}, ${loaded.config.overrides.length} override(s), ${loaded.config.templates.size} template(s))`,
  );
  // Every banner of a campaign not yet ended is downloaded and judged as a run would (size, type).
  const banners = (deps.bannerImages ?? createBannerImages)(loaded.config.settings);
  const { config, problems } =
    opts.banners === false
      ? { config: loaded.config, problems: [] }
      : await checkCampaignBanners(loaded.config, banners, { at: Date.now(), campaigns: 'not-ended' });
  for (const p of problems) out(formatProblem(p));
  const campaignErrors = (config.campaignProblems ?? []).filter((p) => p.severity === 'error').length;
  if (config.campaigns || campaignErrors > 0) {
    out(
      `campaigns: ${config.campaigns?.length ?? 0} loaded${opts.banners === false ? ' (banner images not downloaded: --no-banners)' : ''}${campaignErrors > 0 ? `; campaign files with errors are left out (${campaignErrors} error(s) above), every other update goes on` : ''}`,
    );
  }
  if (!opts.source) {
    out('source: not checked (--no-source)');
    return campaignErrors > 0 ? 1 : 0;
  }
  if (!ctx.env.DATABASE_URL) {
    out(
      'source: error: DATABASE_URL is not set, so the source query and HR data were not checked (--no-source checks the configuration only)',
    );
    return 1;
  }
  const source = openHrSource(config, ctx.env);
  try {
    await source.checkQuery(referencedColumns(config.settings));
    const builder = createDesiredBuilder(config);
    for await (const page of source.readActive()) for (const row of page) builder.add(row);
    const desired = builder.finish();
    const errors = desired.issues.filter((i) => i.severity !== 'warning');
    for (const issue of desired.issues) {
      out(
        `source: ${issue.severity ?? 'error'}: ${issue.employee ? `${issue.employee}: ` : ''}${issue.message}`,
      );
    }
    out(
      `source: query valid; ${desired.sourceCount} active employee(s), ${desired.employees.length} usable, ${desired.excluded.length} excluded, ${errors.length} with errors (left out of runs)`,
    );
    return errors.length > 0 || campaignErrors > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof RosterError) {
      out(`source: error: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await source.close();
  }
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check configuration, overrides, templates and the source query; list every problem')
    .option('--no-source', 'do not connect to the HR database')
    .option('--no-banners', 'do not download campaign banner images (their size and type are not checked)')
    .action(async (opts: { source: boolean; banners: boolean }, command: Command) => {
      process.exitCode = await runValidate(cliContext(command), opts);
    });
}
