import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** The parts of a workflow step the tests read. */
interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

/** The parts of a workflow job the tests read. */
interface Job {
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  steps: Step[];
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const text = readFileSync(join(root, 'examples/github-actions/roster.yml'), 'utf8');
const workflow = parse(text) as {
  on: Record<string, { paths?: string[]; branches?: string[] }>;
  permissions: Record<string, string>;
  env: Record<string, string>;
  jobs: { plan: Job; apply: Job };
};
const { plan, apply } = workflow.jobs;
const ciInstall = /^\s*(npm ci\b.*)$/m.exec(readFileSync(join(root, '.ci/run'), 'utf8'))?.[1]?.trim();
const step = (job: Job, name: string) => {
  const found = job.steps.find((s) => s.name === name);
  if (!found) throw new Error(`no step named ${name}`);
  return found;
};
const scratch = mkdtempSync(join(tmpdir(), 'roster-gha-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type ScriptGlobals = Record<string, unknown>;
/** Runs a github-script body as the action does: an async function over its globals. */
async function runScript(script: string, globals: ScriptGlobals): Promise<void> {
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<void>;
  const names = ['require', ...Object.keys(globals)];
  await new AsyncFunction(...names, script)(createRequire(import.meta.url), ...Object.values(globals));
}

describe('GitHub Actions example', () => {
  it('plans pull requests and applies pushes to main, for desired-state and template changes', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(workflow.on.pull_request!.paths).toEqual(['desired-state/**', 'templates/**']);
    expect(workflow.on.push!.branches).toEqual(['main']);
    expect(plan.if).toContain("github.event_name == 'pull_request'");
    expect(plan.if).toContain('head.repo.full_name == github.repository');
    expect(apply.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
  });

  it('installs like CI on Node 20 and takes every credential from secrets or variables', () => {
    for (const job of [plan, apply]) {
      expect(job.steps.slice(0, 3).map((s) => s.uses ?? s.run)).toEqual([
        'actions/checkout@v4',
        'actions/setup-node@v4',
        ciInstall,
      ]);
      expect(job.steps[1]!.with?.['node-version']).toBe(20);
    }
    for (const value of Object.values(workflow.env)) {
      expect(value).toMatch(/^\$\{\{ (secrets|vars)\.[A-Z_]+ \}\}$/);
    }
    expect(workflow.env.AZURE_CLIENT_SECRET).toBe('${{ secrets.AZURE_CLIENT_SECRET }}');
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(plan.permissions).toEqual({ contents: 'read', 'pull-requests': 'write', 'id-token': 'write' });
  });

  it('never runs two applies at once, and lets a newer push supersede a running plan', () => {
    expect(apply.concurrency).toEqual({ group: 'roster-apply', 'cancel-in-progress': false });
    expect(plan.concurrency?.['cancel-in-progress']).toBe(true);
    expect(plan.concurrency?.group).toContain('github.event.pull_request.number');
    expect(apply.environment).toBe('production');
    expect(apply.steps.at(-1)!.run).toBe('npx roster apply --auto-approve');
  });

  it('treats plan exit 2 (changes pending) as success and 1 as failure', () => {
    const script = step(plan, 'Plan').run!;
    expect(script).toContain('npx roster plan --format markdown --out plan.md --detailed-exitcode');
    writeFileSync(join(scratch, 'plan.sh'), script);
    // A stand-in `npx` first on PATH: exits with the code under test and records its arguments.
    writeFileSync(join(scratch, 'npx'), '#!/bin/sh\necho "$@" > "$STUB_ARGS"\nexit "$STUB_CODE"\n');
    chmodSync(join(scratch, 'npx'), 0o755);
    for (const [code, expected] of [
      [0, 0],
      [2, 0],
      [1, 1],
      [3, 3],
    ] as const) {
      const output = join(scratch, `output-${code}`);
      writeFileSync(output, '');
      const result = spawnSync('bash', ['-e', join(scratch, 'plan.sh')], {
        env: {
          PATH: `${scratch}:${process.env.PATH}`,
          STUB_CODE: String(code),
          STUB_ARGS: join(scratch, 'args'),
          GITHUB_OUTPUT: output,
        },
        encoding: 'utf8',
      });
      expect(result.status, `roster exit ${code}`).toBe(expected);
      expect(readFileSync(output, 'utf8')).toBe(`exit-code=${code}\n`);
      expect(readFileSync(join(scratch, 'args'), 'utf8').trim()).toBe(
        'roster plan --format markdown --out plan.md --detailed-exitcode',
      );
    }
  });

  it('uploads the JSON and markdown plans as an artifact', () => {
    expect(step(plan, 'Plan (JSON)').run).toBe('npx roster plan --format json --out plan.json');
    const upload = step(plan, 'Upload plan');
    expect(upload.uses).toBe('actions/upload-artifact@v4');
    expect(String(upload.with?.path).trim().split('\n')).toEqual(['plan.md', 'plan.json']);
  });

  describe('the plan comment', () => {
    const script = String(step(plan, 'Comment the plan on the pull request').with?.script);
    const marker = '<!-- roster-plan -->';

    async function comment(
      existing: { id: number; user: { type: string }; body: string }[],
      planText: string,
    ) {
      const calls: [string, Record<string, unknown>][] = [];
      const record = (name: string) => async (args: Record<string, unknown>) => void calls.push([name, args]);
      const listComments = async () => ({ data: existing });
      const cwd = process.cwd();
      process.chdir(scratch);
      writeFileSync('plan.md', planText);
      try {
        await runScript(script, {
          github: {
            paginate: async (method: unknown, args: Record<string, unknown>) => {
              expect(method).toBe(listComments);
              expect(args).toMatchObject({ owner: 'o', repo: 'r', issue_number: 7 });
              return existing;
            },
            rest: {
              issues: {
                listComments,
                createComment: record('create'),
                updateComment: record('update'),
              },
            },
          },
          context: { repo: { owner: 'o', repo: 'r' }, issue: { number: 7 } },
        });
      } finally {
        process.chdir(cwd);
      }
      return calls;
    }

    it('creates one comment, starting with the marker, when none exists', async () => {
      const calls = await comment([{ id: 1, user: { type: 'User' }, body: `quoting ${marker}` }], '# Plan\n');
      expect(calls).toEqual([
        ['create', { owner: 'o', repo: 'r', issue_number: 7, body: `${marker}\n# Plan\n` }],
      ]);
    });

    it("updates the bot's earlier comment instead of adding another", async () => {
      const calls = await comment(
        [
          { id: 1, user: { type: 'User' }, body: 'looks good' },
          { id: 2, user: { type: 'Bot' }, body: `${marker}\nold plan` },
        ],
        'new plan',
      );
      expect(calls).toEqual([
        ['update', { owner: 'o', repo: 'r', comment_id: 2, body: `${marker}\nnew plan` }],
      ]);
    });

    it("stays under GitHub's 65,536-character limit for a huge plan", async () => {
      const calls = await comment([], 'x'.repeat(200_000));
      const body = String(calls[0]![1].body);
      expect(body.length).toBeLessThan(65_536);
      expect(body.endsWith("the whole plan is in the run's roster-plan artifact.")).toBe(true);
    });
  });

  it('writes the OIDC token to a private file for AZURE_FEDERATED_TOKEN_FILE, in both jobs', async () => {
    const planStep = step(plan, 'Azure OIDC token');
    expect(step(apply, 'Azure OIDC token')).toEqual(planStep);
    expect(planStep.if).toBe("vars.AZURE_USE_OIDC == 'true'");
    // It must come before Roster reads the credentials.
    expect(plan.steps.indexOf(planStep)).toBeLessThan(plan.steps.indexOf(step(plan, 'Plan')));
    const exported: Record<string, string> = {};
    const previous = process.env.RUNNER_TEMP;
    process.env.RUNNER_TEMP = scratch;
    try {
      await runScript(String(planStep.with?.script), {
        core: {
          getIDToken: async (audience: string) => `token-for:${audience}`,
          exportVariable: (name: string, value: string) => void (exported[name] = value),
        },
      });
    } finally {
      if (previous === undefined) delete process.env.RUNNER_TEMP;
      else process.env.RUNNER_TEMP = previous;
    }
    const file = join(scratch, 'azure-federated-token');
    expect(exported).toEqual({ AZURE_FEDERATED_TOKEN_FILE: file });
    expect(readFileSync(file, 'utf8')).toBe('token-for:api://AzureADTokenExchange');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
