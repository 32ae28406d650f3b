import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  SimSeedError,
  buildState,
  defaultThrottleSettings,
  formatSeedProblem,
  deterministicGuid,
  loadSeedFile,
  parseSeed,
  prepareState,
} from './seed.js';
import { DEFAULT_PHOTO_UPLOAD_BYTES_PER_5MIN } from './hidden-budget.js';

const EXAMPLE = fileURLToPath(new URL('./seeds/example.yaml', import.meta.url));

function problems(text: string): string[] {
  try {
    parseSeed(text, 'seed.yaml');
  } catch (error) {
    if (error instanceof SimSeedError) return error.problems.map((p) => formatSeedProblem(error.file, p));
    throw error;
  }
  throw new Error('expected the seed to be refused');
}

describe('parseSeed', () => {
  it('names the key and line of each schema violation', () => {
    const text = [
      'tenant:',
      '  domain: contoso.onmicrosoft.com',
      'users:',
      '  - userPrincipalName: ada@contoso.com',
      '    jobTitel: Analyst',
      '    surname: 42',
      'throttle:',
      '  timeScale: 0',
    ].join('\n');
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "seed.yaml:5 /users/0/jobTitel: unknown key",
        "seed.yaml:6 /users/0/surname: must be string,null",
        "seed.yaml:8 /throttle/timeScale: must be > 0",
      ]
    `);
  });

  it('refuses a missing tenant and a malformed photo', () => {
    expect(problems('users: []')).toEqual(["seed.yaml /: must have required property 'tenant'"]);
    const photo = problems(
      'tenant: { domain: a.example }\nusers:\n  - userPrincipalName: a@a.example\n    photo: { generate: red }',
    );
    expect(photo).toEqual(['seed.yaml:4 /users/0/photo: must match exactly one schema in oneOf']);
  });

  it('reports YAML syntax errors', () => {
    expect(problems('tenant: [')[0]).toMatch(/Flow sequence|flow collection|Unexpected/i);
  });

  it('fills defaults from the schema', () => {
    const seed = parseSeed(
      'tenant: { domain: contoso.onmicrosoft.com }\napps: [{ clientId: 11111111-1111-4111-8111-111111111111 }]',
    );
    expect(seed.tokenLifetimeSeconds).toBe(3599);
    expect(seed.apps?.[0]).toMatchObject({ graphPermissions: [], exchangeManageAsApp: false });
    expect(seed.throttle).toMatchObject({
      enabled: true,
      writesPer150s: 3000,
      photoConcurrencyPerMailbox: 4,
    });
    expect(seed.faults).toMatchObject({ rate503: 0, dropRate: 0, services: ['graph', 'exchange'] });
    // No Exchange numbers unless given: the budget is drawn from the seed.
    expect(seed.throttle?.exchangeRequestsPerMinute).toBeUndefined();
    expect(seed.throttle?.exchange).toBeUndefined();
  });

  it('has the same throttle defaults as the code', () => {
    const seed = parseSeed('tenant: { domain: contoso.onmicrosoft.com }');
    const code = {
      ...defaultThrottleSettings(),
      photoUploadBytesPer5min: DEFAULT_PHOTO_UPLOAD_BYTES_PER_5MIN,
    };
    expect(seed.throttle).toEqual(code);
  });
});

describe('buildState', () => {
  it('derives stable ids and fills user defaults', () => {
    const a = buildState({
      tenant: { domain: 'contoso.onmicrosoft.com' },
      users: [{ userPrincipalName: 'Ada@contoso.com', givenName: 'Ada', surname: 'L' }],
    });
    const b = buildState({
      tenant: { domain: 'contoso.onmicrosoft.com' },
      users: [{ userPrincipalName: 'ada@contoso.com' }],
    });
    expect([...a.users.keys()]).toEqual([...b.users.keys()]);
    expect(a.tenantId).toBe(deterministicGuid('tenant', 'contoso.onmicrosoft.com'));
    expect(a.tenantId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const [ada] = a.users.values();
    expect(ada).toMatchObject({
      mail: 'Ada@contoso.com',
      displayName: 'Ada L',
      proxyAddresses: ['SMTP:Ada@contoso.com'],
      accountEnabled: true,
      hasMailbox: true,
    });
    expect(a.mailboxConfig.get(ada!.id)).toMatchObject({ SignatureHtml: '', AutoAddSignature: false });
    expect(a.tokenLifetimeSeconds).toBe(3599);
    expect(a.throttle.enabled).toBe(true);
    expect(a.faults.rate500).toBe(0);
  });

  it('refuses duplicate user ids', () => {
    expect(() =>
      buildState({
        tenant: { domain: 'a.example' },
        users: [{ userPrincipalName: 'x@a.example' }, { userPrincipalName: 'X@a.example' }],
      }),
    ).toThrow(/duplicate user id/);
  });
});

describe('the example seed', () => {
  it('is valid and loads ten users, two apps and a generated photo', async () => {
    const seed = await loadSeedFile(EXAMPLE);
    const state = await prepareState(seed);
    expect(state.users.size).toBe(10);
    expect(state.apps).toHaveLength(2);
    expect([...state.photos.values()][0]).toMatchObject({
      contentType: 'image/jpeg',
      width: 240,
      height: 240,
    });
    const kare = [...state.users.values()].find((u) => u.givenName === 'Kåre')!;
    expect(state.mailboxConfig.get(kare.id)?.SignatureText).toBe('Kåre Sæther\nDaglig leder');
  });

  it('documents every schema key with a description', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../schemas/sim-seed.schema.json', import.meta.url), 'utf8'),
    ) as object;
    const missing: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (typeof node !== 'object' || node === null) return;
      const n = node as { properties?: Record<string, unknown>; items?: unknown; oneOf?: unknown[] };
      for (const [k, v] of Object.entries(n.properties ?? {})) {
        if (!(v as { description?: string }).description) missing.push(`${path}/${k}`);
        walk(v, `${path}/${k}`);
      }
      walk(n.items, `${path}/*`);
      n.oneOf?.forEach((o) => walk(o, path));
    };
    walk(schema, '');
    expect(missing).toEqual([]);
  });
});
