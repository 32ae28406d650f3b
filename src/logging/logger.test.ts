import { describe, expect, it } from 'vitest';
import { createLogger, employeeLogger, runLogger } from './logger.js';

const CLIENT_SECRET = 'Xy7~Q8s.k2-client-secret_value';
const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlLWJ5dGVz';

function capture(options: { pretty?: boolean; secrets?: string[] } = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line) => lines.push(line) },
    secrets: options.secrets ?? [CLIENT_SECRET],
    ...(options.pretty ? { pretty: true } : {}),
  });
  return { logger, lines, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger', () => {
  it('writes JSON lines with level labels, time and message', () => {
    const { logger, json } = capture();
    logger.info({ employees: 3 }, 'plan ready');
    logger.debug('details');
    const [first, second] = json();
    expect(first).toMatchObject({ level: 'info', msg: 'plan ready', employees: 3 });
    expect(first?.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(second).toMatchObject({ level: 'debug', msg: 'details' });
  });

  it('hides the query string of every URL in a line (HR photo URLs carry tokens there)', () => {
    const { logger, lines, json } = capture();
    logger.warn(
      { photo: 'https://hr.example.no/p/1.jpg?sig=s3cr3t-sig&exp=1' },
      'photo https://hr.example.no/p/1.jpg?token=t0k3n-value failed',
    );
    expect(lines.join('')).not.toMatch(/s3cr3t-sig|t0k3n-value/);
    expect(json()[0]).toMatchObject({
      photo: 'https://hr.example.no/p/1.jpg?…',
      msg: 'photo https://hr.example.no/p/1.jpg?… failed',
    });
  });

  it('honours the level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (l) => lines.push(l) } });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
  });

  it('scrubs known secret values, bearer tokens and JWTs inside message strings', () => {
    const { logger, lines, json } = capture();
    logger.error(`token request failed: client_secret ${CLIENT_SECRET} rejected`);
    logger.warn({ detail: `sent Authorization: Bearer abc.def-123 and then ${JWT}` }, `header Bearer ${JWT}`);
    logger.info(`body grant_type=client_credentials&client_secret=other-secret&scope=x`);
    logger.info({ quoted: `he said "${CLIENT_SECRET}"` }, 'quoted');
    const text = lines.join('');
    for (const secret of [CLIENT_SECRET, JWT, 'abc.def-123', 'other-secret', 'eyJhbGci']) {
      expect(text).not.toContain(secret);
    }
    const [first, second, third] = json();
    expect(first?.msg).toBe('token request failed: client_secret [redacted] rejected');
    expect(second?.msg).toBe('header Bearer [redacted]');
    expect(second?.detail).toBe('sent Authorization: Bearer [redacted] and then [redacted]');
    expect(third?.msg).toBe('body grant_type=client_credentials&client_secret=[redacted]&scope=x');
  });

  it('scrubs a secret that JSON escapes', () => {
    const secret = 'pa"ss\\word-42';
    const { logger, lines } = capture({ secrets: [secret] });
    logger.info({ note: `value ${secret}` }, 'escaped');
    expect(JSON.parse(lines[0] ?? '').note).toBe('value [redacted]');
  });

  it('redacts secret keys at the top level and one level down', () => {
    const { logger, json } = capture();
    logger.info(
      {
        headers: { authorization: 'Basic dXNlcjpwYXNz', accept: 'application/json' },
        apiToken: 'plain-token-value',
        config: { clientSecret: 'nested', client_secret: 'snake', password: 'pw', webhookUrl: 'https://x' },
        access_token: 'at',
      },
      'redaction',
    );
    const [line] = json();
    expect(line).toMatchObject({
      headers: { authorization: '[redacted]', accept: 'application/json' },
      apiToken: '[redacted]',
      config: {
        clientSecret: '[redacted]',
        client_secret: '[redacted]',
        password: '[redacted]',
        webhookUrl: '[redacted]',
      },
      access_token: '[redacted]',
    });
  });

  it('binds run and employee context in child loggers', () => {
    const { logger, json } = capture();
    const run = runLogger(logger, 'run-1');
    employeeLogger(run, 'kari@example.no').warn('photo too large');
    run.info('run done');
    expect(json()).toMatchObject([
      { runId: 'run-1', employee: 'kari@example.no', msg: 'photo too large' },
      { runId: 'run-1', msg: 'run done' },
    ]);
    expect(json()[1]).not.toHaveProperty('employee');
  });

  it('prints human lines when pretty, still scrubbed', () => {
    const { logger, lines } = capture({ pretty: true });
    logger.child({ runId: 'run-7' }).info(`using secret ${CLIENT_SECRET}`);
    const text = lines.join('');
    expect(() => JSON.parse(text)).toThrow();
    expect(text).toContain('INFO');
    expect(text).toContain('using secret [redacted]');
    expect(text).toContain('run-7');
    expect(text).not.toContain(CLIENT_SECRET);
  });
});
