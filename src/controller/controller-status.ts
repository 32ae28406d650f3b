import type { DesiredConfig } from '../config/settings.js';
import type { Readiness, ReadinessCheck } from '../ports/readiness.js';
import type { ConfigSource } from './config-source.js';
import { holderOf, isLeader, type Leadership } from './leadership.js';
import { tenantReadiness } from './preflight.js';
import type {
  Condition,
  ControllerStatus,
  DriftCounts,
  PreflightStatus,
  RunSummary,
} from './status-model.js';

/** What the controller knows of itself between runs: the inputs of status and readiness. */
export interface ControllerView {
  instance: ControllerStatus['instance'];
  config: ConfigSource;
  leadership: Leadership;
  lastRun?: RunSummary;
  /** The last apply or rollback: a dashboard apply is followed by a plan, which is `lastRun`. */
  lastApply?: RunSummary;
  conditions: Condition[];
  drift: DriftCounts;
  /** False when the last run could not reach the tenant; undefined when not known. */
  tenantReachable?: boolean;
  /** The last preflight's findings (the leader's, before each run). */
  preflight?: PreflightStatus;
}

export function statusOf(view: ControllerView): ControllerStatus {
  const config = view.config.current();
  const holder = holderOf(view.leadership);
  return {
    instance: view.instance,
    leader: { isLeader: isLeader(view.leadership), ...(holder ? { holder } : {}) },
    mode: config?.settings.schedule.mode ?? 'observe',
    ...(view.lastRun ? { lastRun: view.lastRun } : {}),
    conditions: view.conditions,
    drift: view.drift,
    config: {
      revision: config?.revision ?? '',
      valid: view.config.errors().length === 0 && !!config,
      errors: view.config.errors(),
    },
    ...(view.preflight ? { preflight: view.preflight } : {}),
  };
}

function configCheck(config: DesiredConfig | undefined, errors: string[]): ReadinessCheck {
  if (!config) return { ok: false, message: 'no valid configuration' };
  if (errors.length > 0)
    return { ok: true, message: 'the latest revision is invalid; the last good one is in use' };
  return { ok: true };
}

function leaderCheck(l: Leadership): ReadinessCheck {
  switch (l.state) {
    case 'unchecked':
      return { ok: false, message: 'the leader lock has not been checked yet' };
    case 'unknown':
      return { ok: false, message: l.error };
    case 'leader':
      return { ok: true, message: 'leader' };
    case 'standby':
      return { ok: true, message: `standby; the leader is ${l.holder ?? 'unknown'}` };
  }
}

/**
 * `/readyz`: configuration, database, tenant (as the last preflight and the last run found it: no
 * probe calls Microsoft) and leadership.
 */
export function readinessOf(view: ControllerView, database: ReadinessCheck): Readiness {
  const checks: Record<string, ReadinessCheck> = {
    config: configCheck(view.config.current(), view.config.errors()),
    database,
    tenant: tenantReadiness(view.preflight, view.tenantReachable),
    leader: leaderCheck(view.leadership),
  };
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}
