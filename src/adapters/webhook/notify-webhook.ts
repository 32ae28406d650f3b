import { ConfigError } from '../../errors/roster-error.js';
import type { Logger } from '../../logging/logger.js';
import type { KnownSecret } from '../../secrets/known-secrets.js';
import { createSecretScrubber } from '../../secrets/secret-scrubber.js';
import type { NotificationEvent, NotificationType, Notifier } from '../../ports/notifier.js';

export type { NotificationEvent, NotificationType, Notifier } from '../../ports/notifier.js';
export type WebhookFormat = 'json' | 'teams' | 'slack';

export interface NotifierOptions {
  /** The webhook URL is a secret (it is the credential): it is never logged, only its host. */
  url: string;
  format: WebhookFormat;
  logger: Logger;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Default 10 s. */
  timeoutMs?: number;
  /** Secret literals scrubbed from payload texts (defence in depth). */
  secrets?: readonly (KnownSecret | string)[];
}

const TITLES: Record<NotificationType, string> = {
  'drift-detected': 'Roster: drift detected',
  'run-failed': 'Roster: run failed',
  'guardrail-tripped': 'Roster: guardrail tripped',
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Checks the URL without ever echoing it: errors name only what is wrong (and the host). */
function parseWebhookUrl(raw: string): URL {
  const problem = (message: string) =>
    new ConfigError([{ file: 'ROSTER_WEBHOOK_URL', message, severity: 'error' }]);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw problem('webhook URL is not a valid URL');
  }
  if (url.username || url.password) throw problem(`webhook URL for ${url.host} must not carry user info`);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return url;
  throw problem(`webhook URL for ${url.host} must use https (http only for loopback)`);
}

export function genericPayload(event: NotificationEvent): Record<string, unknown> {
  return { source: 'roster', ...event };
}

/**
 * An Adaptive Card in a `message` with `attachments`: the format of Teams Workflows webhooks
 * ("Send webhook alerts to a channel") that replace Office 365 connectors, and also accepted by
 * legacy incoming webhooks. Card version 1.4, the highest Workflows renders.
 * https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-adaptive-cards-using-an-incoming-webhook
 * https://support.microsoft.com/office/create-incoming-webhooks-with-workflows-for-microsoft-teams-8ae491c7-0394-4861-ba59-055e33f75498
 */
export function teamsPayload(event: NotificationEvent): Record<string, unknown> {
  const facts = [
    { title: 'Tenant', value: event.tenantId },
    ...(event.runId ? [{ title: 'Run', value: event.runId }] : []),
    { title: 'At', value: event.at },
  ];
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              text: TITLES[event.type],
              weight: 'Bolder',
              size: 'Medium',
              color: event.type === 'drift-detected' ? 'Warning' : 'Attention',
              wrap: true,
            },
            { type: 'TextBlock', text: event.summary, wrap: true },
            { type: 'TextBlock', text: event.message, wrap: true, isSubtle: true },
            { type: 'FactSet', facts },
          ],
        },
      },
    ],
  };
}

/** Slack mrkdwn treats only these three as control characters. */
function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Slack incoming webhook: `text` is the notification fallback, `blocks` the layout.
 * https://api.slack.com/messaging/webhooks
 */
export function slackPayload(event: NotificationEvent): Record<string, unknown> {
  const context = [`tenant \`${event.tenantId}\``, event.runId && `run \`${event.runId}\``, event.at]
    .filter(Boolean)
    .join(' · ');
  return {
    text: slackEscape(`${TITLES[event.type]}: ${event.summary}`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: TITLES[event.type].slice(0, 150) } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: slackEscape(`*${event.summary}*\n${event.message}`).slice(0, 3000) },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(context) }] },
    ],
  };
}

const FORMATTERS: Record<WebhookFormat, (event: NotificationEvent) => Record<string, unknown>> = {
  json: genericPayload,
  teams: teamsPayload,
  slack: slackPayload,
};

/**
 * A webhook notifier for the reconcile loop. A failing, slow or redirecting webhook is logged
 * (with the URL's host only) and reported as `false`; it never throws into the loop.
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const url = parseWebhookUrl(options.url);
  const host = url.host;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const scrub = createSecretScrubber([options.url, ...(options.secrets ?? [])]);
  const log = options.logger.child({ webhookHost: host, webhookFormat: options.format });

  return {
    async notify(event) {
      try {
        const body = scrub(JSON.stringify(FORMATTERS[options.format](event)));
        const response = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          // A redirect could carry the payload elsewhere: treat it as a failure.
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body?.cancel().catch(() => undefined);
        if (!response.ok) {
          log.warn({ event: event.type, status: response.status }, 'webhook notification rejected');
          return false;
        }
        log.debug({ event: event.type }, 'webhook notification sent');
        return true;
      } catch (error) {
        // Only the error's name and code: a transport message may quote the URL.
        const err = error as { name?: string; cause?: { code?: string } };
        log.warn(
          { event: event.type, error: err.name ?? 'Error', code: err.cause?.code },
          err.name === 'TimeoutError' ? 'webhook notification timed out' : 'webhook notification failed',
        );
        return false;
      }
    },
  };
}

/** Webhook settings from the environment: `ROSTER_WEBHOOK_URL`, `ROSTER_WEBHOOK_FORMAT` (json|teams|slack). */
export function webhookSettingsFromEnv(
  env: Record<string, string | undefined>,
): { url: string; format: WebhookFormat } | undefined {
  const url = env.ROSTER_WEBHOOK_URL;
  if (!url) return undefined;
  const format = env.ROSTER_WEBHOOK_FORMAT ?? 'json';
  if (format !== 'json' && format !== 'teams' && format !== 'slack') {
    throw new ConfigError([
      {
        file: 'ROSTER_WEBHOOK_FORMAT',
        message: `must be json, teams or slack, not ${JSON.stringify(format)}`,
        severity: 'error',
      },
    ]);
  }
  return { url, format };
}
