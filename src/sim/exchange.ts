import { createHash } from 'node:crypto';
import { exchangeCmdlets as cmdlets, exchangeError, type Cmdlet } from './exchange-cmdlets.js';
import { headerValue } from './graph-errors.js';
import { behaviourOf } from './seed.js';
import { mulberry32 } from './seeded-random.js';
import type { SimContext, SimRequest, SimResponse, SimRoute, SimState } from './types.js';

export { exchangeError } from './exchange-cmdlets.js';

/**
 * The Exchange admin REST endpoint the ExchangeOnlineManagement v3 module uses
 * (`POST /adminapi/beta/{tenant}/InvokeCommand`, see docs/microsoft-365.md#exo-invokecommand). Cmdlets:
 * https://learn.microsoft.com/powershell/module/exchange/get-mailboxmessageconfiguration
 * https://learn.microsoft.com/powershell/module/exchange/set-mailboxmessageconfiguration
 * https://learn.microsoft.com/powershell/module/exchange/get-organizationconfig
 * https://learn.microsoft.com/powershell/module/exchange/get-mailbox
 */
export const SYSTEM_MAILBOX_GUID = 'bb558c35-97f1-4cb9-8ff7-d53741dc928c';
const DEFAULT_PAGE_SIZE = 1000;

function typeError(req: SimRequest, name: string, expected: string): SimResponse {
  return exchangeError(
    req,
    400,
    'BadRequest',
    `Cannot process argument transformation on parameter '${name}'. Cannot convert value to type "${expected}".`,
    'System.Management.Automation.ParameterBindingArgumentTransformationException',
  );
}

/** Binds `Parameters` to a cmdlet's parameters the way PowerShell does: names case-insensitive. */
function bind(
  req: SimRequest,
  cmdlet: Cmdlet,
  raw: unknown,
): { params: Record<string, unknown> } | { error: SimResponse } {
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    return { error: exchangeError(req, 400, 'BadRequest', 'CmdletInput.Parameters must be an object.') };
  }
  const canonical = new Map(Object.keys(cmdlet.params).map((n) => [n.toLowerCase(), n]));
  const out: Record<string, unknown> = {};
  for (const [given, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const name = canonical.get(given.toLowerCase());
    if (!name) {
      const message = `A parameter cannot be found that matches parameter name '${given}'.`;
      return {
        error: exchangeError(
          req,
          400,
          'BadRequest',
          message,
          'System.Management.Automation.ParameterBindingException',
        ),
      };
    }
    const type = cmdlet.params[name];
    if (type === 'boolean' && typeof value !== 'boolean')
      return { error: typeError(req, name, 'System.Boolean') };
    if (type === 'string' && typeof value !== 'string' && !(value === null && name !== 'Identity')) {
      return { error: typeError(req, name, 'System.String') };
    }
    if (
      type === 'resultSize' &&
      !(value === 'Unlimited' || (Number.isInteger(value) && (value as number) > 0))
    ) {
      return { error: typeError(req, name, 'Microsoft.Exchange.Data.Unlimited`1[System.UInt32]') };
    }
    out[name] = value;
  }
  const missing = cmdlet.required.filter((n) => out[n] === undefined || out[n] === '');
  if (missing.length > 0) {
    const message = `Cannot process command because of one or more missing mandatory parameters: ${missing.join(' ')}.`;
    return {
      error: exchangeError(
        req,
        400,
        'BadRequest',
        message,
        'System.Management.Automation.ParameterBindingException',
      ),
    };
  }
  return { params: out };
}

function pageSize(req: SimRequest): number {
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(headerValue(req, 'prefer') ?? '');
  const n = m ? Number(m[1]) : DEFAULT_PAGE_SIZE;
  return n >= 1 ? n : DEFAULT_PAGE_SIZE;
}

/** The skip token binds the offset to the exact cmdlet input, so a nextLink only continues its own query. */
function inputHash(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 16);
}

function select(obj: Record<string, unknown>, fields: string[] | undefined): Record<string, unknown> {
  if (!fields) return obj;
  const wanted = new Set(fields.map((f) => f.toLowerCase()));
  return Object.fromEntries(Object.entries(obj).filter(([k]) => wanted.has(k.toLowerCase())));
}

const oddBodyDraws = new WeakMap<SimState, () => number>();

/**
 * Whether this successful answer goes out with an empty or a non-JSON body (`behaviour` shares,
 * drawn from the fault seed so a run repeats). The cmdlet has run either way.
 */
function oddBody(state: SimState): 'empty' | 'text' | undefined {
  const { exchangeEmptyBodyShare: empty, exchangeNonJsonBodyShare: text } = behaviourOf(state);
  if (empty <= 0 && text <= 0) return undefined;
  let draw = oddBodyDraws.get(state);
  if (!draw) {
    draw = mulberry32(state.faults.seed ^ 0x0ddb0d1e);
    oddBodyDraws.set(state, draw);
  }
  const r = draw();
  return r < empty ? 'empty' : r < empty + text ? 'text' : undefined;
}

/**
 * Checks the tenant segment and the body's type before any cmdlet runs. Each rule has a source:
 * - the tenant segment names the tenant (its id, or initial domain): docs/microsoft-365.md#exo-invokecommand;
 *   another tenant's is not found here (the 404 itself is the simulator's choice);
 * - `Content-Type: application/json` is part of the documented request model of the admin API's
 *   v2.0 endpoints, which take the same `CmdletInput` body (docs/microsoft-365.md#exo-admin-api-v2;
 *   the 415 is HTTP's status for it).
 *
 * `X-AnchorMailbox` is not checked: no source says it is required, and production clients send
 * several forms (`APP:SystemMailbox{…}@{tenant id}`, `UPN:SystemMailbox{…}@{domain}`, a user's UPN;
 * docs/microsoft-365.md#exo-anchor), so every form, and none, is accepted.
 */
function preflight(req: SimRequest, tenant: string, state: SimState): SimResponse | undefined {
  const t = tenant.toLowerCase();
  if (t !== state.tenantId.toLowerCase() && t !== state.tenantDomain.toLowerCase()) {
    return exchangeError(req, 404, 'NotFound', `Tenant '${tenant}' was not found.`);
  }
  if (!(headerValue(req, 'content-type') ?? '').toLowerCase().startsWith('application/json')) {
    return exchangeError(
      req,
      415,
      'UnsupportedMediaType',
      'The request Content-Type must be application/json.',
    );
  }
  return undefined;
}

async function invokeCommand(
  req: SimRequest,
  match: RegExpMatchArray,
  sim: SimContext,
): Promise<SimResponse> {
  const tenant = match[1] ?? '';
  const refused = preflight(req, tenant, sim.state);
  if (refused) return refused;
  let doc: { CmdletInput?: { CmdletName?: unknown; Parameters?: unknown } } | null;
  try {
    doc = JSON.parse(req.body.toString('utf8')) as typeof doc;
  } catch {
    return exchangeError(req, 400, 'BadRequest', 'The request body is not valid JSON.');
  }
  const input = doc?.CmdletInput;
  const name = typeof input?.CmdletName === 'string' ? input.CmdletName : '';
  const cmdletName = Object.keys(cmdlets).find((n) => n.toLowerCase() === name.toLowerCase());
  const cmdlet = cmdletName ? cmdlets[cmdletName] : undefined;
  if (!cmdlet || !cmdletName) {
    return exchangeError(
      req,
      400,
      'BadRequest',
      `The term '${name}' is not recognized as a name of a cmdlet, function, script file, or executable program.`,
      'System.Management.Automation.CommandNotFoundException',
    );
  }
  const bound = bind(req, cmdlet, input?.Parameters);
  if ('error' in bound) return bound.error;
  const params = bound.params;
  const result = cmdlet.run(params, { req, sim });
  if ('error' in result) return result.error;

  const fields = req.url.searchParams
    .get('$select')
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const base = `${sim.origin}/adminapi/beta/${encodeURIComponent(tenant)}`;
  let items = result.value;
  let nextLink: string | undefined;
  if (result.pageable) {
    const hash = inputHash({ n: cmdletName, p: params });
    const token = req.url.searchParams.get('$skiptoken');
    let offset = 0;
    if (token !== null) {
      const parsed = /^(\d+)\.([0-9a-f]{16})$/.exec(token);
      if (!parsed || parsed[2] !== hash || Number(parsed[1]) > items.length) {
        return exchangeError(req, 400, 'BadRequest', 'The $skiptoken is not valid for this request.');
      }
      offset = Number(parsed[1]);
    }
    const size = pageSize(req);
    if (offset + size < items.length) {
      const next = new URL(`${base}/InvokeCommand`);
      if (fields) next.searchParams.set('$select', fields.join(','));
      next.searchParams.set('$skiptoken', `${offset + size}.${hash}`);
      nextLink = next.toString();
    }
    items = items.slice(offset, offset + size);
  }
  const odd = oddBody(sim.state);
  if (odd === 'empty') return { status: 200, headers: { 'request-id': req.requestId } };
  if (odd === 'text') {
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'request-id': req.requestId },
      body: '<html><body>OK</body></html>',
    };
  }
  return {
    status: 200,
    headers: {
      'content-type': 'application/json; odata.metadata=minimal; charset=utf-8',
      'request-id': req.requestId,
    },
    body: {
      '@odata.context': `${base}/$metadata#Collection(Exchange.GenericHashTable)`,
      ...(result.warnings ? { '@adminapi.warnings': result.warnings } : {}),
      ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
      value: items.map((o) => select(o, fields)),
    },
  };
}

/** `POST /adminapi/beta/{tenant}/InvokeCommand`. Auth (Exchange.ManageAsApp) is the pipeline's. */
export const exchangeRoutes: SimRoute[] = [
  {
    service: 'exchange',
    method: 'POST',
    pattern: /^\/adminapi\/beta\/([^/]+)\/InvokeCommand$/i,
    name: '/adminapi/beta/{tenant}/InvokeCommand',
    handle: invokeCommand,
  },
];
