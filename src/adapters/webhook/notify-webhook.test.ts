import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../logging/logger.js';
import { createNotifier, webhookSettingsFromEnv, type NotificationEvent } from './notify-webhook.js';

const HOOK_SECRET = 'hook-path-secret-7d1e9a';

interface Received {
  path: string;
  contentType: string | undefined;
  body: unknown;
}

let server: Server;
let origin: string;
const received: Received[] = [];
let redirectHits = 0;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const url = req.url ?? '';
    if (url.startsWith('/slow')) return; // never answers
    const body = await readBody(req);
    if (url.startsWith('/elsewhere')) {
      redirectHits += 1;
      res.end();
      return;
    }
    if (url.startsWith('/redirect')) {
      res.writeHead(307, { location: '/elsewhere' }).end();
      return;
    }
    if (url.startsWith('/fail')) {
      res.writeHead(500).end('boom');
      return;
    }
    received.push({ path: url, contentType: req.headers['content-type'], body: JSON.parse(body) });
    res.writeHead(200).end('1');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received.length = 0;
  redirectHits = 0;
});

const event: NotificationEvent = {
  type: 'drift-detected',
  tenantId: 'tenant-1',
  summary: '3 profile updates <pending> & 1 photo',
  message: 'Out-of-band edits found for kari@example.no',
  runId: 'run-9',
  at: '2025-01-02T03:04:05.000Z',
};

function setup(path: string, format: 'json' | 'teams' | 'slack', timeoutMs = 2_000) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (l) => lines.push(l) } });
  const notifier = createNotifier({ url: `${origin}${path}/${HOOK_SECRET}`, format, logger, timeoutMs });
  return { notifier, lines };
}

describe('webhook notifier', () => {
  it('posts the generic JSON event', async () => {
    const { notifier } = setup('/json', 'json');
    expect(await notifier.notify(event)).toBe(true);
    expect(received).toEqual([
      { path: `/json/${HOOK_SECRET}`, contentType: 'application/json', body: { source: 'roster', ...event } },
    ]);
  });

  it('posts a Teams Adaptive Card message', async () => {
    const { notifier } = setup('/teams', 'teams');
    expect(await notifier.notify({ ...event, type: 'run-failed' })).toBe(true);
    const body = received[0]?.body as {
      type: string;
      attachments: {
        contentType: string;
        content: { type: string; version: string; body: { type: string; text?: string; facts?: unknown }[] };
      }[];
    };
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    expect(body.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = body.attachments[0]?.content;
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card?.body.map((b) => b.text ?? b.type)).toEqual([
      'Roster: run failed',
      event.summary,
      event.message,
      'FactSet',
    ]);
    expect(card?.body[3]?.facts).toEqual([
      { title: 'Tenant', value: 'tenant-1' },
      { title: 'Run', value: 'run-9' },
      { title: 'At', value: event.at },
    ]);
  });

  it('posts Slack text and blocks with mrkdwn escaped', async () => {
    const { notifier } = setup('/slack', 'slack');
    expect(await notifier.notify({ ...event, type: 'guardrail-tripped' })).toBe(true);
    expect(received[0]?.body).toEqual({
      text: 'Roster: guardrail tripped: 3 profile updates &lt;pending&gt; &amp; 1 photo',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Roster: guardrail tripped' } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*3 profile updates &lt;pending&gt; &amp; 1 photo*\nOut-of-band edits found for kari@example.no',
          },
        },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: 'tenant `tenant-1` · run `run-9` · 2025-01-02T03:04:05.000Z' }],
        },
      ],
    });
  });

  it('reports failures as false, logs the host only and never throws', async () => {
    const cases = [
      { path: '/fail', message: 'webhook notification rejected', timeoutMs: 2_000 },
      { path: '/slow', message: 'webhook notification timed out', timeoutMs: 150 },
      { path: '/redirect', message: 'webhook notification rejected', timeoutMs: 2_000 },
    ];
    for (const c of cases) {
      const { notifier, lines } = setup(c.path, 'json', c.timeoutMs);
      const started = Date.now();
      await expect(notifier.notify(event)).resolves.toBe(false);
      expect(Date.now() - started).toBeLessThan(1_500);
      const [line] = lines.map((l) => JSON.parse(l));
      expect(line).toMatchObject({ level: 'warn', msg: c.message, webhookHost: new URL(origin).host });
      expect(lines.join('')).not.toContain(HOOK_SECRET);
      expect(lines.join('')).not.toContain(c.path);
    }
    expect(redirectHits).toBe(0);
  });

  it('survives an unreachable host', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (l) => lines.push(l) } });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const notifier = createNotifier({
      url: `http://127.0.0.1:${port}/${HOOK_SECRET}`,
      format: 'slack',
      logger,
    });
    expect(await notifier.notify(event)).toBe(false);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      msg: 'webhook notification failed',
      code: 'ECONNREFUSED',
    });
    expect(lines.join('')).not.toContain(HOOK_SECRET);
  });

  it('refuses unsafe URLs without echoing them', () => {
    const logger = createLogger({ level: 'silent' });
    const make = (url: string) => () => createNotifier({ url, format: 'json', logger });
    expect(make(`http://hooks.example.com/${HOOK_SECRET}`)).toThrowErrorMatchingInlineSnapshot(`
      [ConfigError: invalid configuration (1 problem):
        ROSTER_WEBHOOK_URL: error: webhook URL for hooks.example.com must use https (http only for loopback)]
    `);
    expect(make(`not a url ${HOOK_SECRET}`)).toThrow(/not a valid URL/);
    expect(make(`https://user:${HOOK_SECRET}@hooks.example.com/x`)).toThrow(/must not carry user info/);
    for (const url of [`http://hooks.example.com/${HOOK_SECRET}`, `not a url ${HOOK_SECRET}`]) {
      try {
        make(url)();
      } catch (error) {
        expect((error as Error).message).not.toContain(HOOK_SECRET);
      }
    }
  });

  it('reads its settings from the environment', () => {
    expect(webhookSettingsFromEnv({})).toBeUndefined();
    expect(webhookSettingsFromEnv({ ROSTER_WEBHOOK_URL: 'https://h/x' })).toEqual({
      url: 'https://h/x',
      format: 'json',
    });
    expect(
      webhookSettingsFromEnv({ ROSTER_WEBHOOK_URL: 'https://h/x', ROSTER_WEBHOOK_FORMAT: 'teams' }),
    ).toEqual({
      url: 'https://h/x',
      format: 'teams',
    });
    expect(() =>
      webhookSettingsFromEnv({ ROSTER_WEBHOOK_URL: 'https://h/x', ROSTER_WEBHOOK_FORMAT: 'irc' }),
    ).toThrow(/must be json, teams or slack/);
  });
});
