import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHrData } from '../../src/local/seed-hr.js';
import { CLIENT_SECRET } from '../support/roster-world.js';
import {
  journal,
  rawRequest,
  roster,
  startController,
  Transcript,
  type Controller,
  type RunResult,
} from './chaos-support.js';
import { createChaosWorld, withHostile, type ChaosWorld } from './chaos-world.js';

const API_TOKEN = 'chaos-api-token-rebind-3f0a1c';
/** A signed-URL style token in an HR photo URL: kept for downloads, shown nowhere. */
const PHOTO_TOKEN = 'hr-photo-token-Q9x7Lw2';
const MD_TITLE = '[click me](https://evil.example/phish) **BOLD** @octocat <img src=x onerror=alert(1)>';

describe('status API, plans and logs against hostile requests and values', () => {
  let world: ChaosWorld;
  let controller: Controller;
  let kari: string;
  let tokenHolder: string;
  let markdown: RunResult;
  let text: RunResult;
  let applied: RunResult;
  let planJson: string;
  const transcript = new Transcript();

  beforeAll(async () => {
    world = await createChaosWorld({
      hr: (photoBase) =>
        withHostile(generateHrData({ employees: 10, offices: 2, seed: 41, photoBaseUrl: photoBase }), [
          () => ({ title: MD_TITLE }),
          (e) => ({ profileImageUrl: `${e.profileImageUrl ?? `${photoBase}/2.jpg`}?token=${PHOTO_TOKEN}` }),
        ]),
    });
    const active = world.hr.employees.filter((e) => e.status === 'active');
    kari = active[0]!.email.toLowerCase();
    tokenHolder = active[1]!.email.toLowerCase();
    markdown = await roster(world, ['plan', '--format', 'markdown'], { transcript });
    text = await roster(world, ['plan', '--format', 'text'], { transcript });
    const out = join(world.dir, 'plan.json');
    expect((await roster(world, ['plan', '--format', 'json', '--out', out])).code).toBe(0);
    planJson = await readFile(out, 'utf8');
    applied = await roster(world, ['apply', out, '--auto-approve'], { transcript });
    controller = await startController(world, { ROSTER_API_TOKEN: API_TOKEN });
  }, 240_000);
  afterAll(async () => {
    await controller?.stop();
    if (controller) transcript.add('controller output', controller.output());
    transcript.expectNoSecrets({ CLIENT_SECRET, API_TOKEN, PHOTO_TOKEN });
    await world?.[Symbol.asyncDispose]();
  });

  it('the markdown plan shows a hostile title as text: no link, bold, mention or HTML under a GFM parser', () => {
    expect(markdown.code).toBe(0);
    const html = micromark(markdown.stdout, {
      allowDangerousHtml: true,
      extensions: [gfm()],
      htmlExtensions: [gfmHtml()],
    });
    expect(html).not.toMatch(/<a\s|<img|<strong>BOLD/);
    const shown = html
      .replace(/<[^>]+>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    expect(shown.replace(/\u2060/g, '')).toContain(MD_TITLE);
    // GitHub links mentions everywhere but in code.
    const outsideCode = html.replace(/<code[^>]*>[\s\S]*?<\/code>/g, '').replace(/<[^>]+>/g, '');
    expect(outsideCode).not.toMatch(/(^|\W)@octocat/);
  });

  it('a photo URL query token is hidden in text and markdown plans and logs, kept in the JSON plan and the journal', async () => {
    expect(text.stdout).toContain('?…');
    for (const run of [markdown, text, applied])
      expect(`${run.stdout}${run.stderr}`).not.toContain(PHOTO_TOKEN);
    expect(planJson).toContain(`?token=${PHOTO_TOKEN}`);
    // apply PLANFILE downloaded the photo from the URL the JSON plan kept.
    const user = world.sim.stateSnapshot().users.find((u) => u.userPrincipalName === tokenHolder)!;
    expect(world.sim.stateSnapshot().photos[user.id]).toBeDefined();
    const { rows } = await journal(world);
    const photo = rows.find((r) => r.action_key === `${tokenHolder}#photo`);
    expect(JSON.stringify(photo?.after)).toContain(PHOTO_TOKEN);
  });

  it('the status API hides the token in /runs/{id} and /status', async () => {
    const { runs } = await journal(world);
    const applyRun = runs.find((r) => r.kind === 'apply')!;
    for (const path of [`/runs/${applyRun.id}`, '/status', '/runs']) {
      const res = await fetch(`${controller.url}${path}`);
      const body = await res.text();
      transcript.add(`GET ${path}`, body);
      expect(res.status, path).toBe(200);
      expect(body, path).not.toContain(PHOTO_TOKEN);
    }
    const detail = await (await fetch(`${controller.url}/runs/${applyRun.id}`)).text();
    expect(detail).toContain('.jpg?…');
  });

  it('a rebinding Host gets 421 from every route, the dashboard included, and no employee data', async () => {
    const { runs } = await journal(world);
    const paths = [
      '/plan?format=json',
      '/plan?format=markdown',
      '/status',
      `/runs/${runs[0]!.id}`,
      '/',
      `/employees/${encodeURIComponent(kari)}`,
      '/healthz',
    ];
    for (const path of paths) {
      const res = await rawRequest(controller.port, path, { host: `attacker.example:${controller.port}` });
      transcript.add(`rebinding GET ${path}`, res.body);
      expect(res.status, path).toBe(421);
      expect(res.body, path).not.toContain('@example.no');
    }
    // The same requests by address, as probes and the Docker health check make them, are served.
    for (const host of [`127.0.0.1:${controller.port}`, `10.244.3.7:${controller.port}`]) {
      expect((await rawRequest(controller.port, '/readyz', { host })).status).not.toBe(421);
      expect((await rawRequest(controller.port, '/healthz', { host })).status).toBe(200);
    }
  });

  it('a page on another origin cannot start a run, even with the token, nor follow an apply stream', async () => {
    // The controller's own first run must be over, so a new run could only come from these requests.
    for (let i = 0; i < 120; i++) {
      const { runs } = await journal(world);
      // Three plans and the apply from the CLI, then the controller's first run.
      if (runs.length >= 5 && runs.every((r) => r.finished_at !== null)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const before = (await journal(world)).runs.length;
    const host = `127.0.0.1:${controller.port}`;
    const headers = { host, origin: 'http://attacker.example', authorization: `Bearer ${API_TOKEN}` };
    for (const path of ['/plan', '/apply', '/actions/apply']) {
      const res = await rawRequest(
        controller.port,
        path,
        { ...headers, 'content-type': 'application/json' },
        'POST',
        '{}',
      );
      expect(res.status, path).toBe(403);
    }
    const stream = await rawRequest(controller.port, `/actions/${'a'.repeat(32)}/events`, headers);
    expect(stream.status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await journal(world)).runs.length).toBe(before);
  });
});
