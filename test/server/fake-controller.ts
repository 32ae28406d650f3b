import type {
  ApplyNowOptions,
  ApplyNowResult,
  ControllerApi,
  PlanNowResult,
  Readiness,
} from '../../src/controller/controller-api.js';
import type { ControllerStatus, RunSummary } from '../../src/controller/status-model.js';
import { countActions, driftOf } from '../../src/controller/status-model.js';
import { planChanges } from '../../src/plan/plan-changes.js';
import type { Plan } from '../../src/plan/plan-model.js';
import { desiredState, employee, observedState, planOptions, user } from '../../src/plan/test-builders.js';
import type { RunDetail, RunRecord } from '../../src/ports/state-store.js';

export const RUN_ID = '6f1c2b4e-8d7a-4c3b-9e2f-1a2b3c4d5e6f';

/** A real plan: one employee whose job title differs. */
export function samplePlan(): Plan {
  return planChanges(
    desiredState([employee('kari@example.no', { fields: { jobTitle: 'Seniorrådgiver' } })]),
    observedState([user('kari@example.no', { fields: { jobTitle: 'Rådgiver' } })]),
    new Map(),
    planOptions(),
  );
}

export function runSummary(kind: RunSummary['kind'], plan?: Plan): RunSummary {
  return {
    id: RUN_ID,
    kind,
    startedAt: '2025-01-02T03:04:05.000Z',
    finishedAt: '2025-01-02T03:04:07.500Z',
    durationSeconds: 2.5,
    outcome: 'succeeded',
    actions: countActions(plan),
    results: { applied: kind === 'apply' ? 1 : 0, 'skipped-stale': 0, failed: 0 },
    warnings: 0,
    guardrailsTripped: [],
  };
}

const RECORD: RunRecord = {
  id: RUN_ID,
  kind: 'plan',
  tenantId: 'tenant-1',
  actor: 'controller',
  startedAt: '2025-01-02T03:04:05.000Z',
  finishedAt: '2025-01-02T03:04:07.500Z',
  outcome: 'succeeded',
  planHash: 'abc',
  configRevision: 'rev-1',
  counts: { 'update-profile': 1 },
  sourceCount: 1,
  error: null,
};

/**
 * An in-memory controller for server tests: a real object implementing `ControllerApi`, with
 * knobs for what it returns and a log of what it was asked.
 */
export class FakeController implements ControllerApi {
  plan: Plan | undefined = samplePlan();
  ready: Readiness = { ready: true, checks: { config: { ok: true }, database: { ok: true } } };
  refusal: Extract<ApplyNowResult, { accepted: false }> | undefined;
  /** When set, every async method rejects with this. */
  failure: Error | undefined;
  readonly applyCalls: ApplyNowOptions[] = [];
  readonly listCalls: number[] = [];
  planNowCalls = 0;
  /** The journal `getRun` answers with. */
  journal: RunDetail['journal'] = [];

  status(): ControllerStatus {
    return {
      instance: { id: 'instance-a', hostname: 'host-a', startedAt: '2025-01-02T00:00:00.000Z' },
      leader: { isLeader: true, holder: 'instance-a' },
      mode: 'observe',
      lastRun: runSummary('plan', this.plan),
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'RunSucceeded',
          message: 'last run succeeded',
          lastTransitionTime: '2025-01-02T03:04:07.500Z',
        },
      ],
      drift: this.plan ? driftOf(this.plan) : { profile: 0, photo: 0, signature: 0, warnings: 0 },
      config: { revision: 'rev-1', valid: true, errors: [] },
    };
  }

  latestPlan(): Plan | undefined {
    return this.plan;
  }

  async readiness(): Promise<Readiness> {
    if (this.failure) throw this.failure;
    return this.ready;
  }

  async planNow(): Promise<PlanNowResult> {
    this.planNowCalls += 1;
    if (this.failure) throw this.failure;
    if (this.refusal) return this.refusal;
    return { accepted: true, run: runSummary('plan', this.plan), ...(this.plan ? { plan: this.plan } : {}) };
  }

  async applyNow(options: ApplyNowOptions): Promise<ApplyNowResult> {
    this.applyCalls.push(options);
    if (this.failure) throw this.failure;
    if (this.refusal) return this.refusal;
    return { accepted: true, run: runSummary('apply', this.plan) };
  }

  async listRuns(limit: number): Promise<RunRecord[]> {
    this.listCalls.push(limit);
    if (this.failure) throw this.failure;
    return [RECORD];
  }

  async getRun(id: string): Promise<RunDetail | undefined> {
    if (this.failure) throw this.failure;
    return id === RUN_ID ? { ...RECORD, journal: this.journal } : undefined;
  }
}
