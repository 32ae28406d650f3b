import { ExchangeGate, type ExchangeAdmission } from './exchange-gate.js';
import { graphError } from './graph-errors.js';
import { hiddenBudget } from './hidden-budget.js';
import { retryAfterHeader } from './retry-after.js';
import { mulberry32 } from './seeded-random.js';
import { SubLimitThrottle } from './sub-limit-throttle.js';
import { bucketFor, hasTokens, usage, waitMs, type Bucket, type BucketLimit } from './token-bucket.js';
import type { SimContext, SimRequest, SimResponse, SimRoute, SimState, SimThrottle } from './types.js';

export { resourceUnitBudget } from './hidden-budget.js';
export { budgetFloor, throttleFloor, throttleFloorMs } from './throttle-floor.js';
export type { ThrottleFloor, ThrottleLimitName, ThrottleWorkload } from './throttle-floor.js';

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
const UPLOAD_METHODS = new Set(['PUT', 'PATCH']);
/** `GET /users` and `/users/delta` pages cost 2 RU (delta is a list of users too: the stricter reading). */
const USER_LIST_PATH = /^\/(?:v1\.0|beta)\/users(?:\/delta(?:\(\))?)?\/?$/i;
const BATCH_PATH = /^\/(?:v1\.0|beta)\/\$batch\/?$/i;
const EXCHANGE_BATCH_PATH = /^\/adminapi\/beta\/[^/]+\/\$batch\/?$/i;
/** Above this share of a budget, Graph adds `x-ms-throttle-limit-percentage` (0.8 … 1.8). */
const WARN_USAGE = 0.8;

/** What `admit` charged a request, for `release` and `responseHeaders`. */
type Admission =
  | { kind: 'identity'; cost: number; usage: number }
  | { kind: 'outlook'; key: string; held: boolean }
  | ExchangeAdmission;

/**
 * Microsoft's documented throttling, per limit a token bucket scaled by `timeScale`:
 * - identity and access (users): resource units per 10 s by tenant size and 3,000 writes per
 *   150 s, per app + tenant (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits);
 * - Outlook-backed routes (photos): per app + mailbox 4 concurrent, 10,000 requests per 10 min,
 *   150 MB uploaded per 5 min (https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits);
 * - the Exchange admin API: a hidden budget per tenant, drawn per simulator start (Microsoft
 *   publishes none: docs/microsoft-365.md#unpublished-exchange-limits; `exchange-gate.ts`,
 *   `hidden-budget.ts`);
 * - now and then a 429 below every limit (`sub-limit-throttle.ts`).
 * A throttled request does not get its cost charged, but it is charged one unit: "immediate
 * retries count against you" (https://learn.microsoft.com/graph/throttling), the stricter reading.
 * The Graph budgets may be drawn below the published ones (`drawGraphBudget`).
 */
export class Throttler implements SimThrottle {
  private readonly state: SimState;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly buckets = new Map<string, Bucket>();
  private readonly inFlight = new Map<string, number>();
  private readonly admissions = new WeakMap<SimRequest, Admission>();
  private readonly exchange: ExchangeGate;
  private readonly subLimit: SubLimitThrottle;

  /** Takes the state and clock, or a simulator context that has both. */
  constructor(source: SimState | SimContext, now?: () => number) {
    if ('state' in source) {
      this.state = source.state;
      this.now = now ?? (() => source.now());
    } else {
      this.state = source;
      this.now = now ?? Date.now;
    }
    this.random = mulberry32((this.state.faults?.seed ?? 0) ^ 0x7407_7e11);
    const retryAfter = (wait: number) => this.retryAfter(wait);
    this.exchange = new ExchangeGate({ state: this.state, now: () => this.now(), retryAfter });
    this.subLimit = new SubLimitThrottle(this.state);
  }

  admit(req: SimRequest, route: SimRoute, _sim?: SimContext): SimResponse | undefined {
    if (route.service !== 'exchange' && route.service !== 'graph') return undefined;
    // A `$batch` envelope is free; each inner request is admitted on its own.
    if (route.envelope || BATCH_PATH.test(req.path) || EXCHANGE_BATCH_PATH.test(req.path)) return undefined;
    const spurious = this.subLimit.admit(req, route.service);
    if (spurious) return spurious;
    if (route.service === 'exchange') {
      const out = this.exchange.admit(req);
      if ('status' in out) return out;
      this.admissions.set(req, out);
      return undefined;
    }
    if (route.outlookBacked) return this.admitOutlook(req, route);
    return this.admitIdentity(req);
  }

  release(req: SimRequest, _route?: SimRoute): void {
    const admission = this.admissions.get(req);
    if (admission?.kind === 'exchange') this.exchange.release(admission);
    if (admission?.kind !== 'outlook' || !admission.held) return;
    admission.held = false;
    this.inFlight.set(admission.key, Math.max(0, (this.inFlight.get(admission.key) ?? 0) - 1));
  }

  responseHeaders(req: SimRequest, _route?: SimRoute): Record<string, string> {
    const admission = this.admissions.get(req);
    if (admission?.kind === 'identity') {
      return { 'x-ms-resource-unit': String(admission.cost), ...percentageHeader(admission.usage) };
    }
    if (admission?.kind === 'exchange') return admission.headers;
    return {};
  }

  private admitIdentity(req: SimRequest): SimResponse | undefined {
    const s = this.state.throttle;
    const now = this.now();
    const appId = appIdOf(req);
    const cost = resourceUnitCost(req);
    const isWrite = WRITE_METHODS.has(req.method.toUpperCase());
    const graph = hiddenBudget(s, this.state.users.size).graph;
    const ruLimit = this.limit(graph.resourceUnitsPer10s, 10_000);
    const writeLimit = this.limit(graph.writesPer150s, 150_000);
    const ru = bucketFor(this.buckets, `ru/${appId}/${this.state.tenantId}`, ruLimit, now);
    const writes = bucketFor(this.buckets, `write/${appId}/${this.state.tenantId}`, writeLimit, now);
    if (!s.enabled) {
      this.state.stats.resourceUnits += cost;
      this.admissions.set(req, { kind: 'identity', cost, usage: 0 });
      return undefined;
    }
    const ruShort = !hasTokens(ru, cost);
    const writeShort = isWrite && !hasTokens(writes, 1);
    if (ruShort || writeShort) {
      ru.tokens -= 1;
      this.state.stats.resourceUnits += 1;
      this.state.stats.throttled += 1;
      const wait = Math.max(waitMs(ru, ruLimit, cost), isWrite ? waitMs(writes, writeLimit, 1) : 0);
      const [limit, information] = ruShort
        ? ['ReadWrite', 'ResourceUnitLimitExceeded']
        : ['Write', 'WriteLimitExceeded'];
      const percentage = Math.max(usage(ru, ruLimit), isWrite ? usage(writes, writeLimit) : 0);
      return graphError(req, 429, 'TooManyRequests', 'Please retry again later.', {
        ...this.retryAfter(wait),
        'x-ms-throttle-scope': `Tenant_Application/${limit}/${appId}/${this.state.tenantId}`,
        'x-ms-throttle-information': information,
        'x-ms-resource-unit': '1',
        ...percentageHeader(percentage),
      });
    }
    ru.tokens -= cost;
    if (isWrite) writes.tokens -= 1;
    this.state.stats.resourceUnits += cost;
    const percentage = Math.max(usage(ru, ruLimit), isWrite ? usage(writes, writeLimit) : 0);
    this.admissions.set(req, { kind: 'identity', cost, usage: percentage });
    return undefined;
  }

  private admitOutlook(req: SimRequest, route: SimRoute): SimResponse | undefined {
    const match = route.pattern.exec(req.path);
    const mailbox = match && (route.mailboxOf ? route.mailboxOf(match, this.state) : match[1]);
    // No such mailbox: the route answers 404 and no mailbox budget applies.
    if (!mailbox) return undefined;
    const s = this.state.throttle;
    const now = this.now();
    const key = `outlook/${appIdOf(req)}/${mailbox.toLowerCase()}`;
    const requestLimit = this.limit(s.photoRequestsPer10min, 600_000);
    const bytesLimit = this.limit(
      hiddenBudget(s, this.state.users.size).graph.photoUploadBytesPer5min,
      300_000,
    );
    const requests = bucketFor(this.buckets, `${key}/requests`, requestLimit, now);
    const bytes = bucketFor(this.buckets, `${key}/bytes`, bytesLimit, now);
    // Photo uploads are PUT, or PATCH ("either PATCH or PUT … in version 1.0").
    const upload = UPLOAD_METHODS.has(req.method.toUpperCase()) ? req.body.length : 0;
    const running = this.inFlight.get(key) ?? 0;
    if (s.enabled) {
      let refusal: { information: string; message: string; wait: number } | undefined;
      if (running >= s.photoConcurrencyPerMailbox) {
        // Concurrency frees up when a running request ends; one (scaled) second is a fair hint.
        refusal = {
          information: 'MailboxConcurrency',
          message: 'Application is over its MailboxConcurrency limit.',
          wait: 1_000 * s.timeScale,
        };
      } else if (!hasTokens(requests, 1)) {
        refusal = {
          information: 'MailboxRequestLimitExceeded',
          message: 'Application is over its request limit for this mailbox.',
          wait: 0,
        };
      } else if (upload > 0 && !hasTokens(bytes, upload)) {
        refusal = {
          information: 'MailboxUploadLimitExceeded',
          message: 'Application is over its upload limit for this mailbox.',
          wait: waitMs(bytes, bytesLimit, upload),
        };
      }
      if (refusal) {
        requests.tokens -= 1;
        this.state.stats.throttled += 1;
        const wait = Math.max(refusal.wait, waitMs(requests, requestLimit, 1));
        return graphError(req, 429, 'TooManyRequests', refusal.message, {
          ...this.retryAfter(wait),
          'x-ms-throttle-information': refusal.information,
        });
      }
      requests.tokens -= 1;
      bytes.tokens -= upload;
    }
    this.inFlight.set(key, running + 1);
    const stats = this.state.stats.maxPhotoConcurrencyPerMailbox;
    stats.set(mailbox, Math.max(stats.get(mailbox) ?? 0, running + 1));
    this.admissions.set(req, { kind: 'outlook', key, held: true });
    return undefined;
  }

  /** A budget per window, the window shrunk by `timeScale` (budgets stay the same). */
  private limit(capacity: number, windowMs: number): BucketLimit {
    return { capacity, windowMs: windowMs * this.state.throttle.timeScale };
  }

  private retryAfter(wait: number): Record<string, string> {
    const s = this.state.throttle;
    return retryAfterHeader(wait / 1000, s.timeScale, this.random(), s);
  }
}

/**
 * Resource units of one identity request: `GET /users` (list) 2, other GET 1, writes 1;
 * `$select` −1, `$expand` +1, `$top` < 20 −1; never below 1.
 * https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits
 */
export function resourceUnitCost(req: Pick<SimRequest, 'method' | 'path' | 'url'>): number {
  const method = req.method.toUpperCase();
  let cost = method === 'GET' && USER_LIST_PATH.test(req.path) ? 2 : 1;
  const query = queryOptions(req.url);
  if (query.has('$select')) cost -= 1;
  if (query.has('$expand')) cost += 1;
  const top = Number(query.get('$top'));
  if (query.has('$top') && Number.isFinite(top) && top < 20) cost -= 1;
  return Math.max(1, cost);
}

/** System query options by lower-case name (OData names are case-insensitive). */
function queryOptions(url: URL): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    if (key.startsWith('$')) out.set(key.toLowerCase(), value);
  }
  return out;
}

function appIdOf(req: SimRequest): string {
  return req.app?.clientId ?? 'anonymous';
}

function percentageHeader(share: number): Record<string, string> {
  if (!(share > WARN_USAGE)) return {};
  return { 'x-ms-throttle-limit-percentage': String(Math.round(Math.min(1.8, share) * 100) / 100) };
}
