import { normalizeSignatureHtml } from './exchange-signature-html.js';
import { findUser } from './find-user.js';
import { encodePhoto } from './photo-encode.js';
import { defaultFaultSettings, defaultThrottleSettings } from './seed.js';
import type {
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
 * The simulator's test control plane (`/_sim/...`). It has NO authentication on purpose: it is
 * for tests and demos, and the server binds to 127.0.0.1 only. Changes made here are
 * out-of-band (drift): they bypass auth and throttling, count no writes, and users' changes are
 * recorded for `/users/delta` like an admin's edit in the portal.
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
    apps: state.apps.map((a) => ({
      clientId: a.clientId,
      hasSecret: a.clientSecret !== undefined,
      hasCertificate: a.certificatePem !== undefined,
      graphPermissions: a.graphPermissions,
      exchangeManageAsApp: a.exchangeManageAsApp,
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

export function patchThrottle(state: SimState, patch: unknown): SimThrottleSettings {
  const optional = ['resourceUnitsPer10s', 'photoUploadBytesPer5min'];
  merge(state.throttle, defaultThrottleSettings(), patch, 'throttle patch', optional);
  return state.throttle;
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
