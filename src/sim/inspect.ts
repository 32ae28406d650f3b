import { normalizeSignatureHtml } from './exchange-signature-html.js';
import { findUser } from './find-user.js';
import { hiddenBudget, type SimHiddenBudget } from './hidden-budget.js';
import { encodePhoto } from './photo-encode.js';
import { defaultFaultSettings, defaultThrottleSettings } from './seed.js';
import type {
  SimExchangeBudget,
  SimFaultSettings,
  SimMailboxMessageConfiguration,
  SimOrganizationConfig,
  SimRequest,
  SimResponse,
  SimRoute,
  SimState,
  SimThrottleSettings,
  SimUser,
} from './types.js';
import { applyUserPatch, deleteUserOutOfBand } from './user-patch.js';

/**
 * The simulator's test control plane (`/_sim/...`), served on a listener of its own
 * (`control-plane.ts`), never on the service origin a client is given. It has NO authentication on
 * purpose: it is for tests, the demo and the benchmark, and binds to 127.0.0.1 only. It shows what
 * the service hides (the drawn budget). Changes made here are out-of-band (drift): they bypass
 * auth and throttling, count no writes, and users' changes are recorded for `/users/delta` like
 * an admin's edit in the portal.
 */
export interface SimControl {
  readonly state: SimState;
  now(): number;
  /** Moves the simulator's clock forward; returns the new time (epoch ms). */
  advanceClock(ms: number): number;
}

/** A refused control operation: HTTP status and a message. */
export class SimControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SimControlError';
  }
}

/** The state as JSON: users, photo metadata (no bytes), mailbox configs, org config; no secrets. */
export function stateSnapshot(state: SimState) {
  return {
    tenantId: state.tenantId,
    tenantDomain: state.tenantDomain,
    domains: state.domains,
    unverifiedDomains: state.unverifiedDomains ?? [],
    apps: state.apps.map((a) => ({
      clientId: a.clientId,
      hasSecret: a.clientSecret !== undefined,
      hasCertificate: a.certificatePem !== undefined,
      graphPermissions: a.graphPermissions,
      exchangeManageAsApp: a.exchangeManageAsApp,
      exchangeRole: a.exchangeRole !== false,
    })),
    users: [...state.users.values()],
    photos: Object.fromEntries(
      [...state.photos].map(([id, p]) => [
        id,
        { contentType: p.contentType, width: p.width, height: p.height, etag: p.etag, size: p.bytes.length },
      ]),
    ),
    mailboxConfig: Object.fromEntries(state.mailboxConfig),
    organizationConfig: state.organizationConfig,
    changes: state.changes.length,
    nextSeq: state.nextSeq,
    tokenLifetimeSeconds: state.tokenLifetimeSeconds,
    throttle: state.throttle,
    faults: state.faults,
  };
}

export function statsSnapshot(state: SimState) {
  const s = state.stats;
  return {
    requests: Object.fromEntries(s.requests),
    throttled: s.throttled,
    writesPerUser: Object.fromEntries(s.writesPerUser),
    maxPhotoConcurrencyPerMailbox: Object.fromEntries(s.maxPhotoConcurrencyPerMailbox),
    maxExchangeConcurrency: s.maxExchangeConcurrency,
    resourceUnits: s.resourceUnits,
    subLimitThrottled: s.subLimitThrottled,
  };
}

export function resetStats(state: SimState): void {
  const s = state.stats;
  s.requests.clear();
  s.writesPerUser.clear();
  s.maxPhotoConcurrencyPerMailbox.clear();
  s.throttled = 0;
  s.maxExchangeConcurrency = 0;
  s.resourceUnits = 0;
  s.subLimitThrottled = 0;
}

function userOrThrow(state: SimState, idOrUpn: string): SimUser {
  const user = findUser(state, idOrUpn);
  if (!user) throw new SimControlError(404, `no user '${idOrUpn}'`);
  return user;
}

function plainObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SimControlError(400, `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Merges `patch` into `target`, each key of the template's type; `optional` keys may be null (removed). */
function merge(
  target: object,
  template: object,
  patch: unknown,
  what: string,
  optional: string[] = [],
): void {
  const t = target as Record<string, unknown>;
  const tpl = template as Record<string, unknown>;
  const entries = Object.entries(plainObject(patch, what));
  for (const [key, value] of entries) {
    const known = key in tpl || optional.includes(key);
    if (!known) throw new SimControlError(400, `${what}: unknown key '${key}'`);
    if (value === null && optional.includes(key)) continue;
    const expected = key in tpl ? (Array.isArray(tpl[key]) ? 'array' : typeof tpl[key]) : 'number';
    const actual = Array.isArray(value) ? 'array' : typeof value;
    if (actual !== expected) throw new SimControlError(400, `${what}: '${key}' must be a ${expected}`);
  }
  for (const [key, value] of entries) {
    if (value === null) delete t[key];
    else t[key] = value;
  }
}

/** An out-of-band edit of a user's properties (drift), recorded for delta. */
export function patchUser(state: SimState, idOrUpn: string, patch: unknown): string[] {
  const user = userOrThrow(state, idOrUpn);
  const result = applyUserPatch(state, user.id, plainObject(patch, 'user patch'), { outOfBand: true });
  if (!result.ok) throw new SimControlError(result.status, result.message);
  return result.changed;
}

export function deleteUser(state: SimState, idOrUpn: string, permanent = false): void {
  const user = userOrThrow(state, idOrUpn);
  deleteUserOutOfBand(state, user.id, { permanent });
}

/** An out-of-band `Set-MailboxMessageConfiguration` (the service's HTML normalisation applies). */
export function patchMailbox(
  state: SimState,
  idOrUpn: string,
  patch: unknown,
): SimMailboxMessageConfiguration {
  const user = userOrThrow(state, idOrUpn);
  const config = state.mailboxConfig.get(user.id);
  if (!user.hasMailbox || !config) throw new SimControlError(404, `user '${idOrUpn}' has no mailbox`);
  merge(config, config, patch, 'mailbox patch');
  config.SignatureHtml = normalizeSignatureHtml(config.SignatureHtml);
  return config;
}

/** An out-of-band photo upload: stored re-encoded, as the service does. */
export async function putPhoto(state: SimState, idOrUpn: string, bytes: Buffer): Promise<void> {
  const user = userOrThrow(state, idOrUpn);
  try {
    state.photos.set(user.id, await encodePhoto(bytes));
  } catch {
    throw new SimControlError(400, 'the body is not an image');
  }
}

export function deletePhoto(state: SimState, idOrUpn: string): void {
  const user = userOrThrow(state, idOrUpn);
  if (!state.photos.delete(user.id)) throw new SimControlError(404, `user '${idOrUpn}' has no photo`);
}

export function patchOrganizationConfig(state: SimState, patch: unknown): SimOrganizationConfig {
  merge(state.organizationConfig, state.organizationConfig, patch, 'organization config patch');
  return state.organizationConfig;
}

export function patchFaults(state: SimState, patch: unknown): SimFaultSettings {
  merge(state.faults, defaultFaultSettings(), patch, 'faults patch', [
    'tokenOutageUntil',
    'retryAfterSeconds',
  ]);
  return state.faults;
}

/** Field types of an explicit Exchange budget, for checking patches. */
const EXCHANGE_TEMPLATE: SimExchangeBudget = {
  shape: 'token-bucket',
  requests: 1,
  windowSeconds: 1,
  concurrency: 1,
  rateLimitHeaders: true,
  retryAfter: true,
};

/** The Exchange part of a throttle patch: fields set explicitly, `null` hands a field back to the draw. */
function patchedExchange(current: Partial<SimExchangeBudget> | undefined, patch: unknown) {
  const next: Partial<SimExchangeBudget> = { ...current };
  merge(next, EXCHANGE_TEMPLATE, patch, 'throttle patch: exchange', Object.keys(EXCHANGE_TEMPLATE));
  if (next.shape !== undefined && next.shape !== 'token-bucket' && next.shape !== 'fixed-window') {
    throw new SimControlError(400, "throttle patch: exchange: 'shape' must be token-bucket or fixed-window");
  }
  for (const key of ['requests', 'windowSeconds', 'concurrency'] as const) {
    const value = next[key];
    if (value !== undefined && !(value > 0)) {
      throw new SimControlError(400, `throttle patch: exchange: '${key}' must be above 0`);
    }
  }
  return next;
}

/** Changes throttling at runtime; `exchange` fields replace the drawn ones (tests that need exact numbers). */
export function patchThrottle(state: SimState, patch: unknown): SimThrottleSettings {
  const { exchange, ...rest } = plainObject(patch, 'throttle patch');
  const nextExchange =
    exchange === undefined || exchange === null
      ? exchange
      : patchedExchange(state.throttle.exchange, exchange);
  const rate = rest.subLimit429Rate;
  if (rate !== undefined && (typeof rate !== 'number' || !(rate >= 0 && rate <= 1))) {
    throw new SimControlError(400, "throttle patch: 'subLimit429Rate' must be a number from 0 to 1");
  }
  const optional = [
    'resourceUnitsPer10s',
    'photoUploadBytesPer5min',
    'exchangeRequestsPerMinute',
    'exchangeConcurrency',
  ];
  merge(state.throttle, defaultThrottleSettings(), rest, 'throttle patch', optional);
  if (nextExchange === null) delete state.throttle.exchange;
  else if (nextExchange !== undefined) state.throttle.exchange = nextExchange;
  return state.throttle;
}

/** The budget in effect, drawn or explicit: for the bench and tests, never for Roster. */
export function budgetSnapshot(state: SimState): SimHiddenBudget {
  return hiddenBudget(state.throttle, state.users.size);
}

function ok(body: unknown, status = 200): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body,
  };
}

function jsonBody(req: SimRequest): unknown {
  try {
    return JSON.parse(req.body.toString('utf8') || '{}');
  } catch {
    throw new SimControlError(400, 'the body is not JSON');
  }
}

function route(
  method: string,
  pattern: RegExp,
  name: string,
  run: (req: SimRequest, m: RegExpMatchArray) => unknown,
): SimRoute {
  return {
    service: 'inspect',
    method,
    pattern,
    name,
    async handle(req, m) {
      try {
        const out = await run(req, m);
        return out === undefined ? { status: 204 } : ok(out);
      } catch (error) {
        if (error instanceof SimControlError) return ok({ error: error.message }, error.status);
        throw error;
      }
    },
  };
}

/** The `/_sim` routes, over the same operations the Simulator object exposes. */
export function inspectRoutes(control: SimControl): SimRoute[] {
  const { state } = control;
  const id = (m: RegExpMatchArray) => m[1] ?? '';
  return [
    route('GET', /^\/_sim\/state$/, '/_sim/state', () => stateSnapshot(state)),
    route('GET', /^\/_sim\/stats$/, '/_sim/stats', () => statsSnapshot(state)),
    route('POST', /^\/_sim\/stats\/reset$/, '/_sim/stats/reset', () => resetStats(state)),
    route('PATCH', /^\/_sim\/users\/([^/]+)$/, '/_sim/users/{id}', (req, m) => ({
      changed: patchUser(state, id(m), jsonBody(req)),
    })),
    route('DELETE', /^\/_sim\/users\/([^/]+)$/, '/_sim/users/{id}', (req, m) =>
      deleteUser(state, id(m), req.url.searchParams.get('permanent') === 'true'),
    ),
    route('PATCH', /^\/_sim\/mailboxes\/([^/]+)$/, '/_sim/mailboxes/{id}', (req, m) =>
      patchMailbox(state, id(m), jsonBody(req)),
    ),
    route('PUT', /^\/_sim\/photos\/([^/]+)$/, '/_sim/photos/{id}', (req, m) =>
      putPhoto(state, id(m), req.body),
    ),
    route('DELETE', /^\/_sim\/photos\/([^/]+)$/, '/_sim/photos/{id}', (_req, m) => deletePhoto(state, id(m))),
    route('PATCH', /^\/_sim\/org$/, '/_sim/org', (req) => patchOrganizationConfig(state, jsonBody(req))),
    route('PATCH', /^\/_sim\/faults$/, '/_sim/faults', (req) => patchFaults(state, jsonBody(req))),
    route('PATCH', /^\/_sim\/throttle$/, '/_sim/throttle', (req) => patchThrottle(state, jsonBody(req))),
    route('GET', /^\/_sim\/budget$/, '/_sim/budget', () => budgetSnapshot(state)),
    route('GET', /^\/_sim\/clock$/, '/_sim/clock', () => ({ now: control.now() })),
    route('POST', /^\/_sim\/clock$/, '/_sim/clock', (req) => {
      const { advanceMs } = plainObject(jsonBody(req), 'clock');
      if (typeof advanceMs !== 'number' || !Number.isFinite(advanceMs) || advanceMs < 0) {
        throw new SimControlError(400, "clock: 'advanceMs' must be a non-negative number");
      }
      return { now: control.advanceClock(advanceMs) };
    }),
  ];
}
