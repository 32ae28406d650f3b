import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import type { ConfigProblem } from '../errors/roster-error.js';

/** A path into a parsed document: map keys and sequence indexes. */
export type ValuePath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

/** One YAML file, parsed, with a way back from a value's path to where it is written. */
export interface ParsedYaml {
  file: string;
  /** The document as plain data; `undefined` when the file has syntax errors. */
  value: unknown;
  /** Syntax errors and duplicate keys, each with line and column. */
  problems: ConfigProblem[];
  /**
   * Where the value at `path` is written (or its key, with `at: 'key'`). A path that does not exist
   * (a default, a missing key) resolves to its nearest ancestor that does, so every problem has a place.
   */
  locate(path: ValuePath, at?: 'key' | 'value'): Position;
}

/** Larger YAML files are refused before parsing (overrides for 50,000 employees take ~8 MB). */
export const MAX_YAML_BYTES = 16 * 1024 * 1024;
/** Alias expansions allowed when building the data (yaml's guard against "billion laughs"). */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses one YAML file in time linear in its size: yaml's own duplicate-key check compares each
 * key with every earlier key of its map (a 10 MB file took minutes), so duplicates are found here
 * with one set per map instead. An oversized file, an alias bomb or nesting too deep for the
 * parser is a problem of the file at a line, never an internal error.
 */
export function parseYaml(file: string, text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const refused = (problem: ConfigProblem): ParsedYaml => ({
    file,
    value: undefined,
    problems: [problem],
    locate: () => ({ line: problem.line ?? 1, column: problem.column ?? 1 }),
  });
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_YAML_BYTES) {
    const line = text.slice(0, MAX_YAML_BYTES).split('\n').length;
    const message = `the file is ${bytes} bytes; at most ${MAX_YAML_BYTES} are read (the limit is passed on this line)`;
    return refused({ file, line, column: 1, message, severity: 'error' });
  }
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: true });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const message = 'the YAML is nested too deeply to read';
    return refused({ file, line: 1, column: 1, message, severity: 'error' });
  }
  const problems: ConfigProblem[] = [...doc.errors, ...doc.warnings].map((error) => {
    const at = position(error.pos[0]);
    const severity = doc.errors.includes(error) ? 'error' : 'warning';
    // yaml reports a stack overflow while composing as an error of the document.
    const deep = error.message.includes('Maximum call stack size exceeded');
    const message = deep ? 'the YAML is nested too deeply to read' : firstLine(error.message);
    return { file, ...at, message, severity };
  });
  const index = indexDocument(doc);
  for (const key of index.duplicates) {
    const name = keyText(key);
    const at = position(rangeStart(key) ?? 0);
    problems.push({
      file,
      ...at,
      message: `duplicate key${name === undefined ? '' : ` '${name}'`}`,
      severity: 'error',
    });
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  let value: unknown;
  if (!problems.some((p) => p.severity === 'error')) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      if (!(error instanceof ReferenceError || error instanceof RangeError)) throw error;
      const at = position(index.firstAlias ?? 0);
      const message =
        error instanceof RangeError
          ? 'the YAML is nested too deeply to read'
          : `aliases here expand to more than ${MAX_ALIAS_COUNT} copies (an "alias bomb"); write the values out`;
      problems.push({ file, ...at, message, severity: 'error' });
    }
  }
  return {
    file,
    value,
    problems,
    locate: (path, at = 'value') => position(locateOffset(doc, index, path, at)),
  };
}

/** `/a/0/b~1c` → `['a', '0', 'b/c']` (ajv's instancePath is a JSON pointer). */
export function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function pathToPointer(path: ValuePath): string {
  return path.map((s) => `/${String(s).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

function firstLine(message: string): string {
  // yaml's pretty messages append " at line L, column C:" and a code excerpt; we carry the position apart.
  const head = message.split('\n')[0] ?? message;
  return head.replace(/ at line \d+, column \d+:?$/, '');
}

function locateOffset(doc: Document, index: DocumentIndex, path: ValuePath, at: 'key' | 'value'): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  let lastPair: Pair | undefined;
  let lastPairKey: number | undefined;
  for (const segment of path) {
    lastPairKey = lastPair ? rangeStart(lastPair.key) : undefined;
    lastPair = undefined;
    if (isMap(node)) {
      const pair = index.pairs.get(node)?.get(String(segment));
      // A missing key (a required one, say) belongs to the key of the map that should hold it.
      if (!pair) return lastPairKey ?? offset;
      lastPair = pair;
      const keyStart = rangeStart(pair.key);
      if (keyStart !== undefined) offset = keyStart;
      node = pair.value;
      const valueStart = rangeStart(node);
      // A key written with no value (`key:`) has an empty scalar at the end of the line: point at the key.
      if (valueStart !== undefined && !(isScalar(node) && node.value === null)) offset = valueStart;
    } else if (isSeq(node)) {
      const item: unknown = node.items[Number(segment)];
      const start = rangeStart(item);
      if (start === undefined) return offset;
      node = item;
      offset = start;
    } else {
      return offset;
    }
  }
  if (at === 'key' && lastPair) return rangeStart(lastPair.key) ?? offset;
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as Node).range;
    return range?.[0];
  }
  return undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

/** Each map's pairs by key text (for `locate`), the keys written twice, and the first alias. */
interface DocumentIndex {
  pairs: Map<YAMLMap, Map<string, Pair>>;
  duplicates: Node[];
  firstAlias: number | undefined;
}

/** One pass over the document, with an explicit stack: a deep file cannot overflow it. */
function indexDocument(doc: Document): DocumentIndex {
  const index: DocumentIndex = { pairs: new Map(), duplicates: [], firstAlias: undefined };
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) {
      const start = rangeStart(node);
      if (start !== undefined && (index.firstAlias === undefined || start < index.firstAlias))
        index.firstAlias = start;
    } else if (isMap(node)) {
      const byKey = new Map<string, Pair>();
      const seen = new Set<string>();
      for (const pair of node.items) {
        const identity = keyIdentity(pair.key);
        if (identity !== undefined) {
          if (seen.has(identity)) index.duplicates.push(pair.key as Node);
          seen.add(identity);
        }
        const text = keyText(pair.key);
        if (text !== undefined && !byKey.has(text)) byKey.set(text, pair);
        stack.push(pair.key, pair.value);
      }
      index.pairs.set(node, byKey);
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return index;
}

/** Scalar keys are equal when their values are (`1` and `'1'` are different keys, as in yaml). */
function keyIdentity(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  return `${typeof key.value}:${String(key.value)}`;
}
