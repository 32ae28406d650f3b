import { formatPhone } from '../desired/format-phone.js';
import type { SimSeed, SimSeedUser } from '../sim/seed.js';
import { TITLES } from './seed-hr-names.js';
import {
  asciiName,
  generateHrData,
  seededRandom,
  type HrData,
  type HrEmployee,
  type HrOffice,
} from './seed-hr.js';

/** Identity of the demo tenant and its app. The secret is only valid against the simulator. */
export interface DemoTenantOptions {
  tenantId: string;
  /** Initial domain, e.g. `example.onmicrosoft.com`. */
  tenantDomain: string;
  /** Verified mail domains; the first is the employees' domain. */
  domains: string[];
  clientId: string;
  clientSecret: string;
  /** Drives every random choice: the same seed gives the same tenant. */
  seed: number | string;
}

export const DEMO_TENANT: Readonly<DemoTenantOptions> = Object.freeze({
  tenantId: '7a3e9c10-4b2d-4f6e-9a8c-1d2e3f4a5b6c',
  tenantDomain: 'example.onmicrosoft.com',
  domains: ['example.no'],
  clientId: '2b7d4f9a-6c1e-4a3b-8d5f-0e9c7a1b3d5f',
  clientSecret: 'sim-only-secret-roster-demo',
  seed: 'roster-demo',
});

export const DEMO_COMPANY = 'Eksempel AS';

/** Drift kinds a managed user may carry. */
export type DemoDriftKind = 'jobTitle' | 'department' | 'officeLocation' | 'mobilePhone' | 'displayName';

/** What the demo tenant holds that differs from HR, for the demo's narration and for tests. */
export interface DemoDrift {
  /** The active employee with no tenant account. */
  unmatchedEmployee: string;
  /** UPN of the on-premises-synced user (carries a stale title Roster must not fix). */
  syncedUser: string;
  /** Employee emails found only by userPrincipalName (their mail differs). */
  upnMatched: string[];
  /** Employee email found only among a user's proxy addresses. */
  proxyMatched: string;
  /** UPNs of users outside the managed domains. */
  outOfScope: string[];
  /** UPNs of users of inactive employees (stale, never touched). */
  inactive: string[];
  /** Managed users with field drift, and which fields drifted. */
  drifted: { userPrincipalName: string; fields: DemoDriftKind[] }[];
  /** UPNs of users that already hold an (old) photo. */
  withOldPhoto: string[];
  /** UPNs of mailboxes with an old HTML signature (the rest are empty). */
  withOldSignature: string[];
}

const DRIFT_SHARE = 0.4;
const PHOTO_PLACEHOLDER = 'http://photos.invalid/photos';

/**
 * The demo's HR database: 60 employees in 6 offices, exactly two inactive, one duplicate email.
 * `photoBaseUrl` (e.g. the photo server's `<url>/photos`) gives most employees a photo URL;
 * without it nobody has one. The rows are otherwise identical either way.
 */
export function buildDemoHrData(options: { photoBaseUrl?: string; seed?: number | string } = {}): HrData {
  const seed = options.seed ?? DEMO_TENANT.seed;
  // The generator draws the photo coin only when a base URL is given, so always give one to keep
  // the rows the same, and drop the placeholder afterwards.
  const hr = generateHrData({
    employees: 60,
    offices: 6,
    seed,
    domain: DEMO_TENANT.domains[0],
    photoBaseUrl: options.photoBaseUrl ?? PHOTO_PLACEHOLDER,
  });
  if (!options.photoBaseUrl) for (const e of hr.employees) e.profileImageUrl = null;
  for (const e of hr.employees) e.status = 'active';
  const order = shuffled(hr.employees.slice(1, -1), seededRandom(`${seed}:inactive`));
  for (const e of order.slice(0, 2)) e.status = 'inactive';
  // As `duplicateEmail` does, but after the statuses are final so both holders stay active.
  const active = hr.employees.filter((e) => e.status === 'active');
  const first = active[0];
  const last = active[active.length - 1];
  if (first && last && first !== last) last.email = first.email;
  return hr;
}

function shuffled<T>(list: readonly T[], random: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function phoneOf(e: HrEmployee): string | null {
  if (!e.phone) return null;
  const formatted = formatPhone(e.phone, { defaultRegion: 'NO', format: 'INTERNATIONAL' });
  return formatted.ok ? formatted.value : null;
}

/** A user exactly as Roster's default mapping would write it for `e`. */
function inSyncUser(e: HrEmployee, office: HrOffice | undefined): SimSeedUser {
  return {
    userPrincipalName: e.email,
    givenName: e.firstName,
    surname: e.lastName,
    displayName: `${e.firstName} ${e.lastName}`,
    jobTitle: e.title,
    department: office?.name ?? null,
    officeLocation: office?.city ?? null,
    mobilePhone: phoneOf(e),
    companyName: DEMO_COMPANY,
    employeeId: String(e.id),
  };
}

function otherTitle(current: string | null, random: () => number): string {
  const choices = TITLES.filter((t) => t !== current);
  return choices[Math.floor(random() * choices.length)]!;
}

/** Which drift kinds make a visible difference for `e` (an empty HR value never clears the tenant's). */
function applicableDrift(e: HrEmployee, office: HrOffice | undefined): DemoDriftKind[] {
  const kinds: DemoDriftKind[] = ['displayName'];
  if (e.title) kinds.push('jobTitle');
  if (office) kinds.push('department', 'officeLocation');
  if (phoneOf(e)) kinds.push('mobilePhone');
  return kinds;
}

function applyDrift(
  user: SimSeedUser,
  kind: DemoDriftKind,
  e: HrEmployee,
  offices: HrOffice[],
  random: () => number,
): void {
  const elsewhere = offices.filter((o) => o.id !== e.officeId);
  const moved = elsewhere[Math.floor(random() * elsewhere.length)];
  if (kind === 'jobTitle') user.jobTitle = otherTitle(e.title, random);
  if (kind === 'department') user.department = moved?.name ?? 'Hovedkontoret';
  if (kind === 'officeLocation') {
    const cities = elsewhere.map((o) => o.city).filter((c) => c !== user.officeLocation);
    user.officeLocation = cities[Math.floor(random() * cities.length)] ?? 'Hjemmekontor';
  }
  if (kind === 'mobilePhone') user.mobilePhone = null;
  if (kind === 'displayName') user.displayName = `${e.firstName}  ${e.lastName}`;
}

function oldSignature(e: HrEmployee, title: string): NonNullable<SimSeedUser['mailbox']> {
  const name = `${e.firstName} ${e.lastName}`;
  return {
    SignatureHtml: `<p style="font-family:Calibri">Med vennlig hilsen<br><b>${escapeHtml(name)}</b><br>${escapeHtml(title)}<br>${DEMO_COMPANY}</p>`,
    SignatureText: `Med vennlig hilsen\n${name}\n${title}\n${DEMO_COMPANY}`,
    AutoAddSignature: true,
    AutoAddSignatureOnReply: false,
  };
}

/** A muted colour far from the demo photo server's saturated ones: an obviously old photo. */
function oldPhotoColour(random: () => number): string {
  const grey = 0x70 + Math.floor(random() * 0x40);
  const tint = Math.floor(random() * 0x18);
  return `#${[grey, grey - tint, grey - 2 * tint].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** The demo tenant (`SimSeed`) plus a description of its drift. Deterministic from `options.seed`. */
export function buildDemoTenant(hr: HrData, options: DemoTenantOptions): { seed: SimSeed; drift: DemoDrift } {
  const random = seededRandom(`${options.seed}:tenant`);
  const mailDomain = options.domains[0] ?? options.tenantDomain;
  const officeById = new Map(hr.offices.map((o) => [o.id, o]));
  const active = hr.employees.filter((e) => e.status === 'active');
  const inactive = hr.employees.filter((e) => e.status !== 'active');
  const holders = new Map<string, number>();
  for (const e of active) holders.set(e.email.toLowerCase(), (holders.get(e.email.toLowerCase()) ?? 0) + 1);
  const plain = active.filter((e) => holders.get(e.email.toLowerCase()) === 1);
  const duplicated = active.filter((e, i, all) => {
    const firstHolder = all.findIndex((o) => o.email.toLowerCase() === e.email.toLowerCase()) === i;
    return holders.get(e.email.toLowerCase())! > 1 && firstHolder;
  });

  // Special roles go to employees with a title and an office, so each shows what it should.
  const roles = shuffled(
    plain.filter((e) => e.title && e.officeId !== null),
    random,
  );
  const [unmatched, synced, upnA, upnB, proxied] = roles;
  if (!unmatched || !synced || !upnA || !upnB || !proxied) {
    throw new Error('demo tenant: the HR data has too few employees for the demo roles');
  }
  const special = new Set([unmatched, synced, upnA, upnB, proxied]);

  const users: SimSeedUser[] = [];
  const drift: DemoDrift = {
    unmatchedEmployee: unmatched.email,
    syncedUser: synced.email,
    upnMatched: [upnA.email, upnB.email],
    proxyMatched: proxied.email,
    outOfScope: [],
    inactive: inactive.map((e) => e.email),
    drifted: [],
    withOldPhoto: [],
    withOldSignature: [],
  };

  const managed = [...plain.filter((e) => e !== unmatched), ...duplicated].sort((a, b) => a.id - b.id);
  const driftable = managed.filter((e) => !special.has(e));
  const driftCount = Math.round(DRIFT_SHARE * managed.length) - 1; // the synced user drifts too
  const drifting = new Set(shuffled(driftable, random).slice(0, driftCount));

  for (const e of managed) {
    const office = e.officeId === null ? undefined : officeById.get(e.officeId);
    const user = inSyncUser(e, office);
    if (e === synced) {
      user.onPremisesSyncEnabled = true;
      user.jobTitle = otherTitle(e.title, random);
    }
    if (e === upnA || e === upnB) {
      user.mail = `${asciiName(e.firstName)}${asciiName(e.lastName).slice(0, 1)}@${mailDomain}`;
      user.proxyAddresses = [`SMTP:${user.mail}`];
    }
    if (e === proxied) {
      const former = `${asciiName(e.firstName).slice(0, 1)}${asciiName(e.lastName)}@${mailDomain}`;
      user.userPrincipalName = former;
      user.mail = former;
      user.proxyAddresses = [`SMTP:${former}`, `smtp:${e.email}`];
    }
    if (drifting.has(e)) {
      const kinds = shuffled(applicableDrift(e, office), random).slice(0, random() < 0.3 ? 2 : 1);
      for (const kind of kinds) applyDrift(user, kind, e, hr.offices, random);
      drift.drifted.push({ userPrincipalName: user.userPrincipalName, fields: kinds.sort() });
    }
    if (random() < 0.5) {
      user.photo = { generate: oldPhotoColour(random), size: 120 };
      drift.withOldPhoto.push(user.userPrincipalName);
    }
    if (random() < 0.6) {
      user.mailbox = oldSignature(e, user.jobTitle ?? e.title ?? 'Medarbeider');
      drift.withOldSignature.push(user.userPrincipalName);
    }
    users.push(user);
  }

  for (const e of inactive) {
    const office = e.officeId === null ? undefined : officeById.get(e.officeId);
    const user = { ...inSyncUser(e, office), jobTitle: otherTitle(e.title, random) };
    user.mailbox = oldSignature(e, user.jobTitle);
    users.push(user);
  }

  const outsiders: SimSeedUser[] = [
    {
      userPrincipalName: `anne.partner_partner.example#EXT#@${options.tenantDomain}`,
      mail: 'anne.partner@partner.example',
      givenName: 'Anne',
      surname: 'Partner',
      jobTitle: 'Ekstern konsulent',
      hasMailbox: false,
    },
    {
      userPrincipalName: `it-admin@${options.tenantDomain}`,
      givenName: 'IT',
      surname: 'Admin',
      displayName: 'IT  Admin',
      isAdmin: true,
      mailbox: { SignatureHtml: '<p>IT-avdelingen</p>', SignatureText: 'IT-avdelingen' },
    },
  ];
  users.push(...outsiders);
  drift.outOfScope = outsiders.map((u) => u.userPrincipalName);

  const seed: SimSeed = {
    tenant: { id: options.tenantId, domain: options.tenantDomain, domains: options.domains },
    apps: [
      {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        graphPermissions: [
          'User.ReadWrite.All',
          'ProfilePhoto.ReadWrite.All',
          'PeopleSettings.Read.All',
          'Domain.Read.All',
        ],
        exchangeManageAsApp: true,
      },
    ],
    users,
    organizationConfig: { Name: DEMO_COMPANY, PostponeRoamingSignaturesUntilLater: true },
    throttle: { enabled: true },
  };
  return { seed, drift };
}

/** `buildDemoTenant(...).seed`. */
export function buildDemoTenantSeed(hr: HrData, options: DemoTenantOptions): SimSeed {
  return buildDemoTenant(hr, options).seed;
}
