import type { ValuePath } from './parse-yaml.js';

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME_AND_FALLBACK = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/** The prefix of variables a settings file may read; everything else is off limits. */
export const SETTINGS_VARIABLE_PREFIX = 'ROSTER_VAR_';

/**
 * Variables a settings file may read besides `ROSTER_VAR_*`: identifiers, not secrets (the
 * shipped `roster.yaml` reads the first). The list is fixed here, not in the file: whoever can
 * open a pull request on the configuration controls the file, while CI jobs and the controller
 * hold credentials in their environment, and a plan comment would post them back.
 */
export const SETTINGS_VARIABLES_ALLOWED: readonly string[] = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID'];

export function mayReadVariable(name: string): boolean {
  return (
    (name.startsWith(SETTINGS_VARIABLE_PREFIX) && name.length > SETTINGS_VARIABLE_PREFIX.length) ||
    SETTINGS_VARIABLES_ALLOWED.includes(name)
  );
}

/** A `${…}` that could not be resolved: not set, not allowed, or not a variable name at all. */
export interface UnresolvedReference {
  path: ValuePath;
  name: string;
  reason: 'not-set' | 'not-allowed' | 'malformed';
}

/**
 * Replaces `${NAME}` (and `${NAME:-fallback}`) in every string of `value` with the variable from
 * `env`; `$${` writes a literal `${`. Only `ROSTER_VAR_*`, `AZURE_TENANT_ID` and `AZURE_CLIENT_ID`
 * may be read (`mayReadVariable`); any other reference is left as written and reported, so a
 * file cannot copy a secret of the environment into a value. Values of variables are never
 * reported, only names.
 */
export function resolveEnvReferences(
  value: unknown,
  env: Record<string, string | undefined>,
): { value: unknown; unresolved: UnresolvedReference[] } {
  const unresolved: UnresolvedReference[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(REFERENCE, (whole, inner: string | undefined) => {
        if (inner === undefined) return '${';
        const parts = NAME_AND_FALLBACK.exec(inner);
        if (!parts) {
          unresolved.push({ path, name: inner, reason: 'malformed' });
          return whole;
        }
        const name = parts[1]!;
        const fallback = parts[2];
        if (!mayReadVariable(name)) {
          unresolved.push({ path, name, reason: 'not-allowed' });
          return whole;
        }
        const found = env[name];
        if (fallback !== undefined) return found === undefined || found === '' ? fallback : found;
        if (found === undefined) {
          unresolved.push({ path, name, reason: 'not-set' });
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
  return { value: walk(value, []), unresolved };
}

/** The problem text for an unresolved reference: names the variable, never a value. */
export function unresolvedMessage(ref: UnresolvedReference): string {
  switch (ref.reason) {
    case 'not-set':
      return `environment variable ${ref.name} is not set`;
    case 'not-allowed':
      return `environment variable ${ref.name} may not be read by the settings file: only ${SETTINGS_VARIABLE_PREFIX}* variables and ${SETTINGS_VARIABLES_ALLOWED.join(', ')} can be referenced (write $\${ for a literal \${)`;
    case 'malformed':
      return `'\${${ref.name.length > 40 ? `${ref.name.slice(0, 40)}…` : ref.name}}' is not a variable reference: write \${NAME} or \${NAME:-fallback}, or $\${ for a literal \${`;
  }
}
