import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ConfigProblem } from '../errors/roster-error.js';
import { pathToPointer, pointerToPath } from './parse-yaml.js';
import type { ParsedYaml, ValuePath } from './parse-yaml.js';

/**
 * Compiles one of the schemas in `schemas/`. Defaults written in the schema are filled into the
 * data during validation, so the schema is the one place defaults live.
 */
export function compileSchema(schema: object): ValidateFunction {
  // Compiling takes a noticeable fraction of a second; a validator is pure, so reuse it per schema object.
  const cached = compiled.get(schema);
  if (cached) return cached;
  const ajv = new Ajv2020({
    allErrors: true,
    useDefaults: true,
    verbose: true,
    allowUnionTypes: true,
    strict: true,
  });
  const validate = ajv.compile(schema);
  compiled.set(schema, validate);
  return validate;
}

const compiled = new WeakMap<object, ValidateFunction>();

/**
 * Validates `data` (filling in defaults) and turns ajv's errors into problems that name the file,
 * line, column and key, worded for people who write YAML rather than JSON Schema.
 */
export function validateAgainstSchema(
  validate: ValidateFunction,
  data: unknown,
  parsed: ParsedYaml,
): ConfigProblem[] {
  if (validate(data)) return [];
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const problem = describe(error, parsed);
    if (!problem) continue;
    const id = `${problem.key ?? ''}\u0000${problem.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(problem);
  }
  return problems;
}

function describe(error: ErrorObject, parsed: ParsedYaml): ConfigProblem | undefined {
  const base = pointerToPath(error.instancePath);
  const problem = (path: ValuePath, message: string, at: 'key' | 'value' = 'value'): ConfigProblem => ({
    file: parsed.file,
    ...parsed.locate(path, at),
    key: pathToPointer(path) || '/',
    message,
    severity: 'error',
  });
  const params = error.params as Record<string, unknown>;
  // An invalid map key is reported twice by ajv (the inner rule and `propertyNames`); keep the inner one.
  if (error.keyword === 'propertyNames') return undefined;
  if (typeof error.propertyName === 'string') {
    return problem(
      [...base, error.propertyName],
      `invalid key '${error.propertyName}': must be ${hint(error)}`,
      'key',
    );
  }
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      const known = Object.keys(parentProperties(error));
      const suggestion = closest(name, known);
      const tail = suggestion ? ` (did you mean '${suggestion}'?)` : '';
      return problem([...base, name], `unknown key '${name}'${tail}`, 'key');
    }
    case 'required':
      return problem(
        [...base, String(params['missingProperty'])],
        `missing required key '${String(params['missingProperty'])}'`,
        'key',
      );
    case 'type':
      return problem(base, `must be ${typeNames(params['type'])}`);
    case 'enum':
      return problem(
        base,
        `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      );
    case 'pattern':
    case 'format':
      return problem(base, `must be ${hint(error)}`);
    case 'minItems':
      return problem(
        base,
        `must list at least ${String(params['limit'])} item${params['limit'] === 1 ? '' : 's'}`,
      );
    case 'minLength':
      if (params['limit'] === 1) return problem(base, 'must not be empty');
      return problem(base, error.message ?? 'is too short');
    case 'uniqueItems':
      return problem(
        base,
        `must not list the same item twice (items ${String(params['j'])} and ${String(params['i'])})`,
      );
    default:
      return problem(base, error.message ?? `is invalid (${error.keyword})`);
  }
}

function hint(error: ErrorObject): string {
  const title = (error.parentSchema as { title?: unknown } | undefined)?.title;
  if (typeof title === 'string') return title;
  return error.keyword === 'pattern'
    ? `of the form ${String(error.schema)}`
    : `a valid ${String(error.schema)}`;
}

function parentProperties(error: ErrorObject): Record<string, unknown> {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ?? {};
}

function typeNames(type: unknown): string {
  const names = (Array.isArray(type) ? type : String(type).split(',')).map((t) => {
    const name = String(t);
    if (name === 'null') return 'null';
    const noun = name === 'object' ? 'map' : name === 'array' ? 'list' : name;
    return `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
  });
  return names.length <= 1
    ? (names[0] ?? 'valid')
    : `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
}

/** The known key a typo most likely meant, if any is close enough. */
export function closest(name: string, candidates: string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= Math.max(1, Math.floor(candidate.length / 3)) && (!best || distance < best.distance)) {
      best = { candidate, distance };
    }
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
