import Mustache from 'mustache';
import type { Settings } from './settings.js';

type Token = [string, string, number, number, Token[]?, number?];

function names(tokens: Token[], into: Set<string>): void {
  for (const [kind, value, , , children] of tokens) {
    if (kind === 'name' || kind === '&' || kind === '#' || kind === '^') into.add(value);
    if (children) names(children, into);
  }
}

/**
 * The source columns the field mappings and the photo expression use (`employee.title`,
 * `office.city`): `roster validate` checks that the source query returns each of them.
 */
export function referencedColumns(settings: Settings): string[] {
  const found = new Set<string>();
  const expressions = [...Object.values(settings.fields).map((f) => f.from), settings.photos.from ?? ''];
  for (const expression of expressions) names(Mustache.parse(expression) as Token[], found);
  return [...found].filter((n) => n.startsWith('employee.') || n.startsWith('office.')).sort();
}
