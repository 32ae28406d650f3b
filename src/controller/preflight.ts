import type { DesiredConfig } from '../config/settings.js';
import { ACCESS_CHECKS, DEEP_CHECKS, inReportOrder, type Finding } from '../doctor/finding.js';
import { runDoctor } from '../doctor/run-doctor.js';
import type { Logger } from '../logging/logger.js';
import type { ReadinessCheck } from '../ports/readiness.js';
import type { ControllerRuntime } from './controller-runs.js';
import type { PreflightStatus } from './status-model.js';

/**
 * The controller's preflight: the checks of `roster doctor`, once per cycle before the run. The
 * cheap ones (tokens, permissions, domains, the Exchange role, settings of the tenant, the HR
 * query: a dozen requests) run every cycle; the deep ones (every HR row read, every tenant user
 * listed, for the match share) at most once per `schedule.deepCheckInterval`, and again when the
 * configuration revision changes. Readiness reads the last result: no probe calls Microsoft.
 */
export interface Preflight {
  run(runtime: ControllerRuntime, config: DesiredConfig): Promise<void>;
  /** The last result, deep findings included; undefined before the first cycle. */
  current(): PreflightStatus | undefined;
}

export function createPreflight(options: { now: () => Date; logger: Logger }): Preflight {
  let status: PreflightStatus | undefined;
  let deep: { at: Date; revision: string; findings: Finding[] } | undefined;

  function deepDue(config: DesiredConfig): boolean {
    if (!deep || deep.revision !== config.revision) return true;
    const interval = config.settings.schedule.deepCheckIntervalSeconds * 1000;
    return options.now().getTime() - deep.at.getTime() >= interval;
  }

  return {
    async run(runtime, config) {
      const due = deepDue(config);
      const report = await runDoctor(
        { config, hrSource: runtime.hrSource, ...runtime.preflight, now: options.now },
        { deep: due },
      );
      if (due) {
        const findings = report.findings.filter((f) => DEEP_CHECKS.has(f.check));
        deep = { at: new Date(report.checkedAt), revision: config.revision, findings };
      }
      const findings = due ? report.findings : inReportOrder([...report.findings, ...(deep?.findings ?? [])]);
      status = {
        checkedAt: report.checkedAt,
        ...(deep ? { deepCheckedAt: deep.at.toISOString() } : {}),
        findings,
      };
      const failed = findings.filter((f) => f.status === 'error').map((f) => f.check);
      if (failed.length > 0) options.logger.warn({ failed }, 'preflight checks failed');
    },
    current: () => status,
  };
}

/** `/readyz`'s tenant check from the last preflight: an access check that failed makes it fail. */
export function tenantReadiness(
  preflight: PreflightStatus | undefined,
  tenantReachable: boolean | undefined,
): ReadinessCheck {
  const failed = preflight?.findings.filter((f) => f.status === 'error' && ACCESS_CHECKS.has(f.check)) ?? [];
  if (failed.length > 0) {
    const what = failed.map((f) => `${f.check}: ${f.message}`).join('; ');
    return { ok: false, message: `the preflight at ${preflight!.checkedAt} found: ${what}` };
  }
  if (tenantReachable === false) return { ok: false, message: 'the last run could not reach the tenant' };
  if (preflight) return { ok: true, message: `the preflight at ${preflight.checkedAt} reached the tenant` };
  return { ok: true, ...(tenantReachable === undefined ? { message: 'not checked yet' } : {}) };
}
