import { ClientCertificateCredential, ClientSecretCredential } from '@azure/identity';
import { SignJWT, decodeJwt, importPKCS8 } from 'jose';
import { X509Certificate, createHash, randomUUID } from 'node:crypto';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimSeed } from './seed.js';
import { createSimulator, type Simulator } from './simulator.js';

const TENANT = 'contoso.onmicrosoft.com';
const GRAPH_APP = '11111111-1111-4111-8111-111111111111';
const CERT_APP = '22222222-2222-4222-8222-222222222222';
const SECRET = 'not-a-real-secret~value';

let sim: Simulator;
let certPem: string;
let keyPem: string;

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'roster-test-app' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  certPem = pems.cert;
  keyPem = pems.private;
  const seed: SimSeed = {
    tenant: { domain: TENANT, domains: ['contoso.com'] },
    apps: [
      { clientId: GRAPH_APP, clientSecret: SECRET, graphPermissions: ['User.ReadWrite.All'] },
      { clientId: CERT_APP, certificatePem: certPem, graphPermissions: [], exchangeManageAsApp: true },
    ],
    users: [{ userPrincipalName: 'ada@contoso.com', givenName: 'Ada', surname: 'Lovelace' }],
    throttle: { enabled: false },
  };
  sim = await createSimulator({ seed });
});
afterAll(() => sim.close());

function options() {
  return { authorityHost: sim.origin, disableInstanceDiscovery: true };
}

async function tokenRequest(form: Record<string, string>, tenant = TENANT) {
  const res = await fetch(`${sim.origin}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A client assertion like MSAL's, with knobs to break it. */
async function assertion(
  overrides: { aud?: string; iss?: string; key?: string; x5t?: string; exp?: number } = {},
) {
  const key = await importPKCS8(overrides.key ?? keyPem, 'PS256');
  const now = Math.floor(Date.now() / 1000);
  const x5t =
    overrides.x5t ?? createHash('sha256').update(new X509Certificate(certPem).raw).digest('base64url');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'PS256', typ: 'JWT', 'x5t#S256': x5t })
    .setAudience(overrides.aud ?? `${sim.origin}/${sim.state.tenantId}/oauth2/v2.0/token`)
    .setIssuer(overrides.iss ?? CERT_APP)
    .setSubject(CERT_APP)
    .setJti(randomUUID())
    .setNotBefore(now)
    .setIssuedAt(now)
    .setExpirationTime(overrides.exp ?? now + 600)
    .sign(key);
}

describe('token flows through unmodified @azure/identity', () => {
  it('issues a Graph token for a client secret', async () => {
    const credential = new ClientSecretCredential(TENANT, GRAPH_APP, SECRET, options());
    const token = await credential.getToken('https://graph.microsoft.com/.default');
    const claims = decodeJwt(token.token);
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      appid: GRAPH_APP,
      tid: sim.state.tenantId,
      roles: ['User.ReadWrite.All'],
      iss: `https://sts.windows.net/${sim.state.tenantId}/`,
    });
    expect(token.expiresOnTimestamp - Date.now()).toBeGreaterThan(3500_000);
    const res = await fetch(`${sim.origin}/v1.0/users`, {
      headers: { authorization: `Bearer ${token.token}` },
    });
    expect(res.status).toBe(200);
  });

  it('issues an Exchange token for a certificate (client assertion)', async () => {
    const credential = new ClientCertificateCredential(
      sim.state.tenantId,
      CERT_APP,
      { certificate: `${certPem}\n${keyPem}` },
      options(),
    );
    const token = await credential.getToken('https://outlook.office365.com/.default');
    expect(decodeJwt(token.token)).toMatchObject({
      aud: 'https://outlook.office365.com',
      appid: CERT_APP,
      appidacr: '2',
      roles: ['Exchange.ManageAsApp'],
    });
  });

  it('rejects a wrong secret through the credential with the AADSTS code', async () => {
    const credential = new ClientSecretCredential(TENANT, GRAPH_APP, 'wrong', options());
    await expect(credential.getToken('https://graph.microsoft.com/.default')).rejects.toThrow(
      /AADSTS7000215/,
    );
  });
});

describe('token endpoint errors', () => {
  const base = {
    grant_type: 'client_credentials',
    client_id: GRAPH_APP,
    client_secret: SECRET,
    scope: 'https://graph.microsoft.com/.default',
  };

  it.each([
    [
      'unknown client',
      { client_id: '99999999-9999-4999-8999-999999999999' },
      400,
      'unauthorized_client',
      700016,
    ],
    ['bad secret', { client_secret: 'nope' }, 401, 'invalid_client', 7000215],
    ['no credential', { client_secret: '' }, 401, 'invalid_client', 7000218],
    [
      'scope without /.default',
      { scope: 'https://graph.microsoft.com/User.Read.All' },
      400,
      'invalid_scope',
      1002012,
    ],
    [
      'two resources',
      { scope: 'https://graph.microsoft.com/.default https://outlook.office365.com/.default' },
      400,
      'invalid_scope',
      28000,
    ],
    ['unknown resource', { scope: 'https://example.invalid/.default' }, 400, 'invalid_resource', 500011],
    ['unsupported grant', { grant_type: 'password' }, 400, 'unsupported_grant_type', 70003],
    ['missing scope', { scope: '' }, 400, 'invalid_request', 900144],
  ])('%s', async (_name, change, status, error, code) => {
    const form = Object.fromEntries(Object.entries({ ...base, ...change }).filter(([, v]) => v !== ''));
    const res = await tokenRequest(form);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error, error_codes: [code] });
    expect(res.body.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
    expect(res.body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  });

  it('refuses an unknown tenant with AADSTS90002', async () => {
    const res = await tokenRequest(base, 'fabrikam.onmicrosoft.com');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request', error_codes: [90002] });
    expect(String(res.body.error_description)).toContain("Tenant 'fabrikam.onmicrosoft.com' not found.");
  });

  it('never echoes the secret', async () => {
    const res = await tokenRequest({ ...base, client_secret: 'leak-me-not' });
    expect(JSON.stringify(res.body)).not.toContain('leak-me-not');
  });

  it('accepts a well-formed assertion and refuses broken ones with AADSTS700027', async () => {
    const form = (client_assertion: string) => ({
      grant_type: 'client_credentials',
      client_id: CERT_APP,
      scope: 'https://outlook.office365.com/.default',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion,
    });
    expect((await tokenRequest(form(await assertion()))).status).toBe(200);
    const other = await generate([{ name: 'commonName', value: 'other' }], { keySize: 2048 });
    const broken = [
      await assertion({ aud: 'https://login.microsoftonline.com/x/oauth2/v2.0/token' }),
      await assertion({ iss: GRAPH_APP }),
      await assertion({ key: other.private }),
      await assertion({ x5t: 'AAAA' }),
      await assertion({ exp: Math.floor(Date.now() / 1000) - 3600 }),
      'not-a-jwt',
    ];
    for (const a of broken) {
      const res = await tokenRequest(form(a));
      expect(res.status, a.slice(0, 40)).toBe(401);
      expect(res.body).toMatchObject({ error: 'invalid_client', error_codes: [700027] });
    }
  });

  it('answers 503 temporarily_unavailable during a token outage', async () => {
    sim.patchFaults({ tokenOutageUntil: sim.now() + 60_000 });
    try {
      const res = await tokenRequest(base);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: 'temporarily_unavailable' });
    } finally {
      sim.patchFaults({ tokenOutageUntil: null } as never);
    }
    expect((await tokenRequest(base)).status).toBe(200);
  });
});

describe('discovery documents', () => {
  it('serves the OpenID configuration on the simulator origin, and 400 for another tenant', async () => {
    const res = await fetch(`${sim.origin}/${TENANT}/v2.0/.well-known/openid-configuration`);
    const doc = (await res.json()) as Record<string, string>;
    expect(doc.token_endpoint).toBe(`${sim.origin}/${sim.state.tenantId}/oauth2/v2.0/token`);
    expect(doc.issuer).toBe(`${sim.origin}/${sim.state.tenantId}/v2.0`);
    expect(doc.jwks_uri).toBe(`${sim.origin}/${sim.state.tenantId}/discovery/v2.0/keys`);
    expect(doc.authorization_endpoint).toMatch(new RegExp(`^${sim.origin}/`));
    const keys = (await (await fetch(doc.jwks_uri!)).json()) as { keys: Array<{ kty: string }> };
    expect(keys.keys[0]?.kty).toBe('RSA');
    const other = await fetch(`${sim.origin}/nobody.example/v2.0/.well-known/openid-configuration`);
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
  });

  it('serves instance discovery pointing at itself', async () => {
    const res = await fetch(`${sim.origin}/common/discovery/instance?api-version=1.1`);
    expect(await res.json()).toMatchObject({
      tenant_discovery_endpoint: `${sim.origin}/${sim.state.tenantId}/v2.0/.well-known/openid-configuration`,
    });
  });
});
