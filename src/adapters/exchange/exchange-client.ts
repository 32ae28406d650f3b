import { REQUESTS } from '../../http/api-limiters.js';
import type { HttpClient, HttpResponse } from '../../http/http-client.js';
import { checkShape, malformed, responseShape, tryParseJson, type Endpoint } from '../response-shape.js';
import { exchangeError } from './exchange-error.js';

export { exchangeError } from './exchange-error.js';

/** The anchor app-only callers send (docs/microsoft-365.md#exo-anchor). */
const SYSTEM_MAILBOX = 'SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}';

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

interface CmdletPage {
  value?: Record<string, unknown>[];
  '@odata.nextLink'?: string;
  '@adminapi.warnings'?: string[];
}

/** One page of an `InvokeCommand` answer (docs/microsoft-365.md#exo-response). */
const CMDLET_PAGE = responseShape<CmdletPage>({
  type: 'object',
  properties: {
    value: { type: 'array', items: { type: 'object' } },
    '@odata.nextLink': { type: 'string', minLength: 1 },
    '@adminapi.warnings': { type: 'array', items: { type: 'string' } },
  },
});

/**
 * A 2xx page, checked. An empty or non-JSON 2xx body has no public source either way
 * (docs/microsoft-365.md#unpublished-other): a `Set-` cmdlet that answers so has done its work and
 * returned nothing; a `Get-` answered so has no answer, which fails that one call.
 */
function readPage(cmdlet: string, res: HttpResponse): CmdletPage {
  const endpoint: Endpoint = {
    service: 'exchange',
    method: 'POST',
    path: '/adminapi/beta/{tenant}/InvokeCommand',
    operation: cmdlet,
  };
  const parsed = tryParseJson(res.body);
  if (parsed === undefined) {
    if (/^set-/i.test(cmdlet)) return {};
    const empty = res.body.toString('utf8').trim() === '';
    throw malformed(
      endpoint,
      res.status,
      empty ? 'the body is empty' : 'the body is not JSON',
      res.requestId,
    );
  }
  const page = checkShape(endpoint, res.status, parsed, CMDLET_PAGE, res.requestId);
  if (!page.ok) throw page.error;
  return page.value;
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
        const page = readPage(cmdlet, res);
        value.push(...(page.value ?? []));
        warnings.push(...(page['@adminapi.warnings'] ?? []));
        next = page['@odata.nextLink'];
      }
      return { value, warnings };
    },
  };
}
