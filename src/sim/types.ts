/**
 * Shared types of the tenant simulator. The simulator is a stand-in for Microsoft 365 and
 * imports nothing from the rest of Roster.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type SimService = 'identity' | 'graph' | 'exchange' | 'inspect';

/** An app registration: how it authenticates and what it was granted (admin consent). */
export interface SimApp {
  clientId: string;
  clientSecret?: string;
  /** PEM certificate whose key signs client assertions. */
  certificatePem?: string;
  /** Graph application permissions, e.g. `User.ReadWrite.All`, `ProfilePhoto.ReadWrite.All`. */
  graphPermissions: string[];
  /** The Office 365 Exchange Online application permission `Exchange.ManageAsApp` (in the token). */
  exchangeManageAsApp: boolean;
  /**
   * A supported Entra role (Exchange Administrator, …) or Exchange role group assigned to the
   * app's service principal: not in the token; without it Exchange refuses every cmdlet
   * (docs/microsoft-365.md#exo-role-check). Absent: granted.
   */
  exchangeRole?: boolean;
  /** Directory role template ids assigned to the app's service principal (photoUpdateSettings.allowedRoles). */
  directoryRoles?: string[];
}

export interface SimUser {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  department: string | null;
  officeLocation: string | null;
  mobilePhone: string | null;
  businessPhones: string[];
  companyName: string | null;
  employeeId: string | null;
  streetAddress: string | null;
  city: string | null;
  postalCode: string | null;
  country: string | null;
  preferredLanguage: string | null;
  proxyAddresses: string[];
  onPremisesSyncEnabled: boolean | null;
  accountEnabled: boolean;
  /** Holds an admin role: Graph refuses phone changes for such users. */
  isAdmin: boolean;
  /** Has an Exchange Online mailbox (signatures, photos stored there). */
  hasMailbox: boolean;
  /**
   * How this user's photo metadata reads while there is no photo: the documented 1×1 GIF
   * placeholder, or the observed 404 (docs/microsoft-365.md#graph-photo-none). Absent: drawn with
   * `behaviour.noPhotoPlaceholderShare`.
   */
  noPhoto?: 'placeholder' | 'not-found';
}

export interface SimPhoto {
  /** The bytes as the service stores them (re-encoded, not the uploaded bytes). */
  bytes: Buffer;
  contentType: 'image/jpeg';
  width: number;
  height: number;
  etag: string;
}

/** Properties of `Get-MailboxMessageConfiguration` the simulator keeps. */
export interface SimMailboxMessageConfiguration {
  SignatureHtml: string;
  SignatureText: string;
  SignatureTextOnMobile: string;
  AutoAddSignature: boolean;
  AutoAddSignatureOnReply: boolean;
  AutoAddSignatureOnMobile: boolean;
  UseDefaultSignatureOnMobile: boolean;
}

export interface SimOrganizationConfig {
  Name: string;
  PostponeRoamingSignaturesUntilLater: boolean;
}

/** How an Exchange budget refills: a bucket that starts full, or a count that resets per window. */
export type SimBudgetShape = 'token-bucket' | 'fixed-window';

/**
 * The Exchange admin API's budget per tenant. Microsoft publishes none, so the simulator draws it
 * from `budgetSeed` (hidden-budget.ts); Roster can only learn it by being throttled.
 */
export interface SimExchangeBudget {
  shape: SimBudgetShape;
  /** Requests admitted per window: the bucket's capacity, or each window's allowance. */
  requests: number;
  /** Window length in seconds before `timeScale` (1–60). */
  windowSeconds: number;
  /** Concurrent calls per tenant. */
  concurrency: number;
  /** Whether responses carry `Rate-Limit-Remaining` and `Rate-Limit-Reset`. */
  rateLimitHeaders: boolean;
  /** Whether a 429 carries `Retry-After` (then subject to the fractional/missing shares). */
  retryAfter: boolean;
}

/**
 * Throttling as documented (docs/microsoft-365.md#graph-throttling; the model in docs/simulator.md),
 * scaled by `timeScale`.
 */
export interface SimThrottleSettings {
  enabled: boolean;
  /** 1 = real time; 0.01 = windows 100× shorter (and budgets unchanged), for benchmarks. */
  timeScale: number;
  /** Override of the resource-unit budget per 10 s (else by tenant size: 3,500 / 5,000 / 8,000). */
  resourceUnitsPer10s?: number;
  writesPer150s: number;
  photoConcurrencyPerMailbox: number;
  photoRequestsPer10min: number;
  /** Outlook's upload budget per app + mailbox per 5 min (default 150 MB). */
  photoUploadBytesPer5min?: number;
  /** Seed of the hidden budget's draw (default 1). */
  budgetSeed?: number;
  /** Explicit Exchange budget fields; each replaces the drawn one. */
  exchange?: Partial<SimExchangeBudget>;
  /**
   * Shorthand for an explicit Exchange budget in the pre-draw model: a token bucket of this many
   * requests per 60 s, with rate headers and Retry-After (`exchange` still overrides fields).
   */
  exchangeRequestsPerMinute?: number;
  /** Shorthand for `exchange.concurrency` (with `exchangeRequestsPerMinute` alone: 3). */
  exchangeConcurrency?: number;
  /** Draw the Graph identity budgets at 50–100 % of the published ones (default false). */
  drawGraphBudget?: boolean;
  /** Share of admitted Graph/Exchange calls answered 429 anyway (default 0.005; 0 = none). */
  subLimit429Rate?: number;
  /**
   * Service time of each admitted Graph/Exchange call in ms before `timeScale` (default 0), spent
   * while the call holds its concurrency slot. `$batch` items each take it.
   */
  callLatencyMs?: number;
  /** Share of 429s that carry a fractional Retry-After, and that carry none. */
  fractionalRetryAfterShare: number;
  missingRetryAfterShare: number;
}

/** Reproducible faults (from `seed`). Rates are 0..1 per request. */
export interface SimFaultSettings {
  seed: number;
  latencyMs: number;
  jitterMs: number;
  spikeRate: number;
  spikeMs: number;
  rate429: number;
  rate503: number;
  rate500: number;
  rate504: number;
  /** Share answered 502 Bad Gateway (a gateway in front of the service failing; observed). */
  rate502?: number;
  dropRate: number;
  /** Retry-After of injected 429/503 responses, in seconds before `throttle.timeScale` (default 1). */
  retryAfterSeconds?: number;
  /** Token endpoint answers 503 while `now < tokenOutageUntil` (epoch ms). */
  tokenOutageUntil?: number;
  /** Which services the random faults apply to. */
  services: SimService[];
}

/**
 * How this tenant behaves where Microsoft's behaviour varies between tenants, or where only
 * production clients' observations (or nothing at all) describe it. Each default is the one
 * documented in `docs/microsoft-365.md`; a seed can choose another.
 */
export interface SimBehaviourSettings {
  /**
   * Share (0..1) of successful `InvokeCommand` answers sent with an empty body, and with a body
   * that is not JSON. No public source either way (docs/microsoft-365.md#unpublished-other):
   * off by default, for tests of a client's defences.
   */
  exchangeEmptyBodyShare: number;
  exchangeNonJsonBodyShare: number;
  /**
   * How an expired (7-day-old) delta token is refused: documented as a BadRequest with
   * `syncStateNotFound`, observed as `SyncStateNotFound` (docs/microsoft-365.md#graph-delta-reset).
   * Default `{ status: 400, code: 'SyncStateNotFound' }`.
   */
  expiredDeltaToken: { status: 400 | 410; code: string };
  /**
   * Share (0..1) of users without a photo whose photo metadata reads as the documented placeholder
   * (`200`, `image/gif`, empty etag, `1X1`) rather than the observed `404`; drawn per user from the
   * fault seed (a user's own `noPhoto` wins). Default 0.5: both shapes occur in every tenant.
   */
  noPhotoPlaceholderShare: number;
  /**
   * `GET /beta/admin/people/photoUpdateSettings` (docs/microsoft-365.md#graph-photo-settings):
   * `onPremises` refuses photo writes through Graph; a non-empty `allowedRoles` refuses them to
   * apps holding none of those roles. Default: `cloud`, no restriction.
   */
  photoUpdateSettings: { source: 'cloud' | 'onPremises'; allowedRoles: string[] };
  /**
   * How long a photo or signature write takes to show in reads (no published number:
   * docs/microsoft-365.md#unpublished-propagation). `drawn`: hidden maxima drawn from the budget
   * seed (propagation.ts), each write lagging a random share of its kind's; explicit maxima in ms
   * before `timeScale`; `off`: reads see a write at once.
   */
  propagation?: 'off' | 'drawn' | { photoMaxMs: number; signatureMaxMs: number };
}

/** One change of a user, for `/users/delta`. */
export interface SimChange {
  seq: number;
  userId: string;
  kind: 'changed' | 'deleted';
  properties: string[];
  /** For `deleted`: hard-deleted (delta says `reason: "deleted"`) rather than soft-deleted (`"changed"`). */
  permanent?: boolean;
}

export interface SimRequest {
  method: string;
  url: URL;
  /** Decoded path without query, e.g. `/v1.0/users/abc`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  requestId: string;
  /** The authenticated app (set by the server for graph/exchange routes). */
  app?: SimApp;
  /** True for an item of a `$batch` request. */
  inner?: boolean;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON value, raw bytes, or text; `undefined` for an empty body. */
  body?: unknown;
  /** Destroy the connection mid-response (fault injection). */
  drop?: boolean;
}

/** A route served by the simulator. Each module exports a list of these. */
export interface SimRoute {
  service: SimService;
  method: string;
  pattern: RegExp;
  /** Name in stats, e.g. `/v1.0/users/{id}` (default: the pattern's source). */
  name?: string;
  /** Graph permission(s) any one of which the app needs (403 otherwise). */
  permissions?: string[];
  /** A `$batch` envelope: free of budget and latency, its items are admitted one by one. */
  envelope?: boolean;
  /** Served by Exchange Online behind Graph (photos): Outlook's per-mailbox limits apply. */
  outlookBacked?: boolean;
  /** For outlook-backed routes: the mailbox (user id) a matched request targets, if it exists. */
  mailboxOf?(match: RegExpMatchArray, state: SimState): string | undefined;
  handle(req: SimRequest, match: RegExpMatchArray, sim: SimContext): SimResponse | Promise<SimResponse>;
}

/** What a route handler can reach. Implemented by the simulator. */
export interface SimContext {
  readonly state: SimState;
  /** The https origin the simulator serves, e.g. `https://127.0.0.1:4443`. */
  readonly origin: string;
  now(): number;
  /** Runs an inner request (of `$batch`) through auth, throttling and routing as if sent alone. */
  dispatch(req: SimRequest): Promise<SimResponse>;
}

export interface SimState {
  tenantId: string;
  tenantDomain: string;
  /** Other verified domains (mail domains). */
  domains: string[];
  /** Domains added to the tenant but not verified: listed by `GET /domains`, usable nowhere. */
  unverifiedDomains?: string[];
  apps: SimApp[];
  users: Map<string, SimUser>;
  photos: Map<string, SimPhoto>;
  mailboxConfig: Map<string, SimMailboxMessageConfiguration>;
  /** Entra ID security groups by (lower-case) id; absent in a state built by hand without any. */
  groups?: Map<string, SimGroup>;
  organizationConfig: SimOrganizationConfig;
  changes: SimChange[];
  nextSeq: number;
  /** Delta tokens issued before this change seq are refused with 410 Gone (forces a resync). */
  deltaResetBefore?: number;
  tokenLifetimeSeconds: number;
  throttle: SimThrottleSettings;
  faults: SimFaultSettings;
  /** Absent in a state built by hand: `behaviourOf` gives the defaults then. */
  behaviour?: SimBehaviourSettings;
  /** Counters for the inspection endpoint. */
  stats: SimStats;
}

/** A group: its members are user ids or the ids of nested groups. */
export interface SimGroup {
  id: string;
  displayName: string;
  members: string[];
}

export interface SimStats {
  /** `METHOD route-name status` → count, e.g. `PATCH /v1.0/users/{id} 204`. */
  requests: Map<string, number>;
  throttled: number;
  /** Writes per user id (PATCH, photo PUT/DELETE, Set-MailboxMessageConfiguration). */
  writesPerUser: Map<string, number>;
  maxPhotoConcurrencyPerMailbox: Map<string, number>;
  maxExchangeConcurrency: number;
  /** Resource units charged, and the time the first and last charged request arrived. */
  resourceUnits: number;
  /** 429s sent below the limits (`subLimit429Rate`), also counted in `throttled`. */
  subLimitThrottled: number;
  /**
   * Each `Set-MailboxMessageConfiguration` that changed a mailbox, in order, while a record is
   * kept (`Simulator.recordSignatureWrites`): absent otherwise, so a long-lived simulator grows
   * nothing. Read-only for its readers (the benchmark times campaign switches with it).
   */
  signatureWrites?: SimSignatureWrite[];
}

/** One signature write as the simulator saw it: when (its clock, epoch ms) and which mailbox. */
export interface SimSignatureWrite {
  at: number;
  userId: string;
  userPrincipalName: string;
}

/**
 * Throttling plugged into the request pipeline (implemented by `throttle.ts`).
 * The server calls `admit` before a graph/exchange route runs and `release` after it.
 */
export interface SimThrottle {
  /** Called before a graph/exchange route runs; returns a 429 response to send instead, or undefined. */
  admit(req: SimRequest, route: SimRoute, sim: SimContext): SimResponse | undefined;
  /** Called after the route finished (concurrency bookkeeping). */
  release(req: SimRequest, route: SimRoute): void;
  /** Headers to add to the response (x-ms-resource-unit, x-ms-throttle-limit-percentage …). */
  responseHeaders(req: SimRequest, route: SimRoute): Record<string, string>;
}

/** Fault injection plugged into the request pipeline (implemented by `faults.ts`). */
export interface SimFaults {
  /** Before routing: may delay (await), or return a fault response (503/500/504, drop: true). */
  before(req: SimRequest, service: SimService): Promise<SimResponse | undefined>;
  /** True while the token endpoint is in an outage. */
  tokenOutage(now: number): boolean;
}

/**
 * How `createSimulator` builds its throttle and faults: called once with the simulator's context
 * (state, clock). The defaults are `(sim) => new Throttler(sim)` and `(sim) => new FaultInjector(sim)`.
 */
export type SimThrottleFactory = (sim: SimContext) => SimThrottle;
export type SimFaultsFactory = (sim: SimContext) => SimFaults;
