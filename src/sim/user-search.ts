import { unsupportedQuery, badRequest } from './odata-query.js';
import type { SimUser } from './types.js';
import type { UserPropertyName } from './user-properties.js';

const SEARCHABLE: readonly UserPropertyName[] = [
  'displayName',
  'givenName',
  'surname',
  'mail',
  'userPrincipalName',
  'jobTitle',
  'department',
];

/** One `"property:term"` clause of `$search`. */
interface SearchClause {
  prop: UserPropertyName;
  term: string;
}

/** A parsed `$search`: clauses joined all by `AND` or all by `OR`. */
export interface UserSearch {
  join: 'AND' | 'OR';
  clauses: SearchClause[];
}

/**
 * `$search="displayName:wa" OR "mail:wa"` — directory search tokenizes values into words and
 * matches word prefixes, ignoring case.
 * https://learn.microsoft.com/graph/search-query-parameter#using-search-on-directory-object-collections
 */
export function parseSearch(raw: string): UserSearch {
  const parts = raw.trim().split(/\s+(AND|OR)\s+/);
  const clauses: SearchClause[] = [];
  const joins = new Set<string>();
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      joins.add(part);
      return;
    }
    const m = /^"([A-Za-z]+):([^"]+)"$/.exec(part);
    if (!m) throw badRequest(`Syntax error: character '${part.charAt(0)}' is not valid in $search '${raw}'.`);
    const prop = m[1] as UserPropertyName;
    if (!SEARCHABLE.includes(prop)) {
      throw unsupportedQuery(`This query is not supported. $search is not supported on property '${prop}'.`);
    }
    clauses.push({ prop, term: (m[2] as string).toLowerCase() });
  });
  if (joins.size > 1) throw unsupportedQuery('Mixing AND and OR in $search is not supported.');
  return { join: joins.has('AND') ? 'AND' : 'OR', clauses };
}

export function matchesSearch(user: SimUser, search: UserSearch): boolean {
  const hit = (c: SearchClause): boolean => {
    const value = user[c.prop];
    if (typeof value !== 'string') return false;
    const lower = value.toLowerCase();
    return lower.startsWith(c.term) || lower.split(/[\s@._-]+/).some((word) => word.startsWith(c.term));
  };
  return search.join === 'AND' ? search.clauses.every(hit) : search.clauses.some(hit);
}
