import { generateKeyPairSync } from 'node:crypto';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { CLIENT_SECRET } from '../support/roster-world.js';
import {
  journal,
  roster,
  startController,
  totalWrites,
  Transcript,
  type Controller,
} from './chaos-support.js';
import { createChaosWorld, type ChaosWorld } from './chaos-world.js';

const API_TOKEN = 'chaos-api-token-7c1e9d2b44';
const BAD = 'desired-state/overrides/bad.yaml';

describe('broken configuration: a clear message with file and line, and no write', () => {
  let world: ChaosWorld;
  const transcript = new Transcript();
  beforeAll(async () => {
    world = await createChaosWorld({ employees: 8, seed: 23 });
  });
  afterAll(async () => {
    transcript.expectNoSecrets({ CLIENT_SECRET });
    await world?.[Symbol.asyncDispose]();
  });

  /** Breaks the configuration, runs apply, checks the message and that nothing was written. */
  async function expectRefused(breakIt: () => Promise<void>, restore: () => Promise<void>) {
    await breakIt();
    try {
      const run = await roster(world, ['apply', '--auto-approve'], { transcript, logLevel: 'silent' });
      expect(run.code).toBe(1);
      expect(totalWrites(world)).toBe(0);
      expect(run.stderr).not.toContain('internal error');
      return run.stderr.replace(/^roster: /, '').trim();
    } finally {
      await restore();
    }
  }
  const writeBad = (text: string) => () => writeFile(join(world.dir, BAD), text);
  const removeBad = () => rm(join(world.dir, BAD), { force: true });

  it('malformed YAML', async () => {
    const message = await expectRefused(
      writeBad('employees:\n  - email: a@example.no\n    fields: { jobTitle: "x"\n'),
      removeBad,
    );
    expect(message).toMatch(/desired-state\/overrides\/bad\.yaml:\d+:\d+.*error/);
  });

  it('a schema violation and an unknown key', async () => {
    const message = await expectRefused(
      writeBad('employees:\n  - email: a@example.no\n    exclude: maybe\n    colour: blue\n'),
      removeBad,
    );
    expect(message).toContain('desired-state/overrides/bad.yaml:3:14 /employees/0/exclude: error');
    expect(message).toMatch(/desired-state\/overrides\/bad\.yaml:4:5 .*colour/);
  });

  it('an unknown key in the settings', async () => {
    const file = join(world.dir, 'desired-state/roster.yaml');
    const original = await readFile(file, 'utf8');
    const line = original.split('\n').length;
    const message = await expectRefused(
      () => appendFile(file, 'guardrail:\n  maxChanges: 5\n'),
      () => writeFile(file, original),
    );
    expect(message).toMatch(new RegExp(`desired-state/roster\\.yaml:${line}:1 .*guardrail`));
  });

  it('a template with a mustache syntax error', async () => {
    const file = join(world.dir, 'templates/default.html.mustache');
    const original = await readFile(file, 'utf8');
    const line = original.split('\n').length;
    const message = await expectRefused(
      () => appendFile(file, '{{#employee.jobTitle}}\n'),
      () => writeFile(file, original),
    );
    expect(message).toMatch(
      new RegExp(
        `templates/default\\.html\\.mustache:${line}:1: error: template syntax error: unclosed section`,
      ),
    );
  });

  it('a template that slips script or a javascript: link past a pattern list, checked by an HTML parser', async () => {
    const file = join(world.dir, 'templates/default.html.mustache');
    const original = await readFile(file, 'utf8');
    const line = original.split('\n').length;
    const message = await expectRefused(
      () => appendFile(file, '<svg/onload=alert(1)>\n'),
      () => writeFile(file, original),
    );
    expect(message).toContain(`templates/default.html.mustache:${line}:1: error: <svg> is not allowed`);
    const bypasses: [string, string][] = [
      ['<a/href="{{employee.jobTitle}}">x</a>', 'unexpected-solidus-in-tag'],
      ['<object data="{{website}}"></object>', '<object> is not allowed'],
      ['<meta http-equiv="refresh" content="0;url={{website}}">', '<meta> is not allowed'],
      ['<p style="background:url({{website}})">x</p>', 'url() is not allowed'],
      ['<p><a xlink:href="{{website}}">x</a></p>', 'attribute "xlink:href" is not allowed'],
      ['<img srcset="{{website}} 1x" src="{{logoUrl}}">', 'attribute "srcset" is not allowed'],
    ];
    for (const [markup, problem] of bypasses) {
      await writeFile(file, `${original}${markup}\n`);
      const run = await roster(world, ['validate', '--no-source'], { transcript, logLevel: 'silent' });
      expect(run.code, markup).toBe(1);
      expect(run.stdout + run.stderr, markup).toMatch(
        new RegExp(
          `templates/default\\.html\\.mustache:${line}:\\d+: error: .*${problem.replace(/[()]/g, '\\$&')}`,
        ),
      );
    }
    await writeFile(file, original);
    expect(totalWrites(world)).toBe(0);
  });

  it('a YAML alias bomb, reported at its line and not as a bug', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(', ')}]`,
      );
    }
    const message = await expectRefused(writeBad(`${levels.join('\n')}\n`), removeBad);
    expect(message).toContain(
      'desired-state/overrides/bad.yaml:2:8: error: aliases here expand to more than 100 copies',
    );
  });

  it('a 10 MB settings file is read in time linear in its size; a file over 16 MB is refused at a line', async () => {
    const file = join(world.dir, 'desired-state/roster.yaml');
    const original = await readFile(file, 'utf8');
    const settings = parse(original) as { signatures?: { variables?: Record<string, string> } };
    const variables: Record<string, string> = { ...settings.signatures?.variables };
    for (let i = 0; i < 100_000; i++) variables[`v${i}`] = `${'x'.repeat(80)}${i}`;
    settings.signatures = { ...settings.signatures, variables };
    const big = stringify(settings);
    expect(big.length).toBeGreaterThan(9_000_000);
    try {
      await writeFile(file, big);
      // Quadratic parsing took minutes here; linear takes seconds. The kill is far above both.
      const run = await roster(world, ['validate', '--no-source'], { transcript, timeoutMs: 100_000 });
      expect(run.signal).toBeNull();
      expect(run.code).toBe(0);
      const huge = `${original}${'# padding\n'.repeat(1_700_000)}`;
      await writeFile(file, huge);
      const refused = await roster(world, ['validate', '--no-source'], { transcript, logLevel: 'silent' });
      expect(refused.code).toBe(1);
      expect(refused.stdout + refused.stderr).toMatch(
        /desired-state\/roster\.yaml:\d+:1: error: the file is \d+ bytes; at most 16777216 are read/,
      );
      expect(refused.stderr).not.toContain('internal error');
    } finally {
      await writeFile(file, original);
    }
  }, 240_000);

  it('a duplicate override, reported at both places', async () => {
    const message = await expectRefused(
      writeBad('employees:\n  - email: a@example.no\n    exclude: true\n  - email: A@example.no\n'),
      removeBad,
    );
    expect(message).toMatch(/bad\.yaml:4:\d+ .*duplicate override for employee 'a@example.no'.*bad\.yaml:2:/);
  });
});

describe('status API and secrets', () => {
  let world: ChaosWorld;
  let controller: Controller;
  const transcript = new Transcript();
  beforeAll(async () => {
    world = await createChaosWorld({ employees: 8, seed: 29 });
    controller = await startController(world, { ROSTER_API_TOKEN: API_TOKEN });
  }, 120_000);
  afterAll(async () => {
    await controller?.stop();
    await world?.[Symbol.asyncDispose]();
  });

  async function call(method: string, path: string, init: { token?: string; body?: string } = {}) {
    const res = await fetch(`${controller.url}${path}`, {
      method,
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body ? { body: init.body } : {}),
    });
    const text = await res.text();
    transcript.add(`${method} ${path} → ${res.status}`, text);
    return { status: res.status, text };
  }

  it('refuses unauthenticated, wrong-token and oversized mutations without writing', async () => {
    for (const path of ['/plan', '/apply']) {
      expect((await call('POST', path)).status).toBe(401);
      expect((await call('POST', path, { token: 'not-the-token' })).status).toBe(403);
    }
    const big = JSON.stringify({ email: 'x'.repeat(20_000) });
    expect((await call('POST', '/apply', { token: API_TOKEN, body: big })).status).toBe(413);
    expect(totalWrites(world)).toBe(0);
  });

  it('an authorized plan works; no secret appears in any response, log line or plan', async () => {
    // The controller's first run may still be going (409 run in progress): ask again.
    let planned = await call('POST', '/plan', { token: API_TOKEN });
    for (let i = 0; i < 60 && planned.status === 409; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      planned = await call('POST', '/plan', { token: API_TOKEN });
    }
    expect(planned.status).toBeLessThan(300);
    for (const path of ['/status', '/plan?format=json', '/plan?format=markdown', '/runs', '/metrics']) {
      expect((await call('GET', path)).status, path).toBe(200);
    }
    const out = join(world.dir, 'plan.json');
    const plan = await roster(world, ['plan', '--format', 'json', '--out', out], { transcript });
    expect(plan.code).toBe(0);
    transcript.add('plan.json', await readFile(out, 'utf8'));
    await controller.stop();
    transcript.add('controller output', controller.output());
    // The debug log really logged the API calls (so the grep looked at something).
    expect(controller.output()).toContain('"msg":"api call"');
    transcript.expectNoSecrets({
      CLIENT_SECRET,
      API_TOKEN,
      DB_PASSWORD: new URL(world.db.url).password,
    });
  });
});

describe('secrets planted in the configuration and the data: never shown, never written', () => {
  let world: ChaosWorld;
  const transcript = new Transcript();
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
  const keyLine = key.split('\n')[5]!;
  const webhook = 'https://127.0.0.1:9/hooks/planted-webhook-path-91c3';
  let env: Record<string, string>;
  let secrets: Record<string, string>;

  beforeAll(async () => {
    world = await createChaosWorld({ employees: 8, seed: 31 });
    const certificate = join(world.dir, 'roster.pem');
    await writeFile(certificate, key);
    // A database password that really is in the URL (the test cluster trusts local connections).
    const url = new URL(world.env.DATABASE_URL!);
    if (!url.password) {
      url.username ||= 'postgres';
      url.password = 'planted-db-password-5e1';
    }
    env = {
      DATABASE_URL: url.toString(),
      ROSTER_API_TOKEN: API_TOKEN,
      ROSTER_WEBHOOK_URL: webhook,
      AZURE_CLIENT_CERTIFICATE_PATH: certificate,
    };
    secrets = {
      CLIENT_SECRET,
      API_TOKEN,
      DB_PASSWORD: decodeURIComponent(url.password),
      WEBHOOK: webhook,
      KEY_LINE: keyLine,
    };
  });
  afterAll(async () => {
    transcript.expectNoSecrets(secrets);
    await world?.[Symbol.asyncDispose]();
  });

  it('a settings file that reads a secret from the environment is refused, naming file, line and variable', async () => {
    const file = join(world.dir, 'desired-state/roster.yaml');
    const original = await readFile(file, 'utf8');
    const settings = parse(original) as { signatures?: { variables?: Record<string, string> } };
    settings.signatures = {
      ...settings.signatures,
      variables: {
        ...settings.signatures?.variables,
        companyName: 'S:${AZURE_CLIENT_SECRET} D:${DATABASE_URL} T:${ROSTER_API_TOKEN}',
      },
    };
    await writeFile(file, stringify(settings));
    try {
      for (const args of [
        ['validate', '--no-source'],
        ['plan', '--format', 'markdown'],
        ['apply', '--auto-approve'],
      ]) {
        const run = await roster(world, args, { env, transcript });
        expect(run.code, args.join(' ')).toBe(1);
        const text = run.stdout + run.stderr;
        for (const name of ['AZURE_CLIENT_SECRET', 'DATABASE_URL', 'ROSTER_API_TOKEN']) {
          expect(text).toMatch(
            new RegExp(
              `desired-state/roster\\.yaml:\\d+:\\d+ /signatures/variables/companyName: error: environment variable ${name} may not be read`,
            ),
          );
        }
      }
      expect(totalWrites(world)).toBe(0);
    } finally {
      await writeFile(file, original);
    }
  });

  it('a secret that reaches a value by another way is scrubbed from every output and its write fails', async () => {
    const hr = world.hr.employees.filter((e) => e.status === 'active');
    const [a, b, c] = hr.map((e) => e.email.toLowerCase());
    // Overrides are reviewed files, HR data is not: a pasted secret can come through either.
    await writeFile(
      join(world.dir, 'desired-state/overrides/pasted.yaml'),
      [
        'employees:',
        `  - email: ${a}`,
        `    fields: { jobTitle: "Engineer ${CLIENT_SECRET}" }`,
        `  - email: ${b}`,
        `    variables: { companyName: "${keyLine}" }`,
        '',
      ].join('\n'),
    );
    await world.db.pool.query('UPDATE employees SET title = $1 WHERE lower(email) = $2', [
      `Lead ${secrets.DB_PASSWORD} and ${webhook}`,
      c,
    ]);
    const summary = join(world.dir, 'step-summary.md');
    const out = join(world.dir, 'plan.json');
    const withSummary = { ...env, GITHUB_STEP_SUMMARY: summary };
    for (const format of ['text', 'markdown', 'json']) {
      const run = await roster(world, ['plan', '--format', format], { env: withSummary, transcript });
      expect(run.code, format).toBe(0);
      expect(run.stdout).toContain('[redacted]');
    }
    expect((await roster(world, ['plan', '--format', 'json', '--out', out], { env, transcript })).code).toBe(
      0,
    );
    transcript.add('plan.json', await readFile(out, 'utf8'));
    transcript.add('step summary', await readFile(summary, 'utf8'));
    expect(await readFile(out, 'utf8')).toContain('[redacted]');

    const apply = await roster(world, ['apply', '--auto-approve'], { env, transcript });
    expect(apply.code).toBe(1);
    const { runs, rows } = await journal(world);
    transcript.add('journal', JSON.stringify({ runs, rows }));
    const refused = rows.filter((r) => (r.error as { code?: string } | null)?.code === 'SecretInValue');
    expect(refused.map((r) => r.action_key).sort()).toEqual(
      [`${a}#profile`, `${a}#signature`, `${b}#signature`, `${c}#profile`, `${c}#signature`].sort(),
    );
    // Everyone else was written as usual.
    expect(rows.filter((r) => r.status === 'applied').length).toBeGreaterThan(10);
    const applyRun = runs.at(-1)!;
    const history = await roster(world, ['history', applyRun.id, '--json'], { env, transcript });
    expect(history.code).toBe(0);
    expect(history.stdout).toContain('SecretInValue');
    // Nothing secret reached the tenant: no field, no signature.
    transcript.add('tenant', JSON.stringify(world.sim.stateSnapshot()));
    const tenant = JSON.stringify(world.sim.stateSnapshot());
    for (const [name, value] of Object.entries(secrets)) expect(tenant.includes(value), name).toBe(false);
    expect(tenant).not.toContain('[redacted]');
  });
});
