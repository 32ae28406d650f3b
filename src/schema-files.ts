import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Loads a JSON Schema from `schemas/`. Works from `src/` (tests) and `dist/` (the built CLI): both
 * sit one level below the package root.
 */
export function loadSchema(fileName: string): Record<string, unknown> {
  return require(`../schemas/${fileName}`) as Record<string, unknown>;
}
