import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planChanges } from '../../plan/plan-changes.js';
import { PlanFileError, planHash, renderPlanJson } from '../../plan/plan-file.js';
import { type PlanSource } from '../../plan/plan-source.js';
import { createPlanFileWriter, openPlanFile } from './plan-files.js';
import type { Plan, PlanAction } from '../../plan/plan-model.js';
import {
  desiredState,
  employee,
  observedSig,
  observedState,
  planOptions,
  signature,
  user,
} from '../../plan/test-builders.js';

const longHtml = `<table style="font-family:Arial">${'<tr><td style="color:#111">Åse «Ærø» "q" \\ </td></tr>'.repeat(40)}</table>`;

/** The planner's inputs for `count` employees who differ in profile, photo and signature. */
function sampleInputs(count: number): Parameters<typeof planChanges> {
  const emails = Array.from({ length: count }, (_, i) => `person${String(i).padStart(4, '0')}@example.no`);
  return [
    desiredState(
      emails.map((m, i) =>
        employee(m, {
          fields: { jobTitle: 'Seniorrådgiver <b>|x|</b>', mobilePhone: '+47 912 34 567' },
          ...(i % 3 !== 1 ? { photoUrl: `https://hr.example.no/${i}.jpg` } : {}),
          signature: signature(i % 2 ? longHtml : '<p>new</p>', 'Åse Ærø\nSeniorrådgiver'),
        }),
      ),
    ),
    observedState(
      emails.map((m) => user(m, { fields: { jobTitle: 'Rådgiver', mobilePhone: null } })),
      { signatures: new Map(emails.map((m) => [`id-${m}`, observedSig('<p>old</p>', 'Åse Ærø\nRådgiver')])) },
    ),
    new Map(),
    planOptions(),
  ];
}

const samplePlan = (count: number): Plan => planChanges(...sampleInputs(count));

async function collect(source: PlanSource, kind?: PlanAction['kind']): Promise<PlanAction[]> {
  const out: PlanAction[] = [];
  for await (const action of source.actions(kind)) out.push(action);
  return out;
}

/** What a reader of the JSON sees of a plan. */
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plan-stream-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeStreamed(plan: Plan, path: string): Promise<string> {
  const writer = await createPlanFileWriter(path);
  for (const action of plan.actions) await writer.add(action);
  const { actions: _, ...head } = plan;
  return writer.finish(head);
}

describe('plan file writer', () => {
  it('writes byte for byte the canonical JSON, and its hash, action by action', async () => {
    for (const plan of [samplePlan(7), samplePlan(0), samplePlan(1)]) {
      const path = join(dir, `plan-${plan.actions.length}.json`);
      const hash = await writeStreamed(plan, path);
      expect(await readFile(path, 'utf8')).toBe(renderPlanJson(plan));
      expect(hash).toBe(planHash(plan));
    }
  });

  it('written action by action, then the head: the same file as the whole plan rendered', async () => {
    const { actions, ...head } = samplePlan(5);
    const path = join(dir, 'streamed.json');
    const writer = await createPlanFileWriter(path);
    for (const action of actions) await writer.add(action);
    await writer.finish(head);
    expect(await readFile(path, 'utf8')).toBe(renderPlanJson({ ...head, actions }));
  });

  it('leaves the previous file in place until finished, and as it was when aborted', async () => {
    const path = join(dir, 'plan.json');
    await writeFile(path, 'previous');
    const writer = await createPlanFileWriter(path);
    for (const action of samplePlan(3).actions) await writer.add(action);
    expect(await readFile(path, 'utf8')).toBe('previous');
    await writer.abort();
    expect(await readFile(path, 'utf8')).toBe('previous');
    expect(await readdir(dir)).toEqual(['plan.json']);
  });
});

describe('openPlanFile', () => {
  it('reads a streamed plan back: head, hash, count and the actions of each kind, in order', async () => {
    const plan = samplePlan(9);
    const path = join(dir, 'plan.json');
    await writeFile(path, renderPlanJson(plan));
    const file = await openPlanFile(path);
    try {
      const { actions, ...head } = plan;
      expect(file.head).toEqual(asJson(head));
      expect(file.hash).toBe(planHash(plan));
      expect(file.actionCount).toBe(actions.length);
      expect(await collect(file)).toEqual(asJson(actions));
      for (const kind of ['update-profile', 'set-photo', 'set-signature'] as const) {
        const ofKind = actions.filter((a) => a.kind === kind);
        expect(ofKind.length).toBeGreaterThan(0);
        expect(await collect(file, kind)).toEqual(asJson(ofKind));
      }
      // Read again: each call reads afresh.
      expect((await collect(file)).length).toBe(actions.length);
    } finally {
      await file.close();
    }
  });

  it('reads from a private copy: changing the file after it was checked changes nothing', async () => {
    const plan = samplePlan(4);
    const path = join(dir, 'plan.json');
    await writeFile(path, renderPlanJson(plan));
    const file = await openPlanFile(path);
    const tampered = renderPlanJson(plan).replaceAll('Seniorrådgiver', 'Direktør');
    await writeFile(path, tampered);
    const profiles = await collect(file, 'update-profile');
    expect(JSON.stringify(profiles)).toContain('Seniorrådgiver');
    expect(JSON.stringify(profiles)).not.toContain('Direktør');
    const copies = (await readdir(tmpdir())).filter((d) => d.startsWith('roster-plan-'));
    await file.close();
    const after = (await readdir(tmpdir())).filter((d) => d.startsWith('roster-plan-'));
    expect(after.length).toBe(copies.length - 1);
  });

  it('reads a valid plan in any other layout whole, with the canonical hash', async () => {
    const plan = samplePlan(3);
    const path = join(dir, 'compact.json');
    await writeFile(path, JSON.stringify(plan));
    const file = await openPlanFile(path);
    expect(file.hash).toBe(planHash(plan));
    expect(await collect(file)).toEqual(asJson(plan.actions));
    await file.close();
    // Canonical but for the trailing newline: still read, still the canonical hash.
    await writeFile(path, renderPlanJson(plan).trimEnd());
    const trimmed = await openPlanFile(path);
    expect(trimmed.hash).toBe(planHash(plan));
    expect(trimmed.actionCount).toBe(plan.actions.length);
    await trimmed.close();
  });

  it('refuses another major version, invalid actions (naming them), garbage and a missing file', async () => {
    const text = renderPlanJson(samplePlan(3));
    const path = join(dir, 'plan.json');
    await writeFile(path, text.replace(/"formatVersion": "1\.\d+"/, '"formatVersion": "2.0"'));
    await expect(openPlanFile(path)).rejects.toThrowError(
      `${path}: plan format version "2.0" is not supported (this Roster reads 1.x); re-run roster plan`,
    );
    const photo = text.indexOf('"kind": "set-photo"');
    await writeFile(path, `${text.slice(0, photo)}"kind": "delete-user"${text.slice(photo + 19)}`);
    await expect(openPlanFile(path)).rejects.toThrowError(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid plan file: /actions/1 `),
    );
    await writeFile(path, text.slice(0, text.length / 2));
    await expect(openPlanFile(path)).rejects.toThrowError(/not a JSON plan file/);
    await expect(openPlanFile(join(dir, 'missing.json'))).rejects.toThrowError(PlanFileError);
    await expect(openPlanFile(join(dir, 'missing.json'))).rejects.toThrowError(/missing\.json: cannot read/);
    // Nothing of the failed reads is left behind.
    expect(existsSync(join(dir, 'missing.json'))).toBe(false);
  });
});
