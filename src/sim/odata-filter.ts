import { GraphFault, badRequest, unsupportedQuery } from './odata-query.js';
import type { SimUser } from './types.js';
import { USER_PROPERTY_TYPES, isUserProperty, type UserPropertyName } from './user-properties.js';

type Literal = string | boolean | null;
type StringTest = 'eq' | 'startswith' | 'endswith';

/** A parsed `$filter` expression over users. */
export type FilterNode =
  | { kind: 'compare'; op: 'eq' | 'ne'; prop: UserPropertyName; value: Literal }
  | { kind: 'call'; fn: 'startswith' | 'endswith'; prop: UserPropertyName; value: string }
  | { kind: 'any'; prop: UserPropertyName; test: StringTest; value: string }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode };

/**
 * Which properties take which operator without advanced query capabilities
 * (docs/microsoft-365.md#graph-users-filter).
 * https://learn.microsoft.com/graph/aad-advanced-queries
 */
const BASIC_STARTS_WITH: readonly UserPropertyName[] = [
  'mail',
  'userPrincipalName',
  'givenName',
  'surname',
  'displayName',
  'jobTitle',
  'department',
];
const BASIC_EQ: readonly UserPropertyName[] = [
  ...BASIC_STARTS_WITH,
  'employeeId',
  'onPremisesSyncEnabled',
  'id',
];
const ENDS_WITH: readonly UserPropertyName[] = ['mail', 'userPrincipalName'];

const ADVANCED_HINT =
  'is not supported because the required parameters might be missing. Try adding $count with a value of true and ConsistencyLevel header with a value of eventual.';

type Token = { t: 'word' | 'str' | 'punct'; v: string; at: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let v = '';
      const at = i++;
      for (;;) {
        if (i >= src.length) throw syntax(src, at);
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += src[i++];
      }
      out.push({ t: 'str', v, at });
    } else if ('(),:/'.includes(c)) {
      out.push({ t: 'punct', v: c, at: i++ });
    } else if (/[A-Za-z0-9_.-]/.test(c)) {
      const at = i;
      while (i < src.length && /[A-Za-z0-9_.-]/.test(src[i] as string)) i++;
      out.push({ t: 'word', v: src.slice(at, i), at });
    } else {
      throw syntax(src, i);
    }
  }
  return out;
}

function syntax(src: string, at: number): GraphFault {
  return new GraphFault(
    400,
    'BadRequest',
    `Invalid filter clause: syntax error at position ${at} in '${src}'.`,
  );
}

/** Parses `$filter` into a tree; syntax errors are 400 `BadRequest` as Graph answers them. */
export function parseFilter(src: string): FilterNode {
  const toks = tokenize(src);
  let pos = 0;
  const peek = (): Token | undefined => toks[pos];
  const fail = (): never => {
    throw syntax(src, peek()?.at ?? src.length);
  };
  const expect = (v: string): void => {
    if (peek()?.v !== v) fail();
    pos++;
  };
  const property = (): UserPropertyName => {
    const tok = peek();
    if (tok?.t !== 'word') return fail();
    pos++;
    if (!isUserProperty(tok.v)) {
      throw badRequest(`Could not find a property named '${tok.v}' on type 'microsoft.graph.user'.`);
    }
    return tok.v;
  };
  const literal = (): Literal => {
    const tok = peek();
    pos++;
    if (tok?.t === 'str') return tok.v;
    if (tok?.t === 'word' && tok.v === 'true') return true;
    if (tok?.t === 'word' && tok.v === 'false') return false;
    if (tok?.t === 'word' && tok.v === 'null') return null;
    return fail();
  };
  const stringLiteral = (): string => {
    const tok = peek();
    if (tok?.t !== 'str') return fail();
    pos++;
    return tok.v;
  };

  function primary(): FilterNode {
    const tok = peek();
    if (!tok) return fail();
    if (tok.v === '(') {
      pos++;
      const inner = orExpr();
      expect(')');
      return inner;
    }
    if (tok.v === 'not') {
      pos++;
      return { kind: 'not', operand: primary() };
    }
    const fn = tok.v.toLowerCase();
    if (tok.t === 'word' && (fn === 'startswith' || fn === 'endswith') && toks[pos + 1]?.v === '(') {
      pos += 2;
      const prop = property();
      expect(',');
      const value = stringLiteral();
      expect(')');
      return { kind: 'call', fn, prop, value };
    }
    const prop = property();
    if (peek()?.v === '/') return lambda(prop);
    const op = peek()?.v;
    if (op !== 'eq' && op !== 'ne') {
      if (op === 'ge' || op === 'le' || op === 'gt' || op === 'lt' || op === 'in') {
        throw unsupportedQuery(
          `Unsupported or invalid query filter clause specified for property '${prop}' of resource 'User'.`,
        );
      }
      return fail();
    }
    pos++;
    return { kind: 'compare', op, prop, value: literal() };
  }

  // proxyAddresses/any(p:p eq 'smtp:x@y') and the startsWith/endsWith forms inside the lambda.
  function lambda(prop: UserPropertyName): FilterNode {
    expect('/');
    if (peek()?.v.toLowerCase() !== 'any') fail();
    pos++;
    expect('(');
    const variable = peek();
    if (variable?.t !== 'word') return fail();
    pos++;
    expect(':');
    const head = peek();
    let test: StringTest;
    let value: string;
    const fn = head?.v.toLowerCase();
    if (head?.t === 'word' && (fn === 'startswith' || fn === 'endswith')) {
      pos++;
      expect('(');
      expect(variable.v);
      expect(',');
      value = stringLiteral();
      expect(')');
      test = fn;
    } else {
      expect(variable.v);
      expect('eq');
      value = stringLiteral();
      test = 'eq';
    }
    expect(')');
    return { kind: 'any', prop, test, value };
  }

  function andExpr(): FilterNode {
    let left = primary();
    while (peek()?.v === 'and') {
      pos++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  }

  function orExpr(): FilterNode {
    let left = andExpr();
    while (peek()?.v === 'or') {
      pos++;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  }

  const tree = orExpr();
  if (pos !== toks.length) fail();
  return tree;
}

function unsupportedClause(prop: string): GraphFault {
  return unsupportedQuery(
    `Unsupported or invalid query filter clause specified for property '${prop}' of resource 'User'.`,
  );
}

function needsAdvanced(what: string): GraphFault {
  return unsupportedQuery(`${what} ${ADVANCED_HINT}`);
}

/**
 * Refuses what Entra refuses: operators that need `ConsistencyLevel: eventual` + `$count=true`
 * when `advanced` is false, and property/operator pairs it never supports.
 */
export function checkFilter(node: FilterNode, advanced: boolean): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      checkFilter(node.left, advanced);
      checkFilter(node.right, advanced);
      return;
    case 'not':
      if (!advanced) throw needsAdvanced(`Operator 'not'`);
      checkFilter(node.operand, advanced);
      return;
    case 'compare': {
      const type = USER_PROPERTY_TYPES[node.prop];
      if (type === 'string[]') throw unsupportedClause(node.prop);
      const valueType = node.value === null ? 'null' : typeof node.value;
      if (valueType !== 'null' && valueType !== type) {
        throw badRequest(
          `A binary operator with incompatible types was detected. Found operand types '${edm(type)}' and '${edm(valueType)}' for operator kind '${node.op === 'eq' ? 'Equal' : 'NotEqual'}'.`,
        );
      }
      if (!advanced && node.op === 'ne') throw needsAdvanced(`Operator 'ne'`);
      if (!advanced && node.value === null) throw needsAdvanced(`Comparison with null`);
      if (!advanced && !BASIC_EQ.includes(node.prop)) throw unsupportedClause(node.prop);
      return;
    }
    case 'call':
      if (USER_PROPERTY_TYPES[node.prop] !== 'string') throw unsupportedClause(node.prop);
      if (node.fn === 'endswith') {
        if (!advanced) throw needsAdvanced(`Operator 'endsWith'`);
        if (!ENDS_WITH.includes(node.prop)) throw unsupportedClause(node.prop);
      } else if (!advanced && !BASIC_STARTS_WITH.includes(node.prop)) {
        throw unsupportedClause(node.prop);
      }
      return;
    case 'any':
      if (node.prop !== 'proxyAddresses') throw unsupportedClause(node.prop);
      if (node.test === 'endswith' && !advanced) throw needsAdvanced(`Operator 'endsWith'`);
      return;
  }
}

function edm(type: string): string {
  return type === 'string' ? 'Edm.String' : type === 'boolean' ? 'Edm.Boolean' : 'Edm.Null';
}

function testString(actual: string | null, test: StringTest, expected: string): boolean {
  if (actual === null) return false;
  const a = actual.toLowerCase();
  const e = expected.toLowerCase();
  if (test === 'eq') return a === e;
  return test === 'startswith' ? a.startsWith(e) : a.endsWith(e);
}

/** Evaluates a checked filter; string comparisons ignore case as Entra's do. */
export function matchesFilter(user: SimUser, node: FilterNode): boolean {
  switch (node.kind) {
    case 'and':
      return matchesFilter(user, node.left) && matchesFilter(user, node.right);
    case 'or':
      return matchesFilter(user, node.left) || matchesFilter(user, node.right);
    case 'not':
      return !matchesFilter(user, node.operand);
    case 'compare': {
      const actual = user[node.prop] as string | boolean | null;
      const equal =
        typeof actual === 'string' && typeof node.value === 'string'
          ? actual.toLowerCase() === node.value.toLowerCase()
          : actual === node.value;
      return node.op === 'eq' ? equal : !equal;
    }
    case 'call':
      return testString(user[node.prop] as string | null, node.fn, node.value);
    case 'any':
      return (user[node.prop] as string[]).some((v) => testString(v, node.test, node.value));
  }
}
