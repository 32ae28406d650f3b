import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { DEFAULT_BUDGET_SEED, DEFAULT_SUB_LIMIT_429_RATE } from './hidden-budget.js';
import { encodePhoto, generatePhoto } from './photo-encode.js';
import type {
  SimApp,
  SimBehaviourSettings,
  SimGroup,
  SimFaultSettings,
  SimMailboxMessageConfiguration,
  SimState,
  SimThrottleSettings,
  SimUser,
} from './types.js';

/** A user in a seed: the SimUser properties (all but the UPN optional) plus photo and mailbox. */
export interface SimSeedUser extends Partial<Omit<SimUser, 'userPrincipalName'>> {
  userPrincipalName: string;
  photo?: { generate: string; size?: number } | { base64: string } | { path: string };
  mailbox?: Partial<SimMailboxMessageConfiguration>;
}

/** An app in a seed: as SimApp, optionally with the certificate in a file. */
export interface SimSeedApp extends Partial<Omit<SimApp, 'clientId'>> {
  clientId: string;
  certificatePath?: string;
}

/** The seed file's shape (`schemas/sim-seed.schema.json`). */
export interface SimSeed {
  tenant: { id?: string; domain: string; domains?: string[]; unverifiedDomains?: string[] };
  tokenLifetimeSeconds?: number;
  apps?: SimSeedApp[];
  users?: SimSeedUser[];
  /** Groups: members are userPrincipalNames of seeded users or ids of other seeded groups. */
  groups?: { id: string; displayName: string; members?: string[] }[];
  organizationConfig?: { Name?: string; PostponeRoamingSignaturesUntilLater?: boolean };
  throttle?: Partial<SimThrottleSettings>;
  faults?: Partial<SimFaultSettings>;
  behaviour?: Partial<SimBehaviourSettings>;
}

/** One schema violation of a seed: where, which key (JSON pointer), what. */
export interface SimSeedProblem {
  line?: number;
  key?: string;
  message: string;
}

export function formatSeedProblem(file: string, p: SimSeedProblem): string {
  return `${file}${p.line !== undefined ? `:${p.line}` : ''}${p.key !== undefined ? ` ${p.key}` : ''}: ${p.message}`;
}

/** A seed that breaks the schema; the message names every offending key. */
export class SimSeedError extends Error {
  constructor(
    readonly file: string,
    readonly problems: SimSeedProblem[],
  ) {
    super(
      `invalid simulator seed ${file}:\n${problems.map((p) => `  ${formatSeedProblem(file, p)}`).join('\n')}`,
    );
    this.name = 'SimSeedError';
  }
}

const schemaUrl = new URL('../../schemas/sim-seed.schema.json', import.meta.url);
let validator: ReturnType<Ajv['compile']> | undefined;

function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
    validator = ajv.compile(JSON.parse(readFileSync(schemaUrl, 'utf8')) as object);
  }
  return validator(data) ? [] : (validator.errors ?? []);
}

/** Parses and validates seed text (YAML or JSON), filling schema defaults. */
export function parseSeed(text: string, file = '<seed>'): SimSeed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    throw new SimSeedError(
      file,
      doc.errors.map((e) => ({ line: e.linePos?.[0].line, message: e.message })),
    );
  }
  const data: unknown = doc.toJS();
  const errors = validate(data).filter((e) => !e.schemaPath.includes('/oneOf/'));
  if (errors.length === 0) return data as SimSeed;
  const problems = errors.map((e) => {
    const key =
      e.keyword === 'additionalProperties'
        ? `${e.instancePath}/${String((e.params as { additionalProperty: string }).additionalProperty)}`
        : e.instancePath || '/';
    const node = doc.getIn(key.split('/').slice(1), true) as { range?: [number, number] } | undefined;
    const message = e.keyword === 'additionalProperties' ? 'unknown key' : (e.message ?? e.keyword);
    return node?.range ? { line: lineCounter.linePos(node.range[0]).line, key, message } : { key, message };
  });
  throw new SimSeedError(file, problems);
}

/** Reads a seed file; certificate and photo paths are inlined, relative to the file. */
export async function loadSeedFile(path: string): Promise<SimSeed> {
  const seed = parseSeed(await readFile(path, 'utf8'), path);
  const base = dirname(resolve(path));
  for (const app of seed.apps ?? []) {
    if (app.certificatePath) app.certificatePem = await readFile(resolve(base, app.certificatePath), 'utf8');
  }
  for (const user of seed.users ?? []) {
    if (user.photo && 'path' in user.photo) {
      user.photo = { base64: (await readFile(resolve(base, user.photo.path))).toString('base64') };
    }
  }
  return seed;
}

/** A GUID derived from its parts, so seeds without ids give the same ids every run. */
export function deterministicGuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function defaultThrottleSettings(): SimThrottleSettings {
  return {
    enabled: true,
    timeScale: 1,
    writesPer150s: 3000,
    photoConcurrencyPerMailbox: 4,
    photoRequestsPer10min: 10_000,
    budgetSeed: DEFAULT_BUDGET_SEED,
    drawGraphBudget: false,
    subLimit429Rate: DEFAULT_SUB_LIMIT_429_RATE,
    callLatencyMs: 0,
    fractionalRetryAfterShare: 0.1,
    missingRetryAfterShare: 0.05,
  };
}

export function defaultFaultSettings(): SimFaultSettings {
  return {
    seed: 1,
    latencyMs: 0,
    jitterMs: 0,
    spikeRate: 0,
    spikeMs: 0,
    rate429: 0,
    rate503: 0,
    rate500: 0,
    rate504: 0,
    rate502: 0,
    dropRate: 0,
    services: ['graph', 'exchange'],
  };
}

/** The documented (or, where nothing is documented, the plainest) behaviour. */
export function defaultBehaviourSettings(): SimBehaviourSettings {
  return {
    exchangeEmptyBodyShare: 0,
    exchangeNonJsonBodyShare: 0,
    expiredDeltaToken: { status: 400, code: 'SyncStateNotFound' },
    noPhotoPlaceholderShare: 0.5,
    photoUpdateSettings: { source: 'cloud', allowedRoles: [] },
    propagation: 'off',
  };
}

/** The state's behaviour settings, or the defaults for a state built without them. */
export function behaviourOf(state: SimState): SimBehaviourSettings {
  return state.behaviour ?? defaultBehaviourSettings();
}

export function emptyMailboxConfig(): SimMailboxMessageConfiguration {
  return {
    SignatureHtml: '',
    SignatureText: '',
    SignatureTextOnMobile: '',
    AutoAddSignature: false,
    AutoAddSignatureOnReply: false,
    AutoAddSignatureOnMobile: false,
    UseDefaultSignatureOnMobile: false,
  };
}

function buildUser(tenantId: string, s: SimSeedUser): SimUser {
  const hasMailbox = s.hasMailbox ?? true;
  const mail = s.mail !== undefined ? s.mail : hasMailbox ? s.userPrincipalName : null;
  const givenName = s.givenName ?? null;
  const surname = s.surname ?? null;
  const joined = [givenName, surname].filter(Boolean).join(' ');
  return {
    id: (s.id ?? deterministicGuid(tenantId, s.userPrincipalName.toLowerCase())).toLowerCase(),
    userPrincipalName: s.userPrincipalName,
    mail,
    displayName: s.displayName !== undefined ? s.displayName : joined || null,
    givenName,
    surname,
    jobTitle: s.jobTitle ?? null,
    department: s.department ?? null,
    officeLocation: s.officeLocation ?? null,
    mobilePhone: s.mobilePhone ?? null,
    businessPhones: s.businessPhones ?? [],
    companyName: s.companyName ?? null,
    employeeId: s.employeeId ?? null,
    streetAddress: s.streetAddress ?? null,
    city: s.city ?? null,
    postalCode: s.postalCode ?? null,
    country: s.country ?? null,
    preferredLanguage: s.preferredLanguage ?? null,
    proxyAddresses: s.proxyAddresses ?? (mail ? [`SMTP:${mail}`] : []),
    onPremisesSyncEnabled: s.onPremisesSyncEnabled ?? null,
    accountEnabled: s.accountEnabled ?? true,
    isAdmin: s.isAdmin ?? false,
    hasMailbox,
    ...(s.noPhoto !== undefined ? { noPhoto: s.noPhoto } : {}),
  };
}

/**
 * The state a seed describes, synchronously and without photos (encoding them needs sharp,
 * which is async): `prepareState` adds them. Does not validate: use `parseSeed` for files.
 */
export function buildState(seed: SimSeed): SimState {
  const tenantId = (
    seed.tenant.id ?? deterministicGuid('tenant', seed.tenant.domain.toLowerCase())
  ).toLowerCase();
  const users = new Map<string, SimUser>();
  const mailboxConfig = new Map<string, SimMailboxMessageConfiguration>();
  for (const s of seed.users ?? []) {
    const user = buildUser(tenantId, s);
    if (users.has(user.id)) throw new Error(`seed: duplicate user id ${user.id}`);
    users.set(user.id, user);
    if (user.hasMailbox) mailboxConfig.set(user.id, { ...emptyMailboxConfig(), ...s.mailbox });
  }
  const apps: SimApp[] = (seed.apps ?? []).map((a) => ({
    clientId: a.clientId.toLowerCase(),
    ...(a.clientSecret !== undefined && { clientSecret: a.clientSecret }),
    ...(a.certificatePem !== undefined && { certificatePem: a.certificatePem }),
    graphPermissions: a.graphPermissions ?? [],
    exchangeManageAsApp: a.exchangeManageAsApp ?? false,
    ...(a.exchangeRole !== undefined && { exchangeRole: a.exchangeRole }),
    ...(a.directoryRoles !== undefined && { directoryRoles: a.directoryRoles }),
  }));
  const groups = buildGroups(seed, users);
  return {
    tenantId,
    tenantDomain: seed.tenant.domain,
    domains: seed.tenant.domains ?? [],
    ...(seed.tenant.unverifiedDomains?.length ? { unverifiedDomains: seed.tenant.unverifiedDomains } : {}),
    apps,
    users,
    photos: new Map(),
    mailboxConfig,
    ...(groups.size > 0 ? { groups } : {}),
    organizationConfig: {
      Name: seed.organizationConfig?.Name ?? seed.tenant.domain.split('.')[0] ?? seed.tenant.domain,
      PostponeRoamingSignaturesUntilLater:
        seed.organizationConfig?.PostponeRoamingSignaturesUntilLater ?? false,
    },
    changes: [],
    nextSeq: 1,
    tokenLifetimeSeconds: seed.tokenLifetimeSeconds ?? 3599,
    throttle: { ...defaultThrottleSettings(), ...seed.throttle },
    faults: { ...defaultFaultSettings(), ...seed.faults },
    behaviour: { ...defaultBehaviourSettings(), ...seed.behaviour },
    stats: {
      requests: new Map(),
      throttled: 0,
      writesPerUser: new Map(),
      maxPhotoConcurrencyPerMailbox: new Map(),
      maxExchangeConcurrency: 0,
      resourceUnits: 0,
      subLimitThrottled: 0,
    },
  };
}

/** The seed's groups, members resolved: a userPrincipalName to its user's id, else a group id. */
function buildGroups(seed: SimSeed, users: Map<string, SimUser>): Map<string, SimGroup> {
  const byUpn = new Map([...users.values()].map((u) => [u.userPrincipalName.toLowerCase(), u.id]));
  const groups = new Map<string, SimGroup>();
  for (const g of seed.groups ?? []) {
    const members = (g.members ?? []).map((m) => byUpn.get(m.toLowerCase()) ?? m.toLowerCase());
    groups.set(g.id.toLowerCase(), { id: g.id.toLowerCase(), displayName: g.displayName, members });
  }
  return groups;
}

/** `buildState` plus the seed's photos, encoded as the service stores them. */
export async function prepareState(seed: SimSeed): Promise<SimState> {
  const state = buildState(seed);
  for (const s of seed.users ?? []) {
    if (!s.photo) continue;
    const id = buildUser(state.tenantId, s).id;
    const p = s.photo;
    const photo =
      'generate' in p
        ? await generatePhoto(p.generate, p.size ?? 240)
        : await encodePhoto('base64' in p ? Buffer.from(p.base64, 'base64') : await readFile(p.path));
    state.photos.set(id, photo);
  }
  return state;
}
