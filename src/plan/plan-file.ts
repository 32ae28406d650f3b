import { Ajv } from 'ajv';
import { RosterError } from '../errors/roster-error.js';
import { loadSchema } from '../schema-files.js';
import { PLAN_FORMAT_VERSION, type Plan } from './plan-model.js';

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
  return `${JSON.stringify(sortKeys(plan), null, 2)}\n`;
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

/** Reads a saved plan, refusing unknown major versions and anything that does not match the schema. */
export function readPlanJson(text: string, source: string): Plan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(`${source}: not a JSON plan file (${(error as Error).message})`);
  }
  const version = (data as { formatVersion?: unknown } | null)?.formatVersion;
  const major = typeof version === 'string' ? version.split('.')[0] : undefined;
  if (major !== PLAN_FORMAT_VERSION.split('.')[0]) {
    throw new PlanFileError(
      `${source}: plan format version ${JSON.stringify(version)} is not supported (this Roster reads ${PLAN_FORMAT_VERSION.split('.')[0]}.x); re-run roster plan`,
    );
  }
  if (!validate(data)) {
    const first = validate.errors?.slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`) ?? [];
    throw new PlanFileError(`${source}: invalid plan file: ${first.join('; ')}`);
  }
  return data;
}
