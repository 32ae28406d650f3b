import { describe, expect, it } from 'vitest';
import { formatPhone } from '../desired/format-phone.js';
import { buildState, parseSeed, prepareState, type SimSeedUser } from '../sim/seed.js';
import { buildDemoHrData, buildDemoTenant, buildDemoTenantSeed, DEMO_TENANT } from './demo-tenant.js';
import type { HrEmployee } from './seed-hr.js';

const options = { ...DEMO_TENANT, domains: [...DEMO_TENANT.domains] };
const hr = buildDemoHrData({ photoBaseUrl: 'http://127.0.0.1:8080/photos' });
const { seed, drift } = buildDemoTenant(hr, options);
const users = seed.users ?? [];
const active = hr.employees.filter((e) => e.status === 'active');
const lower = (s: string | null | undefined) => (s ?? '').toLowerCase();
const domainOf = (address: string | null | undefined) => lower(address).split('@')[1];

/** Roster's documented match rule (mail, then UPN, then SMTP proxy), written out independently. */
function matchOf(e: HrEmployee): { rule: string; user: SimSeedUser } | undefined {
  const email = lower(e.email);
  const rules: Array<[string, (u: SimSeedUser) => boolean]> = [
    ['mail', (u) => lower(u.mail ?? u.userPrincipalName) === email],
    ['userPrincipalName', (u) => lower(u.userPrincipalName) === email],
    [
      'proxyAddresses',
      (u) => (u.proxyAddresses ?? []).some((p) => /^smtp:/i.test(p) && lower(p.slice(5)) === email),
    ],
  ];
  for (const [rule, test] of rules) {
    const found = users.filter(test);
    if (found.length === 1) return { rule, user: found[0]! };
    expect(found.length, `${e.email} by ${rule}`).toBe(0);
  }
  return undefined;
}

/** Fields where the user differs from what the default mapping derives from HR. */
function differences(e: HrEmployee, u: SimSeedUser): string[] {
  const office = hr.offices.find((o) => o.id === e.officeId);
  const phone = e.phone ? formatPhone(e.phone, { defaultRegion: 'NO', format: 'INTERNATIONAL' }) : undefined;
  const expected: Record<string, string | null | undefined> = {
    givenName: e.firstName,
    surname: e.lastName,
    displayName: `${e.firstName} ${e.lastName}`,
    jobTitle: e.title ?? undefined,
    department: office?.name,
    officeLocation: office?.city,
    mobilePhone: phone?.ok ? phone.value : undefined,
  };
  // An empty HR value never clears the tenant's, so undefined expectations are not compared.
  return Object.entries(expected)
    .filter(([key, value]) => value !== undefined && u[key as keyof SimSeedUser] !== value)
    .map(([key]) => key);
}

describe('buildDemoHrData', () => {
  it('has 60 Norwegian employees in 6 offices, two inactive and one duplicate email', () => {
    expect(hr.employees).toHaveLength(60);
    expect(hr.offices).toHaveLength(6);
    expect(hr.employees.filter((e) => e.status !== 'active').map((e) => e.status)).toEqual([
      'inactive',
      'inactive',
    ]);
    const counts = new Map<string, number>();
    for (const e of active) counts.set(lower(e.email), (counts.get(lower(e.email)) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([2]);
    expect(hr.employees.some((e) => /[æøå]/i.test(e.firstName + e.lastName))).toBe(true);
    expect(hr.employees.filter((e) => !e.title).length).toBeGreaterThan(0);
    expect(hr.employees.filter((e) => !e.phone).length).toBeGreaterThan(0);
    expect(
      hr.employees.every(
        (e) => !e.profileImageUrl || e.profileImageUrl === `http://127.0.0.1:8080/photos/${e.id}.jpg`,
      ),
    ).toBe(true);
  });

  it('gives the same rows with or without a photo base, minus the URLs', () => {
    const without = buildDemoHrData();
    expect(without.employees.every((e) => e.profileImageUrl === null)).toBe(true);
    expect(without.employees.map((e) => ({ ...e, profileImageUrl: null }))).toEqual(
      hr.employees.map((e) => ({ ...e, profileImageUrl: null })),
    );
    expect(buildDemoHrData({ seed: 'other' }).employees).not.toEqual(without.employees);
  });
});

describe('buildDemoTenant', () => {
  it('validates against the seed schema and builds a simulator state', async () => {
    expect(() => parseSeed(JSON.stringify(seed), 'demo-seed.json')).not.toThrow();
    const state = buildState(parseSeed(JSON.stringify(seed)));
    expect(state.tenantId).toBe(DEMO_TENANT.tenantId);
    expect(state.users.size).toBe(users.length);
    expect(state.apps).toEqual([
      {
        clientId: DEMO_TENANT.clientId,
        clientSecret: DEMO_TENANT.clientSecret,
        graphPermissions: [
          'User.ReadWrite.All',
          'ProfilePhoto.ReadWrite.All',
          'PeopleSettings.Read.All',
          'Domain.Read.All',
        ],
        exchangeManageAsApp: true,
        exchangeRole: true,
      },
    ]);
    expect(state.organizationConfig.PostponeRoamingSignaturesUntilLater).toBe(true);
    expect(state.throttle.enabled).toBe(true);
    expect(state.faults.rate429 + state.faults.rate503 + state.faults.dropRate).toBe(0);

    const withPhotos = await prepareState(seed);
    expect(withPhotos.photos.size).toBe(drift.withOldPhoto.length);
    // Old photos are small greyish squares: never the 256×256 HR photo.
    for (const photo of withPhotos.photos.values()) expect(photo.width).toBe(120);
  });

  it('is deterministic from the seed', () => {
    expect(buildDemoTenantSeed(hr, options)).toEqual(seed);
    expect(buildDemoTenantSeed(hr, { ...options, seed: 'another' })).not.toEqual(seed);
  });

  it('matches every active employee but one, a few only by UPN and one only by proxy address', () => {
    const byRule = new Map<string, string[]>();
    const unmatched: string[] = [];
    for (const e of active) {
      const m = matchOf(e);
      if (!m) unmatched.push(e.email);
      else byRule.set(m.rule, [...(byRule.get(m.rule) ?? []), e.email]);
    }
    expect(unmatched).toEqual([drift.unmatchedEmployee]);
    expect(byRule.get('userPrincipalName')?.sort()).toEqual([...drift.upnMatched].sort());
    expect(byRule.get('proxyAddresses')).toEqual([drift.proxyMatched]);
    expect(byRule.get('mail')).toHaveLength(active.length - 1 - 2 - 1);
    expect(new Set(users.map((u) => lower(u.userPrincipalName))).size).toBe(users.length);
  });

  it('drifts about 40% of the managed users, with the promised kinds', () => {
    const managed = active
      .filter((e, i, all) => all.findIndex((o) => lower(o.email) === lower(e.email)) === i)
      .map((e) => ({ e, m: matchOf(e) }))
      .filter((x) => x.m !== undefined);
    const drifted = managed.map(({ e, m }) => ({
      upn: m!.user.userPrincipalName,
      diff: differences(e, m!.user),
    }));
    const withDrift = drifted.filter((d) => d.diff.length > 0);
    expect(withDrift.length / managed.length).toBeGreaterThan(0.35);
    expect(withDrift.length / managed.length).toBeLessThan(0.45);
    const kinds = (k: string) => withDrift.filter((d) => d.diff.includes(k)).length;
    expect(kinds('jobTitle')).toBeGreaterThanOrEqual(3);
    expect(kinds('department') + kinds('officeLocation')).toBeGreaterThanOrEqual(3);
    expect(kinds('mobilePhone')).toBeGreaterThanOrEqual(1);
    expect(kinds('displayName')).toBeGreaterThanOrEqual(1);
    // Every other managed user is exactly in sync: the demo's drift is all on purpose.
    const described = new Map(drift.drifted.map((d) => [d.userPrincipalName, d.fields]));
    described.set(drift.syncedUser, ['jobTitle']);
    expect(new Map(withDrift.map((d) => [d.upn, d.diff.sort()]))).toEqual(described);
    const spaced = users.find(
      (u) => u.userPrincipalName === withDrift.find((d) => d.diff.includes('displayName'))?.upn,
    );
    expect(spaced?.displayName).toMatch(/\S {2}\S/);
  });

  it('has one on-premises-synced user with a stale title', () => {
    const synced = users.filter((u) => u.onPremisesSyncEnabled === true);
    expect(synced.map((u) => u.userPrincipalName)).toEqual([drift.syncedUser]);
    const employee = active.find((e) => e.email === drift.syncedUser)!;
    expect(synced[0]!.jobTitle).not.toBe(employee.title);
  });

  it('keeps users of inactive employees, and users outside the managed domains', () => {
    for (const e of hr.employees.filter((x) => x.status !== 'active')) {
      expect(users.some((u) => lower(u.userPrincipalName) === lower(e.email))).toBe(true);
    }
    const outside = users.filter(
      (u) =>
        !options.domains.includes(domainOf(u.mail) ?? '') &&
        !options.domains.includes(domainOf(u.userPrincipalName) ?? ''),
    );
    expect(outside.map((u) => u.userPrincipalName)).toEqual(drift.outOfScope);
    expect(outside.length).toBe(2);
    expect(outside.some((u) => domainOf(u.mail) === 'partner.example')).toBe(true);
  });

  it('gives some users an old photo and some mailboxes an old signature', () => {
    const photos = users.filter((u) => u.photo !== undefined).length;
    expect(photos).toBe(drift.withOldPhoto.length);
    expect(photos).toBeGreaterThan(10);
    expect(users.length - photos).toBeGreaterThan(10);
    const state = buildState(seed);
    const signatures = [...state.mailboxConfig.values()].map((m) => m.SignatureHtml);
    expect(signatures.filter((s) => s === '').length).toBeGreaterThan(10);
    const old = signatures.filter((s) => s.startsWith('<p style="font-family:Calibri">Med vennlig hilsen'));
    expect(old.length).toBeGreaterThan(10);
    expect(drift.withOldSignature.length).toBeLessThanOrEqual(old.length);
  });
});
