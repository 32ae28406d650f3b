import { RemoteApiError } from '../../errors/roster-error.js';
import { REQUESTS } from '../../http/api-limiters.js';
import type { HttpClient, HttpResponse } from '../../http/http-client.js';

/** The anchor app-only callers send (docs/microsoft-365.md#exo-anchor). */
const SYSTEM_MAILBOX = 'SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}';
const MAX_MESSAGE = 500;

/** What a cmdlet returned, all pages joined, with the service's warnings. */
export interface CmdletResult {
  value: Record<string, unknown>[];
  warnings: string[];
}

/** Options of one cmdlet call. */
export interface InvokeOptions {
  /** Properties to return (`?$select=`), to keep responses small. */
  select?: string[];
  /** Per-key concurrency (the mailbox the cmdlet touches). */
  key?: string;
}

/** Runs Exchange Online cmdlets through the admin REST endpoint. */
export interface ExchangeClient {
  invoke(cmdlet: string, parameters: Record<string, unknown>, options?: InvokeOptions): Promise<CmdletResult>;
}

/** Where the tenant lives: GUID (or initial domain) for the URL, the initial domain for the anchor. */
export interface ExchangeTenant {
  id: string;
  domain: string;
}

/**
 * `POST {base}/adminapi/beta/{tenant}/InvokeCommand`, the endpoint the ExchangeOnlineManagement v3
 * module uses (undocumented; see docs/microsoft-365.md#exo-invokecommand). Every cmdlet Roster runs is a
 * Get- or a Set- of absolute values, so calls are retried like idempotent ones.
 */
export function createExchangeClient(http: HttpClient, tenant: ExchangeTenant): ExchangeClient {
  const url = `adminapi/beta/${encodeURIComponent(tenant.id)}/InvokeCommand`;
  return {
    async invoke(cmdlet, parameters, options = {}) {
      const body = { CmdletInput: { CmdletName: cmdlet, Parameters: parameters } };
      const value: Record<string, unknown>[] = [];
      const warnings: string[] = [];
      let next: string | undefined = options.select ? `${url}?$select=${options.select.join(',')}` : url;
      while (next) {
        const res = await http.send({
          method: 'POST',
          url: next,
          json: body,
          idempotent: true,
          cost: { [REQUESTS]: 1 },
          ...(options.key !== undefined ? { key: options.key } : {}),
          headers: {
            'x-anchormailbox': `APP:${SYSTEM_MAILBOX}@${tenant.domain}`,
            'x-cmdletname': cmdlet,
            'x-responseformat': 'json',
            prefer: 'odata.maxpagesize=1000',
          },
          logFields: { cmdlet },
        });
        if (res.status < 200 || res.status > 299) throw exchangeError(cmdlet, res);
        const page = JSON.parse(res.body.toString('utf8')) as {
          value?: Record<string, unknown>[];
          '@odata.nextLink'?: string;
          '@adminapi.warnings'?: unknown;
        };
        value.push(...(page.value ?? []));
        const w = page['@adminapi.warnings'];
        if (Array.isArray(w)) warnings.push(...w.filter((x): x is string => typeof x === 'string'));
        next = page['@odata.nextLink'];
      }
      return { value, warnings };
    },
  };
}

interface ExchangeErrorBody {
  error?: {
    code?: unknown;
    message?: unknown;
    details?: { message?: unknown }[];
    innererror?: { internalException?: { message?: unknown } };
  };
}

/**
 * Exchange puts the useful text in different places: the innermost exception, the details, the
 * top-level message — or a plain-text body ("You have reached the maximum number of concurrent
 * requests per tenant").
 */
export function exchangeError(cmdlet: string, res: HttpResponse): RemoteApiError {
  const text = res.body.toString('utf8').trim();
  let code: string | undefined;
  let message: string | undefined;
  try {
    const err = (JSON.parse(text) as ExchangeErrorBody).error;
    if (err) {
      if (typeof err.code === 'string') code = err.code;
      const candidates = [err.innererror?.internalException?.message, err.details?.[0]?.message, err.message];
      message = candidates.find((m): m is string => typeof m === 'string' && m !== '');
    }
  } catch {
    // Not JSON: the plain text is the message.
  }
  if (message === undefined && text !== '' && !text.startsWith('{')) message = text;
  const summary = `${res.status}${code ? ` ${code}` : ''}${message ? `: ${message.slice(0, MAX_MESSAGE)}` : ''}`;
  return new RemoteApiError(
    'exchange',
    res.status,
    code,
    `exchange ${cmdlet}: ${summary} (request-id ${res.requestId})`,
    res.requestId,
  );
}
