import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
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

export function parseYaml(file: string, text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const problems: ConfigProblem[] = [...doc.errors, ...doc.warnings].map((error) => {
    const at = position(error.pos[0]);
    const severity = doc.errors.includes(error) ? 'error' : 'warning';
    if (error.code === 'DUPLICATE_KEY') {
      const key = keyAt(doc, error.pos[0]);
      return { file, ...at, message: `duplicate key${key === undefined ? '' : ` '${key}'`}`, severity };
    }
    return { file, ...at, message: firstLine(error.message), severity };
  });
  const hasErrors = problems.some((p) => p.severity === 'error');
  return {
    file,
    value: hasErrors ? undefined : doc.toJS({ maxAliasCount: 100 }),
    problems,
    locate: (path, at = 'value') => {
      const offset = locateOffset(doc, path, at);
      return position(offset);
    },
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

function locateOffset(doc: Document, path: ValuePath, at: 'key' | 'value'): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  let lastPair: Pair | undefined;
  let lastPairKey: number | undefined;
  for (const segment of path) {
    lastPairKey = lastPair ? rangeStart(lastPair.key) : undefined;
    lastPair = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(segment));
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

function keyAt(doc: Document, offset: number): string | undefined {
  let found: string | undefined;
  const visit = (node: unknown): void => {
    if (found !== undefined) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (rangeStart(pair.key) === offset) found = keyText(pair.key);
        visit(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item);
    }
  };
  visit(doc.contents);
  return found;
}
