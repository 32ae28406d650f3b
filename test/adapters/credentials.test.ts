import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredential, selectCredential } from '../../src/adapters/azure/credentials.js';
import { readMicrosoftEndpoints } from '../../src/adapters/azure/endpoints.js';
import { createTokenSource, EXCHANGE_SCOPE, GRAPH_SCOPE } from '../../src/adapters/azure/token-source.js';
import { RemoteApiError } from '../../src/errors/roster-error.js';
import { createScaledClock } from '../../src/bench/scaled-clock.js';
import { createSystemClock } from '../../src/http/clock.js';
import { createSimulator, type Simulator } from '../../src/sim/simulator.js';

const TENANT = 'contoso.onmicrosoft.com';
const SECRET_APP = '11111111-1111-4111-8111-111111111111';
const CERT_APP = '22222222-2222-4222-8222-222222222222';
const SECRET = 'test-only-client-secret';

let sim: Simulator;
const secretEnv = () => ({
  AZURE_TENANT_ID: TENANT,
  AZURE_CLIENT_ID: SECRET_APP,
  AZURE_CLIENT_SECRET: SECRET,
  AZURE_AUTHORITY_HOST: sim.origin,
});
let dir: string;
let certificatePath: string;

beforeAll(async () => {
  // The app's certificate: generated per run, written to a temp dir, never committed.
  const pems = await generate([{ name: 'commonName', value: 'roster-test-app' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  dir = await mkdtemp(join(tmpdir(), 'roster-cred-'));
  certificatePath = join(dir, 'app.pem');
  await writeFile(certificatePath, `${pems.private}\n${pems.cert}\n`, { mode: 0o600 });
  sim = await createSimulator({
    seed: {
      tenant: { domain: TENANT },
      apps: [
        { clientId: SECRET_APP, clientSecret: SECRET, graphPermissions: ['User.Read.All'] },
        {
          clientId: CERT_APP,
          certificatePem: pems.cert,
          graphPermissions: ['User.Read.All'],
          exchangeManageAsApp: true,
        },
      ],
      users: [{ userPrincipalName: 'ada@contoso.onmicrosoft.com' }],
      throttle: { enabled: false },
    },
  });
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe('createCredential against the simulator', () => {
  it('gets a Graph token with a client secret from a custom authority (no instance discovery)', async () => {
    const env = secretEnv();
    expect(selectCredential(env).kind).toBe('client-secret');
    // login.microsoftonline.com is unreachable here: this only works with instance discovery off.
    const token = await createCredential(env).getToken(GRAPH_SCOPE);
    expect(decodeJwt(token!.token)).toMatchObject({ aud: 'https://graph.microsoft.com', appid: SECRET_APP });
  });

  it('gets an Exchange token with a certificate file (PEM key + cert)', async () => {
    const env = {
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CERT_APP,
      AZURE_CLIENT_CERTIFICATE_PATH: certificatePath,
      AZURE_AUTHORITY_HOST: `${sim.origin}/`,
    };
    expect(selectCredential(env)).toMatchObject({ kind: 'client-certificate', authorityHost: sim.origin });
    const tokens = createTokenSource(createCredential(env), EXCHANGE_SCOPE, createSystemClock());
    const [a, b] = await Promise.all([tokens.getToken(), tokens.getToken()]);
    expect(a).toBe(b);
    expect(decodeJwt(a)).toMatchObject({ aud: 'https://outlook.office365.com', appid: CERT_APP });
  });

  it('keeps a token until shortly before its wall-clock expiry, even under a faster pacing clock', async () => {
    const env = secretEnv();
    const credential = createCredential(env);
    let asked = 0;
    const counting: TokenCredential = {
      getToken: (scopes, options) => {
        asked += 1;
        return credential.getToken(scopes, options);
      },
    };
    // The benchmark's clock: 10,000× the wall, so 0.4 s of wall time passes as ~67 minutes.
    const tokens = createTokenSource(counting, GRAPH_SCOPE, createScaledClock(0.0001));
    const first = await tokens.getToken();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await tokens.getToken()).toBe(first);
    expect(asked).toBe(1);
    // A token the wall clock says is about to expire is renewed.
    let wall = Date.now();
    const aging = createTokenSource(counting, GRAPH_SCOPE, createSystemClock(), { wallNow: () => wall });
    await aging.getToken();
    wall += 2 * 3600_000;
    await aging.getToken();
    expect(asked).toBe(3);
  });

  it('converts a refused secret to a RemoteApiError that does not carry the secret', async () => {
    const env = {
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: SECRET_APP,
      AZURE_CLIENT_SECRET: 'wrong-secret-value',
      AZURE_AUTHORITY_HOST: sim.origin,
    };
    const tokens = createTokenSource(createCredential(env), GRAPH_SCOPE, createSystemClock());
    const err = await tokens.getToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteApiError);
    expect(err).toMatchObject({ service: 'identity' });
    expect((err as Error).message).toMatch(
      /^could not get a token for https:\/\/graph\.microsoft\.com\/\.default: .*AADSTS7000215/,
    );
    expect((err as Error).message).not.toContain('wrong-secret-value');
  });
});

describe('selectCredential', () => {
  it('falls back to workload identity, then managed identity', () => {
    expect(
      selectCredential({
        AZURE_FEDERATED_TOKEN_FILE: '/var/run/token',
        AZURE_TENANT_ID: 't',
        AZURE_CLIENT_ID: 'c',
      }).kind,
    ).toBe('workload-identity');
    expect(selectCredential({}).kind).toBe('managed-identity');
    expect(selectCredential({ AZURE_CLIENT_ID: 'c' }).kind).toBe('managed-identity');
  });

  it('refuses a non-https authority and a secret without tenant', () => {
    expect(() => selectCredential({ AZURE_AUTHORITY_HOST: 'http://login.example' }))
      .toThrowErrorMatchingInlineSnapshot(`
      [ConfigError: invalid configuration (1 problem):
        environment AZURE_AUTHORITY_HOST: error: AZURE_AUTHORITY_HOST must be an https:// URL]
    `);
    expect(() => selectCredential({ AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's' })).toThrowError(
      'AZURE_TENANT_ID is required with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH',
    );
  });
});

describe('readMicrosoftEndpoints', () => {
  it('defaults to Microsoft, accepts a fake, and refuses plain http off loopback', () => {
    expect(readMicrosoftEndpoints({})).toEqual({
      graphUrl: 'https://graph.microsoft.com/v1.0',
      graphBetaUrl: 'https://graph.microsoft.com/beta',
      exchangeUrl: 'https://outlook.office365.com',
    });
    expect(
      readMicrosoftEndpoints({
        ROSTER_GRAPH_URL: 'https://127.0.0.1:4443/',
        ROSTER_EXCHANGE_URL: 'http://localhost:8080',
      }),
    ).toEqual({
      graphUrl: 'https://127.0.0.1:4443/v1.0',
      graphBetaUrl: 'https://127.0.0.1:4443/beta',
      exchangeUrl: 'http://localhost:8080',
    });
    expect(() => readMicrosoftEndpoints({ ROSTER_GRAPH_URL: 'http://graph.example.com' })).toThrowError(
      'ROSTER_GRAPH_URL must be an https:// URL (http:// only for a loopback address)',
    );
    expect(() => readMicrosoftEndpoints({ ROSTER_EXCHANGE_URL: 'https://user:pw@example.com' })).toThrowError(
      'ROSTER_EXCHANGE_URL must not carry credentials, a query or a fragment',
    );
  });
});
