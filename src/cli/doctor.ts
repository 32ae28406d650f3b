import { Option, type Command } from 'commander';
import { loadDesiredConfig } from '../config/load-desired-config.js';
import { finding, hasErrors, ok, type Finding } from '../doctor/finding.js';
import { renderFindingsText } from '../doctor/render-findings.js';
import { runDoctor } from '../doctor/run-doctor.js';
import { formatProblem } from '../errors/roster-error.js';
import { openDoctorRuntime } from '../runtime/doctor-runtime.js';
import { cliContext, type CliContext } from './cli-context.js';

export interface DoctorCommandOptions {
  format: 'text' | 'json';
}

/**
 * `roster doctor`: the read-only preflight against the tenant and the HR source. Exit 0 when no
 * finding is an error, 1 otherwise. Nothing is written anywhere: not to the tenant, not to
 * Roster's state database (which it does not open).
 */
export async function runDoctorCommand(ctx: CliContext, opts: DoctorCommandOptions): Promise<number> {
  const { config, problems } = await loadDesiredConfig(ctx.dir, ctx.env);
  const checkedAt = new Date().toISOString();
  let findings: Finding[];
  let tenant: { id: string; domain: string } | undefined;
  if (!config) {
    const errors = problems.filter((p) => p.severity === 'error');
    findings = [
      finding(
        'configuration',
        'error',
        `the configuration is invalid (${errors.length} error(s)): ${errors.map(formatProblem).join('; ')}`,
        'fix the problems listed (roster validate shows each with file, line and column); no other check ran',
      ),
    ];
  } else {
    tenant = config.settings.tenant;
    const warnings = problems.length > 0 ? `, ${problems.length} warning(s): roster validate lists them` : '';
    const runtime = openDoctorRuntime({ config, env: ctx.env, logger: ctx.logger });
    try {
      const report = await runDoctor(runtime.deps, { deep: true });
      findings = [
        ok('configuration', `valid (revision ${config.revision.slice(0, 12)}${warnings})`),
        ...report.findings,
      ];
    } finally {
      await runtime.close();
    }
  }
  ctx.stdout.write(
    ctx.scrubber.text(
      opts.format === 'json'
        ? `${JSON.stringify({ checkedAt, ...(tenant ? { tenant } : {}), ok: !hasErrors(findings), findings }, null, 2)}\n`
        : renderFindingsText(
            findings,
            tenant ? `roster doctor: tenant ${tenant.id} (${tenant.domain})` : 'roster doctor',
          ),
    ),
  );
  return hasErrors(findings) ? 1 : 0;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check, read-only, that the tenant, the app registration and the HR source are ready for Roster',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: DoctorCommandOptions, command: Command) => {
      process.exitCode = await runDoctorCommand(cliContext(command), opts);
    });
}
