import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMicrosoftAdapters,
  type MicrosoftAdapters,
} from '../../src/adapters/create-microsoft-adapters.js';
import type { RateLimitSettings } from '../../src/config/settings.js';
import { createInMemoryApiMetrics, type InMemoryApiMetrics } from '../../src/http/api-metrics.js';
import { defaultBehaviourSettings } from '../../src/sim/seed.js';
import { createSimulator, type Simulator } from '../../src/sim/simulator.js';
import { learnedBefore } from '../support/learned-pace.js';

const TENANT = 'contoso.onmicrosoft.com';
const ADMIN = '11111111-1111-4111-8111-111111111111';
const GRAPH_ONLY = '22222222-2222-4222-8222-222222222222';
const SECRET = 'test-only-exchange-secret';

const LIMITS: RateLimitSettings = {
  graphReadsPer10s: 3_500,
  graphWritesPer150s: 3_000,
  graphConcurrency: 4,
  photoConcurrencyPerMailbox: 4,
  photoRequestsPer10min: 10_000,
  exchangeRequestsPerMinute: 300,
  exchangeConcurrency: 3,
  maxRetries: 5,
  maxBackoffMs: 1_000,
};

let sim: Simulator;
let adapters: MicrosoftAdapters;
let metrics: InMemoryApiMetrics;

function create(clientId: string) {
  return createMicrosoftAdapters({
    env: {
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: clientId,
      AZURE_CLIENT_SECRET: SECRET,
      AZURE_AUTHORITY_HOST: sim.origin,
      ROSTER_GRAPH_URL: sim.origin,
      ROSTER_EXCHANGE_URL: sim.origin,
    },
    tenant: { id: sim.state.tenantId, domain: TENANT },
    rateLimits: LIMITS,
    learnedPacing: learnedBefore(),
    metrics,
  });
}

beforeAll(async () => {
  sim = await createSimulator({
    seed: {
      tenant: { domain: TENANT, domains: ['contoso.com'] },
      apps: [
        {
          clientId: ADMIN,
          clientSecret: SECRET,
          graphPermissions: ['User.Read.All'],
          exchangeManageAsApp: true,
        },
        { clientId: GRAPH_ONLY, clientSecret: SECRET, graphPermissions: ['User.Read.All'] },
      ],
      users: Array.from({ length: 8 }, (_, i) => ({
        userPrincipalName: `user${i}@contoso.com`,
        mailbox: { SignatureHtml: `<p>old ${i}</p>`, SignatureText: `old ${i}`, AutoAddSignature: true },
      })),
      // Exact: no 429 at all is expected, so none below the limits either.
      throttle: {
        enabled: true,
        exchangeConcurrency: 3,
        exchangeRequestsPerMinute: 1_000,
        subLimit429Rate: 0,
      },
    },
  });
  metrics = createInMemoryApiMetrics();
  adapters = create(ADMIN);
});
afterAll(() => sim?.close());

describe('Exchange signatures adapter', () => {
  it('reads many configurations concurrently within the limit, failing only the unknown mailbox', async () => {
    const identities = Array.from({ length: 8 }, (_, i) => `user${i}@contoso.com`);
    const results = await adapters.signatures.getMessageConfigs([...identities, 'ghost@contoso.com']);
    expect(results.slice(0, 8).every((r) => r.ok)).toBe(true);
    expect(results[3]).toEqual({
      id: 'user3@contoso.com',
      ok: true,
      value: {
        html: '<p>old 3</p>',
        text: 'old 3',
        autoAddSignature: true,
        autoAddSignatureOnReply: false,
        autoAddSignatureOnMobile: false,
        useDefaultSignatureOnMobile: false,
      },
    });
    expect(results[8]).toMatchObject({
      id: 'ghost@contoso.com',
      ok: false,
      error: {
        service: 'exchange',
        status: 404,
        // The code and exception type of the `code|type|message` detail; the message is the text.
        errorCode: expect.stringMatching(
          /^Ex[0-9A-F]{6}\|Microsoft\.Exchange\.Configuration\.Tasks\.ManagementObjectNotFoundException$/,
        ),
      },
    });
    const message = (results[8] as { error: Error }).error.message;
    expect(message).toMatch(
      /^exchange Get-MailboxMessageConfiguration: 404 NotFound: The operation couldn't be performed because object 'ghost@contoso\.com' couldn't be found on '.+'\. \(request-id [0-9a-f-]+\)$/,
    );
    // The simulator refuses a 4th concurrent call with a 429: the limiter never let one happen.
    expect(sim.statsSnapshot().maxExchangeConcurrency).toBeLessThanOrEqual(3);
    expect(metrics.snapshot().throttled.exchange).toBeUndefined();
  });

  it('sets a signature and surfaces the roaming-signatures warning', async () => {
    const { warnings } = await adapters.signatures.setMessageConfig('user1@contoso.com', {
      html: '<table><tr><td>Ada</td></tr></table>',
      text: 'Ada',
      autoAddSignatureOnReply: true,
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('PostponeRoamingSignaturesUntilLater is False');
    const [after] = await adapters.signatures.getMessageConfigs(['user1@contoso.com']);
    expect(after).toMatchObject({
      ok: true,
      value: { text: 'Ada', autoAddSignature: true, autoAddSignatureOnReply: true },
    });
    expect((after as { value: { html: string } }).value.html).toContain('Ada');
  });

  it('reads PostponeRoamingSignaturesUntilLater', async () => {
    await expect(adapters.orgSettings.getRoamingSignaturesPostponed()).resolves.toBe(false);
    sim.patchOrganizationConfig({ PostponeRoamingSignaturesUntilLater: true });
    await expect(adapters.orgSettings.getRoamingSignaturesPostponed()).resolves.toBe(true);
    const { warnings } = await adapters.signatures.setMessageConfig('user2@contoso.com', { text: 'Bo' });
    expect(warnings).toEqual([]);
  });

  it('converts a refused call to a RemoteApiError', async () => {
    const err = await create(GRAPH_ONLY)
      .orgSettings.getRoamingSignaturesPostponed()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'RemoteApiError', service: 'exchange', status: 401 });
    expect((err as Error).message).toMatch(/^exchange Get-OrganizationConfig: 401/);
  });
});

describe('2xx answers without a JSON body', () => {
  async function withBodies(
    share: 'exchangeEmptyBodyShare' | 'exchangeNonJsonBodyShare',
    run: () => Promise<void>,
  ) {
    sim.state.behaviour = { ...defaultBehaviourSettings(), [share]: 1 };
    try {
      await run();
    } finally {
      delete sim.state.behaviour;
    }
  }

  it.each([
    ['exchangeEmptyBodyShare', 'the body is empty'],
    ['exchangeNonJsonBodyShare', 'the body is not JSON'],
  ] as const)('%s: a Get- fails that one read, a Set- succeeds with no value', async (share, problem) => {
    await withBodies(share, async () => {
      const results = await adapters.signatures.getMessageConfigs(['user4@contoso.com', 'user5@contoso.com']);
      expect(results.map((r) => r.ok)).toEqual([false, false]);
      const failure = (results[0] as { error: Error & { errorCode: string } }).error;
      expect(failure).toMatchObject({ name: 'RemoteApiError', service: 'exchange', status: 200 });
      expect(failure.errorCode).toBe('MalformedResponse');
      expect(failure.message).toMatch(
        new RegExp(
          `^exchange POST /adminapi/beta/\\{tenant\\}/InvokeCommand \\(Get-MailboxMessageConfiguration\\): 200 with a malformed body: ${problem} \\(request-id .+\\)$`,
        ),
      );
      await expect(adapters.orgSettings.getRoamingSignaturesPostponed()).rejects.toMatchObject({
        name: 'RemoteApiError',
        errorCode: 'MalformedResponse',
      });
      await expect(
        adapters.signatures.setMessageConfig('user4@contoso.com', { text: share }),
      ).resolves.toEqual({
        warnings: [],
      });
    });
    const [after] = await adapters.signatures.getMessageConfigs(['user4@contoso.com']);
    expect(after).toMatchObject({ ok: true, value: { text: share } });
  });
});
