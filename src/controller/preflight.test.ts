import { describe, expect, it } from 'vitest';
import { buildConfig, buildSettings } from '../../test/support/builders.js';
import { deps, healthy } from '../../test/support/doctor-tenant.js';
import type { Finding } from '../doctor/finding.js';
import { createLogger } from '../logging/logger.js';
import type { ControllerRuntime } from './controller-runs.js';
import { createPreflight, tenantReadiness } from './preflight.js';

describe('the controller preflight', () => {
  it('runs the deep checks on the deep-check cadence and when the revision changes, keeping them between', async () => {
    let now = new Date('2025-03-01T00:00:00Z');
    const d = deps(healthy());
    let listings = 0;
    const listUsers = d.tenant!.directory.listUsers.bind(d.tenant!.directory);
    d.tenant!.directory.listUsers = (domains) => {
      listings += 1;
      return listUsers(domains);
    };
    const runtime = { hrSource: d.hrSource, preflight: { credential: d.credential, tenant: d.tenant! } };
    const config = (revision: string) =>
      buildConfig({
        revision,
        settings: buildSettings({
          schedule: { ...buildSettings().schedule, deepCheckIntervalSeconds: 3600 },
        }),
      });
    const preflight = createPreflight({ now: () => now, logger: createLogger({ level: 'silent' }) });
    expect(preflight.current()).toBeUndefined();

    const cycle = async (revision: string, minutes: number) => {
      now = new Date(now.getTime() + minutes * 60_000);
      await preflight.run(runtime as unknown as ControllerRuntime, config(revision));
      const status = preflight.current()!;
      return { listings, status, match: status.findings.find((f) => f.check === 'match-share') };
    };
    const first = await cycle('a', 0);
    expect(first).toMatchObject({ listings: 1, match: { status: 'ok' } });
    expect(first.status.deepCheckedAt).toBe(first.status.checkedAt);

    const second = await cycle('a', 30);
    expect(second).toMatchObject({ listings: 1, match: { status: 'ok' } });
    expect(second.status.deepCheckedAt).toBe(first.status.checkedAt);
    expect(second.status.checkedAt).toBe('2025-03-01T00:30:00.000Z');
    expect(second.status.findings.map((f) => f.check)).toEqual(first.status.findings.map((f) => f.check));

    expect((await cycle('a', 30)).listings).toBe(2);
    expect((await cycle('a', 1)).listings).toBe(2);
    expect((await cycle('b', 1)).listings).toBe(3);
  });
});

describe("readiness's tenant check", () => {
  const at = '2025-03-01T00:00:00.000Z';
  const found = (check: Finding['check'], status: Finding['status']): Finding => ({
    check,
    status,
    message: `${check} ${status}`,
  });

  it.each<[string, Finding[] | undefined, boolean | undefined, { ok: boolean; message?: string }]>([
    ['nothing known yet', undefined, undefined, { ok: true, message: 'not checked yet' }],
    [
      'the last run could not reach the tenant',
      undefined,
      false,
      { ok: false, message: 'the last run could not reach the tenant' },
    ],
    [
      'an access check failed',
      [found('graph-token', 'ok'), found('exchange-role', 'error')],
      true,
      { ok: false, message: `the preflight at ${at} found: exchange-role: exchange-role error` },
    ],
    [
      'a setting of the tenant is wrong, access is fine',
      [found('roaming-signatures', 'error'), found('match-share', 'error')],
      true,
      { ok: true, message: `the preflight at ${at} reached the tenant` },
    ],
    [
      'the preflight passed but the run could not reach the tenant',
      [found('graph-token', 'ok')],
      false,
      { ok: false, message: 'the last run could not reach the tenant' },
    ],
  ])('%s', (_name, findings, reachable, expected) => {
    expect(tenantReadiness(findings ? { checkedAt: at, findings } : undefined, reachable)).toEqual(expected);
  });
});
