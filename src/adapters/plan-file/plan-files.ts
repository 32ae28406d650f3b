import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { loadSchema } from '../../schema-files.js';
import {
  PLAN_JSON_START,
  PlanFileError,
  actionJson,
  checkPlanVersion,
  planHash,
  planJsonEnd,
  readPlanJson,
} from '../../plan/plan-file.js';
import type { ActionKind, PlanAction, PlanHead } from '../../plan/plan-model.js';
import { createPlanJsonWriter, planSourceOf, type PlanSource } from '../../plan/plan-source.js';
import { PLAN_COPY_PREFIX, removeStalePlanFiles } from './stale-plan-files.js';

/** A plan file opened for reading; `close` removes the private copy it reads from. */
export interface PlanFile extends PlanSource {
  close(): Promise<void>;
}

/** A plan being written to a file as its actions are found. */
export interface PlanFileWriter {
  add(action: PlanAction): Promise<void>;
  /** Writes the rest of the plan, moves the file into place and returns its sha256. */
  finish(head: PlanHead): Promise<string>;
  /** Removes what was written (the target path is left as it was). */
  abort(): Promise<void>;
}

/** Read in pieces of about this size. */
const READ_BUFFER = 256 * 1024;

/**
 * Writes a plan to `path` as it is planned (see `createPlanJsonWriter`). The file appears at
 * `path` only when finished (written beside it, then renamed); until then the previous file, if
 * any, stays.
 */
export async function createPlanFileWriter(
  path: string,
  scrub?: (json: string) => string,
): Promise<PlanFileWriter> {
  await removeStalePlanFiles(path);
  const partial = `${path}.${process.pid}.partial`;
  const handle = await open(partial, 'w', 0o600);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  const json = createPlanJsonWriter(async (text) => {
    await handle.write(text);
  }, scrub);
  return {
    add: (action) => json.add(action),
    async finish(head) {
      const hash = await json.finish(head);
      await handle.sync();
      await close();
      await rename(partial, path);
      return hash;
    },
    async abort() {
      await close().catch(() => undefined);
      await rm(partial, { force: true });
    },
  };
}

const planSchema = loadSchema('plan.schema.json') as { $id: string };
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(planSchema);
const validateAction = ajv.getSchema(`${planSchema.$id}#/definitions/action`)!;

/** Lines of a byte stream (split at `\n`, which never occurs inside a UTF-8 sequence). */
async function* linesOf(chunks: AsyncIterable<Buffer>, onChunk?: (chunk: Buffer) => Promise<void>) {
  let rest: Buffer | undefined;
  for await (const chunk of chunks) {
    if (onChunk) await onChunk(chunk);
    const buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buffer.indexOf(10, start); nl !== -1; nl = buffer.indexOf(10, start)) {
      yield buffer.toString('utf8', start, nl);
      start = nl + 1;
    }
    rest = start < buffer.length ? Buffer.from(buffer.subarray(start)) : undefined;
  }
  if (rest) yield rest.toString('utf8');
}

const ACTION_OPEN = '    {';
const ACTION_CLOSE = '    }';
const ACTIONS_OPEN = '  "actions": [';
const ACTIONS_NONE = '  "actions": [],';
const ACTIONS_CLOSE = '  ],';
const KIND_PREFIX = '      "kind": ';

/**
 * Walks the canonical layout: yields each action's lines and returns the lines of the rest of the
 * plan, or undefined when the text is not in that layout.
 */
async function* layoutOf(lines: AsyncIterable<string>): AsyncGenerator<string[], string[] | undefined> {
  let state: 'start' | 'actions-open' | 'between' | 'action' | 'after-last' | 'head' = 'start';
  let action: string[] = [];
  const head: string[] = [];
  for await (const line of lines) {
    switch (state) {
      case 'start':
        if (line !== '{') return undefined;
        state = 'actions-open';
        break;
      case 'actions-open':
        if (line === ACTIONS_NONE) state = 'head';
        else if (line === ACTIONS_OPEN) state = 'between';
        else return undefined;
        break;
      case 'between':
        if (line !== ACTION_OPEN) return undefined;
        action = [line];
        state = 'action';
        break;
      case 'action':
        if (line === ACTION_CLOSE || line === `${ACTION_CLOSE},`) {
          action.push(ACTION_CLOSE);
          yield action;
          action = [];
          state = line === ACTION_CLOSE ? 'after-last' : 'between';
        } else action.push(line);
        break;
      case 'after-last':
        if (line !== ACTIONS_CLOSE) return undefined;
        state = 'head';
        break;
      case 'head':
        head.push(line);
        break;
    }
  }
  return state === 'head' ? head : undefined;
}

function kindOfLines(lines: readonly string[]): string | undefined {
  const line = lines.find((l) => l.startsWith(KIND_PREFIX));
  return line ? (JSON.parse(line.slice(KIND_PREFIX.length).replace(/,$/, '')) as string) : undefined;
}

/**
 * Opens a saved plan for a streamed apply. A plan in the canonical layout `roster plan` writes is
 * read twice: once now, to check it (format version, schema, every action) and hash it while
 * copying it to a private file, and then action by action from that copy, so the apply does not
 * hold it and a change to the original after the check changes nothing. Any other layout of a
 * valid plan is read whole, as before. Errors name the file (and the action).
 */
export async function openPlanFile(path: string): Promise<PlanFile> {
  await removeStalePlanFiles();
  const dir = await mkdtemp(join(tmpdir(), `${PLAN_COPY_PREFIX}${process.pid}-`));
  const copy = join(dir, 'plan.json');
  let handle: FileHandle | undefined;
  try {
    handle = await open(copy, 'wx', 0o600);
    const raw = createHash('sha256');
    const canonical = createHash('sha256').update(PLAN_JSON_START);
    const errors: string[] = [];
    let count = 0;
    let bad = false;
    const out = handle;
    const layout = layoutOf(
      linesOf(createReadStream(path, { highWaterMark: READ_BUFFER }), async (chunk) => {
        raw.update(chunk);
        await out.write(chunk);
      }),
    );
    let rest: string[] | undefined;
    for (;;) {
      const next = await layout.next();
      if (next.done) {
        rest = next.value;
        break;
      }
      const index = count++;
      if (bad) continue;
      let action: unknown;
      try {
        action = JSON.parse(next.value.join('\n'));
      } catch {
        bad = true;
        continue;
      }
      if (!validateAction(action)) {
        if (errors.length < 5) errors.push(...describe(`/actions/${index}`, validateAction.errors));
        continue;
      }
      canonical.update(actionJson(action as PlanAction, index));
    }
    await handle.close();
    handle = undefined;
    let head: PlanHead | undefined;
    if (rest && !bad) {
      try {
        head = JSON.parse(`{\n${rest.join('\n')}`) as PlanHead;
      } catch {
        head = undefined;
      }
    }
    if (head === undefined) return await readWhole(path, dir);
    checkPlanVersion(head, path);
    // The head is checked with the schema of a whole plan; its actions were checked one by one.
    readPlanJson(JSON.stringify({ ...head, actions: [] }), path);
    if (errors.length > 0)
      throw new PlanFileError(`${path}: invalid plan file: ${errors.slice(0, 5).join('; ')}`);
    const hash = raw.digest('hex');
    if (canonical.update(planJsonEnd(head, count)).digest('hex') !== hash) return await readWhole(path, dir);
    return {
      head,
      hash,
      actionCount: count,
      actions: (kind) => actionsOf(copy, kind),
      close: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    if (error instanceof PlanFileError) throw error;
    throw new PlanFileError(`${path}: cannot read the plan file (${(error as Error).message})`);
  }
}

async function readWhole(path: string, dir: string): Promise<PlanFile> {
  await rm(dir, { recursive: true, force: true });
  const plan = readPlanJson(await readFile(path, 'utf8'), path);
  const source = planSourceOf(plan, planHash(plan));
  return { ...source, close: async () => undefined };
}

function describe(at: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${at}${e.instancePath} ${e.message}`);
}

async function* actionsOf(copy: string, kind: ActionKind | undefined): AsyncGenerator<PlanAction> {
  // The copy was checked when it was opened: its layout is canonical and its actions valid.
  for await (const lines of layoutOf(linesOf(createReadStream(copy, { highWaterMark: READ_BUFFER })))) {
    if (!kind || kindOfLines(lines) === kind) yield JSON.parse(lines.join('\n')) as PlanAction;
  }
}
