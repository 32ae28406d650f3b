import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/sim/simulator.js';

/** `GET /v1.0/domains` and the Exchange role an app needs besides its token, over real HTTPS. */
const APPS = {
  domains: { id: '11111111-1111-4111-8111-111111111111', graph: ['Domain.Read.All'], exo: true },
  directory: { id: '22222222-2222-4222-8222-222222222222', graph: ['Directory.Read.All'], exo: true },
  users: { id: '33333333-3333-4333-8333-333333333333', graph: ['User.Read.All'], exo: true, role: false },
  noExchange: { id: '44444444-4444-4444-8444-444444444444', graph: [], exo: false },
};
type AppName = keyof typeof APPS;
let sim: Simulator;

beforeAll(async () => {
  sim = await createSimulator({
    seed: {
      tenant: {
        domain: 'contoso.onmicrosoft.com',
        domains: ['contoso.com', 'contoso.no'],
        unverifiedDomains: ['contoso.dev'],
      },
      apps: Object.values(APPS).map((a) => ({
        clientId: a.id,
        clientSecret: 's',
        graphPermissions: a.graph,
        exchangeManageAsApp: a.exo,
        ...('role' in a ? { exchangeRole: a.role } : {}),
      })),
      throttle: { enabled: false },
    },
  });
});
afterAll(() => sim?.close());

async function token(app: AppName, resource: string): Promise<string> {
  const res = await fetch(`${sim.origin}/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: APPS[app].id,
      client_secret: 's',
      scope: `${resource}/.default`,
      grant_type: 'client_credentials',
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function domains(app: AppName) {
  const res = await fetch(`${sim.origin}/v1.0/domains`, {
    headers: { authorization: `Bearer ${await token(app, 'https://graph.microsoft.com')}` },
  });
  return { status: res.status, body: (await res.json()) as { value?: Record<string, unknown>[] } };
}

async function organizationConfig(app: AppName, tenant = 'contoso.onmicrosoft.com') {
  const res = await fetch(`${sim.origin}/adminapi/beta/${tenant}/InvokeCommand`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await token(app, 'https://outlook.office365.com')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ CmdletInput: { CmdletName: 'Get-OrganizationConfig', Parameters: {} } }),
  });
  return { status: res.status, text: await res.text() };
}

describe('GET /v1.0/domains', () => {
  it('lists the initial, verified and unverified domains with their flags', async () => {
    const { status, body } = await domains('domains');
    expect(status).toBe(200);
    const flags = body.value?.map((d) => [d.id, d.isInitial, d.isDefault, d.isVerified]);
    expect(flags).toEqual([
      ['contoso.onmicrosoft.com', true, false, true],
      ['contoso.com', false, true, true],
      ['contoso.no', false, false, true],
      ['contoso.dev', false, false, false],
    ]);
  });

  it('is granted by Directory.Read.All too, and refused without a domain or directory permission', async () => {
    expect((await domains('directory')).status).toBe(200);
    const refused = await domains('users');
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain('Authorization_RequestDenied');
  });
});

describe('the Exchange role', () => {
  it('runs a cmdlet for an app with Exchange.ManageAsApp and a role', async () => {
    const ok = await organizationConfig('domains');
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('PostponeRoamingSignaturesUntilLater');
  });

  it('refuses every cmdlet to an app without a role, with the message clients report', async () => {
    const refused = await organizationConfig('users');
    expect(refused.status).toBe(401);
    expect(refused.text).toContain(`The role assigned to application ${APPS.users.id} isn't supported`);
  });

  it('refuses an app without Exchange.ManageAsApp in its token', async () => {
    expect((await organizationConfig('noExchange')).status).toBe(401);
  });

  it('finds the tenant by its initial domain and not by a domain of another tenant', async () => {
    expect((await organizationConfig('domains', 'contoso.onmicrosoft.com')).status).toBe(200);
    const other = await organizationConfig('domains', 'fabrikam.onmicrosoft.com');
    expect(other.status).toBe(404);
    expect(other.text).toContain("Tenant 'fabrikam.onmicrosoft.com' was not found");
  });
});
