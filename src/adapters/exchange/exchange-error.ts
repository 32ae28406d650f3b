import { RemoteApiError } from '../../errors/roster-error.js';
import type { HttpResponse } from '../../http/http-client.js';
import { tryParseJson } from '../response-shape.js';

/** The longest service message kept in an error. */
const MAX_MESSAGE = 500;

interface ExchangeErrorBody {
  error?: {
    code?: unknown;
    message?: unknown;
    details?: { message?: unknown }[];
    innererror?: { internalException?: { message?: unknown } };
  };
}

/**
 * `{code}|{exception type}|{message}`, the form cmdlet errors take in `details[].message`
 * (docs/microsoft-365.md#exo-errors), e.g.
 * `Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation …`.
 */
const PIPE_FORM = /^([A-Za-z0-9]+)\|([A-Za-z_][\w.`]*)\|([\s\S]*)$/;

/**
 * Exchange puts the useful text in different places: the innermost exception, the details (in the
 * `code|type|message` form), the top-level message — or a plain-text body ("You have reached the
 * maximum number of concurrent requests per tenant"). The message shown is the human part; the
 * code and exception type of the pipe form become the error's code (else the envelope's `code`).
 */
export function exchangeError(cmdlet: string, res: HttpResponse): RemoteApiError {
  const text = res.body.toString('utf8').trim();
  let outer: string | undefined;
  let code: string | undefined;
  let message: string | undefined;
  const err = (tryParseJson(text) as ExchangeErrorBody | undefined)?.error;
  if (err && typeof err === 'object') {
    if (typeof err.code === 'string') outer = code = err.code;
    const candidates = [err.innererror?.internalException?.message, err.details?.[0]?.message, err.message];
    message = candidates.find((m): m is string => typeof m === 'string' && m !== '');
    const pipe = message === undefined ? null : PIPE_FORM.exec(message);
    if (pipe) {
      code = `${pipe[1]}|${pipe[2]}`;
      message = pipe[3]!.trim() || undefined;
    }
  } else if (text !== '' && !text.startsWith('{')) {
    message = text;
  }
  const summary = `${res.status}${outer ? ` ${outer}` : ''}${message ? `: ${message.slice(0, MAX_MESSAGE)}` : ''}`;
  return new RemoteApiError(
    'exchange',
    res.status,
    code,
    `exchange ${cmdlet}: ${summary} (request-id ${res.requestId})`,
    res.requestId,
  );
}
