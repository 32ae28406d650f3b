import { describe, expect, it } from 'vitest';
import { createMicrosoftAdapters } from '../adapters/create-microsoft-adapters.js';
import { openRuntime } from '../runtime/open-runtime.js';
import { buildDesired } from '../desired/build-desired.js';
import { createSignatureRenderer } from '../desired/signature-renderer.js';
import { SourceError } from '../errors/roster-error.js';
import { generateHrData, type HrData, type HrEmployee } from '../local/seed-hr.js';
import type { ObservedSignature, ObservedUser } from '../observe/model.js';
import { planChanges } from '../plan/plan-changes.js';
import { renderPlanJson } from '../plan/plan-file.js';
import type { PlanAction } from '../plan/plan-model.js';
import type { SourceRow } from '../desired/model.js';
import { observedState } from '../plan/test-builders.js';
import { createTestWorld, usersFromDesired } from '../../test/support/roster-world.js';
import { makePlan, streamPlan, type PlanProgress } from './make-plan.js';

const employee = (id: number, email: string, over: Partial<HrEmployee> = {}): HrEmployee => ({
  id,
  officeId: 1,
  firstName: `First${id}`,
  lastName: `Last${id}`,
  email,
  title: 'Rådgiver',
  phone: null,
  profileImageUrl: null,
  status: 'active',
  ...over,
});

/**
 * Generated employees plus rows for every rule that crosses slices, placed far apart in the source
 * order (ids) and, by key, in different slices.
 */
function crossSliceHr(): HrData {
  const hr = generateHrData({ employees: 40, offices: 3, seed: 'slices' });
  const crafted = [
    // A duplicate, case-insensitive, one spelled with a KELVIN SIGN that NFC makes a K.
    employee(900, 'Kari.Dup@example.no'),
    employee(901, 'anne.claim@example.no'),
    employee(902, 'bob.claim@example.no'),
    employee(903, 'carl.rule@example.no'),
    employee(904, 'dora.twin@example.no'),
    employee(905, '\u00a0Nbsp.Person@Example.no\u2003'),
    employee(906, 'outside@elsewhere.com'),
    employee(907, 'no.user@example.no'),
    employee(908, 'Øystein@example.no'),
    // Claims the same user as bob (by its userPrincipalName), but cannot be built (title too long).
    employee(909, 'yves.broken@example.no', { title: 'T'.repeat(200) }),
    employee(910, 'zeta.claim@example.no'),
    employee(990, '\u212Aari.dup@example.no'),
  ];
  return { ...hr, employees: [...hr.employees, ...crafted] };
}

const user = (upn: string, over: Record<string, unknown> = {}) => ({
  userPrincipalName: upn,
  mail: upn,
  proxyAddresses: [`SMTP:${upn}`],
  displayName: upn,
  jobTitle: 'Gammel tittel',
  ...over,
});

describe('streamPlan: a plan made slice by slice is the plan of the whole state', () => {
  it('for any slice size, with duplicates, claims, match precedence and odd keys across slices', async () => {
    await using world = await createTestWorld({
      hr: crossSliceHr(),
      settings: {
        photos: { enabled: false },
        guardrails: { maxChanges: '100%', maxSourceShrinkPercent: 20 },
      },
      users: async ({ desired }) => [
        // The generated employees, every third with a stale title (an update each).
        ...usersFromDesired(await desired())
          .filter(
            (u) =>
              /^[a-z]+\.[a-z]+\d*@example\.no$/.test(u.userPrincipalName) &&
              !/claim|rule|twin|dup|nbsp/.test(u.userPrincipalName),
          )
          .map((u, i) => (i % 3 === 0 ? { ...u, jobTitle: 'Gammel tittel' } : u)),
        user('kari.dup@example.no'),
        // One user both anne's (mail) and zeta's (alias): claimed by two employees, matched to neither.
        user('anne.claim@example.no', {
          proxyAddresses: ['SMTP:anne.claim@example.no', 'smtp:zeta.claim@example.no'],
        }),
        // bob's by mail and yves' by UPN; yves is left out by an error, so bob is matched.
        user('yves.broken@example.no', { mail: 'bob.claim@example.no', proxyAddresses: [] }),
        // carl: found by UPN (the first rule that finds anything), not by the other user's alias.
        user('carl.rule@example.no', { mail: 'c1@example.no', proxyAddresses: [] }),
        user('c2@example.no', { proxyAddresses: ['SMTP:c2@example.no', 'smtp:carl.rule@example.no'] }),
        // dora: two users by mail: ambiguous, though a UPN would find one.
        user('dora.twin@example.no'),
        user('d2@example.no', { mail: 'dora.twin@example.no' }),
        user('nbsp.person@example.no'),
      ],
    });
    const runtime = await openRuntime({ dir: world.dir, env: world.env });
    try {
      // The reference: the whole desired state and every user in memory, planned at once.
      const rows: SourceRow[] = [];
      for await (const page of runtime.hrSource.readActive()) rows.push(...page);
      const desired = buildDesired(rows, runtime.config);
      const microsoft = createMicrosoftAdapters({
        env: world.env,
        tenant: runtime.config.settings.tenant,
        rateLimits: runtime.config.settings.rateLimits,
      });
      const users: ObservedUser[] = [];
      for await (const page of microsoft.directory.listUsers(runtime.config.settings.scope.domains))
        users.push(...page);
      const signatures = new Map<string, ObservedSignature>();
      const read = await microsoft.signatures.getMessageConfigs(users.map((u) => u.userPrincipalName));
      read.forEach((r, i) => r.ok && signatures.set(users[i]!.id, r.value));
      const { settings } = runtime.config;
      const observed = observedState(users, {
        signatures,
        roamingSignaturesPostponed: true,
        deepChecked: { photos: false, signatures: true },
      });
      const options = {
        tenantId: settings.tenant.id,
        configRevision: runtime.config.revision,
        scopeDomains: settings.scope.domains,
        photos: false,
        signatures: true,
        guardrails: settings.guardrails,
        whenRoamingEnabled: settings.signatures.whenRoamingEnabled,
        renderSignature: createSignatureRenderer(runtime.config.templates).renderDesired,
      };
      const reference = planChanges(desired, observed, new Map(), options);
      const json = renderPlanJson(reference);
      // The rules were exercised.
      const warned = (kind: string) =>
        reference.warnings.filter((w) => w.kind === kind).map((w) => w.employee);
      expect(warned('ambiguous').sort()).toEqual([
        'anne.claim@example.no',
        'dora.twin@example.no',
        'zeta.claim@example.no',
      ]);
      expect(warned('employee-error')).toEqual(
        expect.arrayContaining(['kari.dup@example.no', 'yves.broken@example.no', 'Øystein@example.no']),
      );
      expect(warned('out-of-scope')).toEqual(['outside@elsewhere.com']);
      const userIdOf = (upn: string) => users.find((u) => u.userPrincipalName === upn)!.id;
      const targets = (email: string) =>
        reference.actions.filter((a) => a.employee === email).map((a) => a.userId);
      expect(targets('bob.claim@example.no')).toEqual([
        userIdOf('yves.broken@example.no'),
        userIdOf('yves.broken@example.no'),
      ]);
      expect(targets('carl.rule@example.no')[0]).toBe(userIdOf('carl.rule@example.no'));
      expect(targets('Nbsp.Person@Example.no')).toHaveLength(2);

      for (const sliceRows of [1, 2, 7, 1000]) {
        const actions: PlanAction[] = [];
        const progress: PlanProgress[] = [];
        const { head } = await streamPlan(
          runtime,
          { deepCheck: 'force', sliceRows },
          { action: (a) => void actions.push(a), progress: (p) => void progress.push(p) },
        );
        expect(renderPlanJson({ ...head, actions }), `slices of ${sliceRows}`).toBe(json);
        // Counted before the first slice, then one report per slice, ending at every row.
        const total = head.sourceCount;
        expect(progress[0]).toEqual({ slices: 0, rows: 0, totalRows: total });
        expect(progress.at(-1)).toEqual({ slices: progress.length - 1, rows: total, totalRows: total });
        // A slice never splits one key's rows, so a slice of 1 may hold 2 (the duplicate).
        expect(progress.length - 1).toBeGreaterThanOrEqual(Math.ceil(total / (sliceRows + 1)));
        expect(progress.every((p, i) => i === 0 || p.rows > progress[i - 1]!.rows)).toBe(true);
      }
      // Restricted to a few employees (claims among them only: anne's rival is not planned), the
      // source still counted whole.
      const only = ['bob.claim@example.no', 'ANNE.claim@example.no', 'kari.dup@example.no'];
      const some = await makePlan(runtime, { deepCheck: 'force', only, sliceRows: 1 });
      expect(renderPlanJson(some.plan)).toBe(
        renderPlanJson(planChanges(desired, observed, new Map(), { ...options, only })),
      );
      expect(some.plan.sourceCount).toBe(reference.sourceCount);
      expect(some.employees.map((e) => [e.email, e.matched])).toEqual([
        ['anne.claim@example.no', true],
        ['bob.claim@example.no', true],
        ['kari.dup@example.no', false],
      ]);
    } finally {
      await runtime.close();
    }
  });

  it('stops before planning anything when the source comes out of key order', async () => {
    await using world = await createTestWorld({ settings: { photos: { enabled: false } } });
    const runtime = await openRuntime({ dir: world.dir, env: world.env });
    try {
      const real = runtime.hrSource;
      // A database that orders emails otherwise (as one without NFC would for a Kelvin sign).
      const reversed = {
        ...real,
        async openSnapshot(keys?: readonly string[]) {
          const snapshot = await real.openSnapshot(keys);
          return {
            close: () => snapshot.close(),
            async *rows(part?: 'all' | 'only') {
              const all: SourceRow[] = [];
              for await (const page of snapshot.rows(part)) all.push(...page);
              yield all.reverse();
            },
          };
        },
      };
      const actions: PlanAction[] = [];
      const run = streamPlan({ ...runtime, hrSource: reversed }, {}, (a) => void actions.push(a));
      await expect(run).rejects.toThrow(SourceError);
      await expect(run).rejects.toThrow(/computes email keys differently from Roster/);
      // A database whose key finds no row for an employee Roster's key finds, in an `only` run.
      const blind = {
        ...real,
        async openSnapshot(keys?: readonly string[]) {
          const snapshot = await real.openSnapshot(keys);
          return {
            close: () => snapshot.close(),
            rows: (part?: 'all' | 'only') =>
              part === 'only' ? (async function* () {})() : snapshot.rows(part),
          };
        },
      };
      const only = [(await world.desired()).employees[0]!.email];
      await expect(
        streamPlan({ ...runtime, hrSource: blind }, { only }, (a) => void actions.push(a)),
      ).rejects.toThrow(/found 0 rows for the employees asked for where Roster found 1/);
      expect(actions).toEqual([]);
    } finally {
      await runtime.close();
    }
  });
});
