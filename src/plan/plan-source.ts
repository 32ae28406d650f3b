import { createHash } from 'node:crypto';
import { PLAN_JSON_START, actionJson, planJsonEnd } from './plan-file.js';
import type { ActionKind, Plan, PlanAction, PlanHead } from './plan-model.js';

/** Handed to the writer in pieces of about this size. */
const WRITE_BUFFER = 256 * 1024;

/**
 * A plan that is read action by action: from a plan file, or from a plan in memory. `hash` is the
 * sha256 of its canonical JSON (what `planHash` gives for the same plan).
 */
export interface PlanSource {
  readonly head: PlanHead;
  readonly hash: string;
  readonly actionCount: number;
  /** The actions in plan order, only those of `kind` when given; each call reads them afresh. */
  actions(kind?: ActionKind): AsyncIterable<PlanAction>;
}

/** A plan's canonical JSON being produced action by action. */
export interface PlanJsonWriter {
  add(action: PlanAction): Promise<void>;
  /** Writes the rest of the plan and returns the sha256 of all of it. */
  finish(head: PlanHead): Promise<string>;
}

/**
 * Produces a plan's canonical JSON (byte for byte `renderPlanJson`) while it is planned, handing
 * it to `write` in pieces of about 256 KB: a plan of any size is never whole in memory. `scrub`
 * (secrets out) sees each action's JSON and the head whole, before the hash does.
 */
export function createPlanJsonWriter(
  write: (text: string) => Promise<void>,
  scrub: (json: string) => string = (json) => json,
): PlanJsonWriter {
  const hash = createHash('sha256');
  let pending: string[] = [];
  let pendingLength = 0;
  let count = 0;
  const flush = async () => {
    const text = pending.join('');
    pending = [];
    pendingLength = 0;
    if (text) await write(text);
  };
  const put = async (raw: string) => {
    const text = scrub(raw);
    hash.update(text);
    pending.push(text);
    pendingLength += text.length;
    if (pendingLength >= WRITE_BUFFER) await flush();
  };
  hash.update(PLAN_JSON_START);
  pending.push(PLAN_JSON_START);
  return {
    add: (action) => put(actionJson(action, count++)),
    async finish(head) {
      await put(planJsonEnd(head, count));
      await flush();
      return hash.digest('hex');
    },
  };
}

/** A plan in memory, as a source (its hash is computed once, here). */
export function planSourceOf(plan: Plan, hash: string): PlanSource {
  const { actions, ...head } = plan;
  return {
    head,
    hash,
    actionCount: actions.length,
    async *actions(kind) {
      for (const action of actions) if (!kind || action.kind === kind) yield action;
    },
  };
}
