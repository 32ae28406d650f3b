import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../http/http-client.js';
import { graphError } from '../graph/graph-response.js';
import { exchangeError } from './exchange-client.js';

function response(status: number, body: string): HttpResponse {
  return {
    status,
    headers: new Headers(),
    body: Buffer.from(body),
    requestId: 'req-1',
    retries: 0,
    pace: () => undefined,
  };
}

describe('exchangeError', () => {
  it('prefers the innermost exception message of the JSON envelope', () => {
    const body = JSON.stringify({
      error: {
        code: 'BadRequest',
        message: 'outer',
        details: [{ message: 'detail' }],
        innererror: { internalException: { message: 'inner text' } },
      },
    });
    expect(exchangeError('Set-MailboxMessageConfiguration', response(400, body))).toMatchObject({
      service: 'exchange',
      status: 400,
      errorCode: 'BadRequest',
      requestId: 'req-1',
      message: 'exchange Set-MailboxMessageConfiguration: 400 BadRequest: inner text (request-id req-1)',
    });
    const detailsOnly = JSON.stringify({
      error: { code: 'X', message: '', details: [{ message: 'detail' }] },
    });
    expect(exchangeError('Get-OrganizationConfig', response(500, detailsOnly)).message).toBe(
      'exchange Get-OrganizationConfig: 500 X: detail (request-id req-1)',
    );
  });

  it('uses a plain-text body as the message', () => {
    const text =
      'You have reached the maximum number of concurrent requests per tenant. Please wait and try again.';
    expect(exchangeError('Get-MailboxMessageConfiguration', response(429, text)).message).toBe(
      `exchange Get-MailboxMessageConfiguration: 429: ${text} (request-id req-1)`,
    );
    expect(exchangeError('Get-OrganizationConfig', response(502, '')).message).toBe(
      'exchange Get-OrganizationConfig: 502 (request-id req-1)',
    );
  });
});

describe('graphError', () => {
  it('reads the envelope, falls back to the inner request id, and keeps plain text', () => {
    const body = {
      error: { code: 'Request_ResourceNotFound', message: 'gone', innerError: { 'request-id': 'inner-1' } },
    };
    expect(graphError('GET', '/v1.0/users/x', 404, body, undefined)).toMatchObject({
      errorCode: 'Request_ResourceNotFound',
      requestId: 'inner-1',
      message: 'graph GET /v1.0/users/x: 404 Request_ResourceNotFound: gone (request-id inner-1)',
    });
    expect(graphError('GET', '/v1.0/users', 502, 'Bad Gateway', 'r2').message).toBe(
      'graph GET /v1.0/users: 502: Bad Gateway (request-id r2)',
    );
  });
});
