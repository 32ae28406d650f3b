import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM_MAILBOX_GUID } from '../../src/sim/exchange.js';
import { drawBudget, type BudgetDraw } from '../../src/sim/hidden-budget.js';
import { createSimulator, type Simulator } from '../../src/sim/simulator.js';

/** The hidden Exchange budget and `$batch` over real HTTPS, moved by the control plane's clock. */
const CLIENT_ID = '11111111-1111-4111-8111-111111111111';
const ANCHOR = `APP:SystemMailbox{${SYSTEM_MAILBOX_GUID}}@contoso.onmicrosoft.com`;
let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(budgetSeed: number): Promise<{ sim: Simulator; token: string }> {
  sim = await createSimulator({
    budgetSeed,
    seed: {
      tenant: { domain: 'contoso.onmicrosoft.com' },
      apps: [{ clientId: CLIENT_ID, clientSecret: 's', exchangeManageAsApp: true }],
      users: [{ userPrincipalName: 'alice@contoso.com' }],
      throttle: { subLimit429Rate: 0, fractionalRetryAfterShare: 0, missingRetryAfterShare: 0 },
    },
  });
  const res = await fetch(`${sim.origin}/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: CLIENT_ID,
      client_secret: 's',
      scope: 'https://outlook.office365.com/.default',
      grant_type: 'client_credentials',
    }),
  });
  return { sim, token: ((await res.json()) as { access_token: string }).access_token };
}

/** The first seed whose draw fits, so the test follows the draw instead of hard-coding it. */
function seedWhere(fits: (d: BudgetDraw['exchange']) => boolean): number {
  for (let seed = 1; seed < 500; seed++) if (fits(drawBudget(seed).exchange)) return seed;
  throw new Error('no such draw');
}

async function control(s: Simulator, path: string, init: RequestInit = {}) {
  const res = await fetch(`${s.controlOrigin}${path}`, init);
  return res.json() as Promise<Record<string, unknown>>;
}

function invoke(s: Simulator, token: string, path = 'InvokeCommand', body?: unknown) {
  return fetch(`${s.origin}/adminapi/beta/${s.state.tenantId}/${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-anchormailbox': ANCHOR,
    },
    body: JSON.stringify(body ?? { CmdletInput: { CmdletName: 'Get-OrganizationConfig' } }),
  });
}

describe('the hidden Exchange budget over HTTPS', () => {
  it('is shown by the control plane, enforced by the service, and refilled by the control clock', async () => {
    const seed = seedWhere(
      (d) =>
        d.shape === 'fixed-window' &&
        d.rateLimitHeaders &&
        d.retryAfter &&
        d.windowSeconds >= 10 &&
        d.requests <= 300,
    );
    const { sim: s, token } = await start(seed);
    const budget = await control(s, '/_sim/budget');
    expect(budget).toEqual(JSON.parse(JSON.stringify(s.hiddenBudget())));
    const { requests, windowSeconds } = drawBudget(seed).exchange;
    expect(budget.exchange).toEqual(drawBudget(seed).exchange);
    for (let i = 1; i <= requests; i++) {
      const res = await invoke(s, token);
      expect(res.status).toBe(200);
      expect(res.headers.get('rate-limit-remaining')).toBe(String(requests - i));
    }
    const refused = await invoke(s, token);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(windowSeconds);
    await control(s, '/_sim/clock', {
      method: 'POST',
      body: JSON.stringify({ advanceMs: windowSeconds * 1000 }),
    });
    expect((await invoke(s, token)).status).toBe(200);
  });

  it('sends the rate headers and Retry-After only when the draw says so', async () => {
    const quiet = seedWhere((d) => !d.rateLimitHeaders && !d.retryAfter && d.requests <= 300);
    const { sim: s, token } = await start(quiet);
    let res = await invoke(s, token);
    expect(res.status).toBe(200);
    expect(res.headers.get('rate-limit-remaining')).toBeNull();
    while (res.status === 200) res = await invoke(s, token);
    expect(res.status).toBe(429);
    expect([res.headers.get('retry-after'), res.headers.get('rate-limit-reset')]).toEqual([null, null]);
    await s.close();
    const loud = await start(seedWhere((d) => d.rateLimitHeaders && d.retryAfter && d.requests <= 300));
    res = await invoke(loud.sim, loud.token);
    expect(res.headers.get('rate-limit-remaining')).toMatch(/^\d+$/);
    expect(res.headers.get('rate-limit-reset')).toMatch(/^\d+(\.\d+)?$/);
  });
});

describe('Exchange $batch', () => {
  it('counts each item against the budget: items past it are 429s inside a 200 envelope', async () => {
    const { sim: s, token } = await start(1);
    const explicit = {
      shape: 'token-bucket',
      requests: 4,
      windowSeconds: 60,
      concurrency: 1,
      rateLimitHeaders: true,
      retryAfter: true,
    };
    await control(s, '/_sim/throttle', { method: 'PATCH', body: JSON.stringify({ exchange: explicit }) });
    const tenant = s.state.tenantId;
    // As CIPP sends them: absolute urls on the real host, headers per item, ids GUIDs (here short).
    const requests = Array.from({ length: 10 }, (_, i) => ({
      id: `item-${i}`,
      method: 'POST',
      url:
        i % 2 === 0
          ? `https://outlook.office365.com/adminapi/beta/${tenant}/InvokeCommand?$select=Identity`
          : `/adminapi/beta/${tenant}/InvokeCommand`,
      headers: { 'X-CmdletName': 'Get-Mailbox', 'X-AnchorMailbox': ANCHOR },
      body: { CmdletInput: { CmdletName: 'Get-Mailbox', Parameters: { Identity: 'alice@contoso.com' } } },
    }));
    const res = await invoke(s, token, '$batch', { requests });
    expect(res.status).toBe(200);
    const { responses } = (await res.json()) as {
      responses: {
        id: string;
        status: number;
        headers: Record<string, string>;
        body: { value?: unknown[] };
      }[];
    };
    expect(responses.map((r) => r.id).sort()).toEqual(requests.map((r) => r.id).sort());
    const byId = new Map(responses.map((r) => [r.id, r]));
    // One after another, in request order: the first four fit the budget.
    expect(requests.map((r) => byId.get(r.id)?.status)).toEqual([
      200, 200, 200, 200, 429, 429, 429, 429, 429, 429,
    ]);
    const alice = [...s.state.users.values()][0]!;
    expect(byId.get('item-0')?.body.value).toEqual([{ Identity: alice.id }]);
    expect(byId.get('item-1')?.body.value).toMatchObject([{ PrimarySmtpAddress: 'alice@contoso.com' }]);
    expect(byId.get('item-9')?.headers).toMatchObject({
      'retry-after': expect.any(String),
      'rate-limit-remaining': '0',
    });
    const stats = s.statsSnapshot().requests;
    expect(stats[`POST /adminapi/beta/{tenant}/InvokeCommand 200`]).toBe(4);
    expect(stats[`POST /adminapi/beta/{tenant}/InvokeCommand 429`]).toBe(6);
    expect(stats[`POST /adminapi/beta/{tenant}/$batch 200`]).toBe(1);
    expect(s.stats.maxExchangeConcurrency).toBe(1);
  });

  it('refuses more than 10 items, and anything but POST to InvokeCommand', async () => {
    const { sim: s, token } = await start(1);
    const item = (id: string, extra: object = {}) => ({
      id,
      method: 'POST',
      url: `/adminapi/beta/${s.state.tenantId}/InvokeCommand`,
      body: { CmdletInput: { CmdletName: 'Get-OrganizationConfig' } },
      ...extra,
    });
    const eleven = Array.from({ length: 11 }, (_, i) => item(String(i)));
    expect((await invoke(s, token, '$batch', { requests: eleven })).status).toBe(400);
    expect((await invoke(s, token, '$batch', { requests: [item('a', { method: 'GET' })] })).status).toBe(400);
    expect((await invoke(s, token, '$batch', { requests: [item('a'), item('A')] })).status).toBe(400);
    const nested = item('a', { url: `/adminapi/beta/${s.state.tenantId}/$batch` });
    expect((await invoke(s, token, '$batch', { requests: [nested] })).status).toBe(400);
    expect(s.statsSnapshot().requests[`POST /adminapi/beta/{tenant}/InvokeCommand 200`]).toBeUndefined();
  });
});
