import { expect } from 'vitest';
import { loadConfigOrThrow } from '../../src/runtime/open-runtime.js';
import { createSignatureRenderer } from '../../src/desired/signature-renderer.js';
import { startPhotoServer, type DemoPhotoServer } from '../../src/local/photo-server.js';
import { generateHrData, type HrData, type HrEmployee } from '../../src/local/seed-hr.js';
import type { SimSeedUser } from '../../src/sim/seed.js';
import { createTestWorld, type TestWorld } from '../support/roster-world.js';

/** A test world whose HR photos are served by a real photo server on loopback. */
export interface ChaosWorld extends TestWorld {
  photos: DemoPhotoServer;
}

export interface ChaosWorldOptions {
  /** HR employees generated (about 94 % active). */
  employees?: number;
  seed?: number;
  /** Replaces the generated HR data (photo URLs: use `photoBase`). */
  hr?: (photoBase: string) => HrData;
  settings?: Record<string, unknown>;
}

/** Every active employee exists in the tenant with stale profile fields, no photo, no signature. */
export function staleUsers(hr: HrData): SimSeedUser[] {
  const emails = hr.employees.filter((e) => e.status === 'active').map((e) => e.email.toLowerCase());
  return [...new Set(emails)].map((email) => ({
    userPrincipalName: email,
    mail: email,
    displayName: 'Old Name',
    jobTitle: 'Old title',
  }));
}

/**
 * HR data, a tenant needing three kinds of change per employee (profile, photo, signature), a
 * photo server, and settings that let the photos through (loopback) and every change run.
 */
export async function createChaosWorld(options: ChaosWorldOptions = {}): Promise<ChaosWorld> {
  // The photo server serves ids 1..500 whatever HR data a test builds.
  const photos = await startPhotoServer({
    employees: generateHrData({ employees: 500, offices: 1 }).employees,
  });
  const photoBase = `${photos.url}/photos`;
  const hr = options.hr
    ? options.hr(photoBase)
    : generateHrData({
        employees: options.employees ?? 12,
        offices: 3,
        seed: options.seed ?? 11,
        photoBaseUrl: photoBase,
      });
  const world = await createTestWorld({
    hr,
    overrides: false,
    settings: {
      photos: { enabled: true, allowedHosts: ['127.0.0.1'], allowPrivateAddresses: true },
      guardrails: { maxChanges: '100%', maxSourceShrinkPercent: 20 },
      ...options.settings,
    },
    users: ({ hr: data }) => staleUsers(data),
  });
  const disposeWorld = world[Symbol.asyncDispose].bind(world);
  return Object.assign(world, {
    photos,
    async [Symbol.asyncDispose]() {
      await disposeWorld();
      await photos.close();
    },
  });
}

/**
 * The tenant holds what Roster computes as desired: every managed profile field, a photo for
 * each employee with a photo URL, and each signature's text as rendered.
 */
export async function expectTenantMatchesDesired(world: TestWorld): Promise<void> {
  const desired = await world.desired();
  const { config } = await loadConfigOrThrow(world.dir, world.env);
  const renderer = createSignatureRenderer(config.templates);
  const state = world.sim.stateSnapshot();
  const byUpn = new Map(state.users.map((u) => [u.userPrincipalName, u]));
  expect(desired.employees.length).toBeGreaterThan(0);
  for (const e of desired.employees) {
    const user = byUpn.get(e.key);
    expect(user, e.key).toBeDefined();
    if (!user) continue;
    for (const [field, want] of Object.entries(e.fields)) {
      if (want === undefined || Array.isArray(want)) continue;
      expect({ who: e.key, field, value: user[field as keyof typeof user] }).toEqual({
        who: e.key,
        field,
        value: want,
      });
    }
    expect(Boolean(state.photos[user.id]), `${e.key} photo`).toBe(Boolean(e.photoUrl));
    if (e.signature) {
      expect(state.mailboxConfig[user.id]?.SignatureText, `${e.key} signature`).toBe(
        renderer.renderDesired(e.signature).text,
      );
    }
  }
}

/** Replaces the first `n` active employees with hostile variants; the rest stay ordinary. */
export function withHostile(base: HrData, variants: ((e: HrEmployee) => Partial<HrEmployee>)[]): HrData {
  const active = base.employees.filter((e) => e.status === 'active');
  variants.forEach((variant, i) => Object.assign(active[i]!, variant(active[i]!)));
  return base;
}
