import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ControllerStatus } from '../../src/controller/status-model.js';
import { startControllerServer } from '../../src/runtime/controller-runtime.js';
import { createMetrics } from '../../src/server/metrics.js';
import { createTestWorld, usersFromDesired } from '../support/roster-world.js';
import { captureLogger, controllerSettings, waitFor } from './controller-harness.js';

/** `GET /status` bodies checked against the status API's own description. */
function statusValidator() {
  const doc = parse(readFileSync(new URL('../../schemas/status-api.openapi.yaml', import.meta.url), 'utf8'));
  const ajv = new Ajv({ strict: false, validateFormats: false });
  ajv.addSchema(doc, 'status-api');
  return ajv.getSchema('status-api#/components/schemas/ControllerStatus')!;
}

describe('the controller preflight', () => {
  it('shows the checks as a condition, and /readyz follows the last cycle without calling the tenant', async () => {
    let requests = 0;
    await using world = await createTestWorld({
      settings: { ...controllerSettings('observe', '1h'), signatures: { enabled: true } },
      users: async ({ desired }) => usersFromDesired(await desired()),
      onRequest: () => void (requests += 1),
    });
    // The app was given Exchange.ManageAsApp, but no Exchange role.
    world.sim.state.apps[0]!.exchangeRole = false;
    const server = await startControllerServer({
      dir: world.dir,
      env: world.env,
      logger: captureLogger().logger,
      port: 0,
      identity: 'replica-a',
      metrics: createMetrics({ defaultMetrics: false }),
    });
    const valid = statusValidator();
    const status = async () => {
      const body = (await (await fetch(`${server.url}/status`)).json()) as ControllerStatus;
      expect(valid(body), JSON.stringify(valid.errors)).toBe(true);
      return body;
    };
    const readyz = async () => {
      const res = await fetch(`${server.url}/readyz`);
      return {
        status: res.status,
        body: (await res.json()) as { checks: Record<string, { ok: boolean; message?: string }> },
      };
    };
    const condition = (s: ControllerStatus) => s.conditions.find((c) => c.type === 'Preflight');
    try {
      await waitFor(() => server.controller.status().lastRun, 20_000, 'the start run');
      const broken = await status();
      expect(condition(broken)).toMatchObject({ status: 'False', reason: 'ChecksFailed' });
      expect(condition(broken)?.message).toMatch(
        /^1 check\(s\) failed: exchange-role: .*isn't supported in this scenario/,
      );
      expect(broken.preflight?.findings.find((f) => f.check === 'exchange-role')).toMatchObject({
        status: 'error',
        link: 'docs/azure-setup.md#doctor-exchange-role',
      });
      expect(broken.preflight?.deepCheckedAt).toBe(broken.preflight?.checkedAt);
      // The checks are not a reason to stop the run: it ran, and says what it could not read.
      expect(broken.lastRun).toMatchObject({ kind: 'plan', outcome: 'succeeded' });

      const before = requests;
      for (let i = 0; i < 5; i++) {
        const probe = await readyz();
        expect(probe.status).toBe(503);
        expect(probe.body.checks.tenant).toMatchObject({ ok: false });
        expect(probe.body.checks.tenant?.message).toMatch(/found: exchange-role: /);
      }
      expect(requests).toBe(before);

      // The role is assigned: the next cycle finds it, and readiness follows without a probe asking.
      world.sim.state.apps[0]!.exchangeRole = true;
      expect((await readyz()).status).toBe(503);
      await server.controller.runOnce();
      const fixed = await status();
      // The seeded HR data has two employees with errors: a warning, kept from the deep check.
      expect(condition(fixed)).toMatchObject({ status: 'True', reason: 'ChecksPassedWithWarnings' });
      expect(fixed.preflight?.findings.filter((f) => f.status === 'error')).toEqual([]);
      expect(fixed.preflight?.deepCheckedAt).toBe(broken.preflight?.deepCheckedAt);
      expect(fixed.preflight?.findings.find((f) => f.check === 'match-share')).toMatchObject({
        status: 'ok',
      });
      const after = requests;
      for (let i = 0; i < 5; i++) {
        const probe = await readyz();
        expect(probe.status).toBe(200);
        expect(probe.body.checks.tenant?.message).toMatch(/^the preflight at .* reached the tenant$/);
      }
      expect(requests).toBe(after);
    } finally {
      await server.close();
    }
  });
});
