import { createHash } from 'node:crypto';
import { Ajv } from 'ajv';
import { RosterError } from '../errors/roster-error.js';
import { loadSchema } from '../schema-files.js';
import { PLAN_FORMAT_VERSION, type Plan, type PlanAction, type PlanHead } from './plan-model.js';

/** A saved plan that cannot be used: unreadable, of another format version, tenant or revision. */
export class PlanFileError extends RosterError {
  readonly code = 'PLAN_FILE';
  constructor(message: string) {
    super(message);
    this.name = 'PlanFileError';
  }
}

/** Canonical JSON: keys sorted, two-space indent, trailing newline. Two plans of one state are byte-identical. */
export function renderPlanJson(plan: Plan): string {
  return [...planJsonChunks(plan)].join('');
}

/** Below this depth the canonical JSON is produced piece by piece; from it on, one value at a time. */
const STREAMED_DEPTH = 2;

/**
 * The canonical JSON of a plan in pieces of about one action each, byte for byte what
 * `JSON.stringify(sortKeys(plan), null, 2)` would give: a large plan is hashed or written
 * without building a sorted copy and one string of all of it at once.
 */
export function* planJsonChunks(plan: Plan): Generator<string> {
  const { actions, ...head } = plan;
  yield PLAN_JSON_START;
  for (const [i, action] of actions.entries()) yield actionJson(action, i);
  yield planJsonEnd(head, actions.length);
}

/**
 * The canonical JSON's layout, which a streamed plan is written in and read back by: `actions`
 * sorts before every other key, so the file opens with them, one action after another, and the
 * rest of the plan follows once the planner knows it.
 */
export const PLAN_JSON_START = '{\n  "actions": ';

/** The `index`th action of the canonical JSON, with what separates it from the one before. */
export function actionJson(action: PlanAction, index: number): string {
  return `${index === 0 ? '[' : ','}\n    ${[...chunks(action, 2)].join('')}`;
}

/** What follows `count` actions in the canonical JSON: the rest of the plan. */
export function planJsonEnd(head: PlanHead, count: number): string {
  // The head on its own opens with `{`; after the actions that is the comma between them.
  return `${count === 0 ? '[]' : '\n  ]'},${[...chunks(head, 0)].join('').slice(1)}\n`;
}

function* chunks(value: unknown, depth: number): Generator<string> {
  if (depth >= STREAMED_DEPTH || value === null || typeof value !== 'object') {
    const json = JSON.stringify(sortKeys(value), null, 2) ?? 'null';
    yield depth === 0 ? json : json.replace(/\n/g, `\n${'  '.repeat(depth)}`);
    return;
  }
  const inner = '  '.repeat(depth + 1);
  if (Array.isArray(value)) {
    if (value.length === 0) return yield '[]';
    for (const [i, item] of value.entries()) {
      yield `${i === 0 ? '[' : ','}\n${inner}`;
      yield* chunks(item === undefined || typeof item === 'function' ? null : item, depth + 1);
    }
    return yield `\n${'  '.repeat(depth)}]`;
  }
  const record = value as Record<string, unknown>;
  // Through an object again: JSON.stringify puts integer-like keys first, whatever the sort says.
  const sorted = Object.keys(record).sort();
  const keys = Object.keys(Object.fromEntries(sorted.map((k) => [k, 0]))).filter(
    (k) => record[k] !== undefined && typeof record[k] !== 'function',
  );
  if (keys.length === 0) return yield '{}';
  for (const [i, key] of keys.entries()) {
    yield `${i === 0 ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    yield* chunks(record[key], depth + 1);
  }
  yield `\n${'  '.repeat(depth)}}`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

const validate = new Ajv({ allErrors: true, strict: false }).compile<Plan>(loadSchema('plan.schema.json'));

/** Refuses a plan of another major format version. */
export function checkPlanVersion(data: unknown, source: string): void {
  const version = (data as { formatVersion?: unknown } | null)?.formatVersion;
  const major = typeof version === 'string' ? version.split('.')[0] : undefined;
  if (major !== PLAN_FORMAT_VERSION.split('.')[0]) {
    throw new PlanFileError(
      `${source}: plan format version ${JSON.stringify(version)} is not supported (this Roster reads ${PLAN_FORMAT_VERSION.split('.')[0]}.x); re-run roster plan`,
    );
  }
}

/** sha256 of the plan's canonical JSON: journaled with the run. */
export function planHash(plan: Plan): string {
  const hash = createHash('sha256');
  for (const chunk of planJsonChunks(plan)) hash.update(chunk);
  return hash.digest('hex');
}

/** Reads a saved plan, refusing unknown major versions and anything that does not match the schema. */
export function readPlanJson(text: string, source: string): Plan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(`${source}: not a JSON plan file (${(error as Error).message})`);
  }
  checkPlanVersion(data, source);
  if (!validate(data)) {
    const first = validate.errors?.slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`) ?? [];
    throw new PlanFileError(`${source}: invalid plan file: ${first.join('; ')}`);
  }
  return data;
}
