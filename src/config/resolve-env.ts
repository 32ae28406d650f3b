import type { ValuePath } from './parse-yaml.js';

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** A `${NAME}` with no value in the environment and no `:-fallback`. */
export interface MissingVariable {
  path: ValuePath;
  name: string;
}

/**
 * Replaces `${NAME}` (and `${NAME:-fallback}`) in every string of `value` with the variable from
 * `env`; `$${` writes a literal `${`. Returns a new value and the references that could not be
 * resolved (by name only: values of variables may be secrets and are never reported).
 */
export function resolveEnvReferences(
  value: unknown,
  env: Record<string, string | undefined>,
): { value: unknown; missing: MissingVariable[] } {
  const missing: MissingVariable[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(REFERENCE, (whole, name: string | undefined, fallback: string | undefined) => {
        if (name === undefined) return '${';
        const found = env[name];
        if (fallback !== undefined) return found === undefined || found === '' ? fallback : found;
        if (found === undefined) {
          missing.push({ path, name });
          return whole;
        }
        return found;
      });
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return node;
  };
  return { value: walk(value, []), missing };
}
