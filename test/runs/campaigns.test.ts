import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planHash } from '../../src/plan/plan-file.js';
import type { Plan, SetSignatureAction } from '../../src/plan/plan-model.js';
import { planSourceOf } from '../../src/plan/plan-source.js';
import { collectPlan } from '../../src/runs/collect-plan.js';
import type { ApplyRequest, PlanRequest } from '../../src/runs/run-request.js';
import { run } from '../../src/runs/run.js';
import { openRuntime } from '../../src/runtime/open-runtime.js';
import { createTestWorld, usersFromDesired, type TestWorld } from '../support/roster-world.js';

const HOUR = 3_600_000;
/** The campaign runs a day from now for a week (the clock Roster is given, not the machine's). */
const START = Math.floor(Date.now() / HOUR) * HOUR + 24 * HOUR;
const END = START + 7 * 24 * HOUR;
const local = (instant: number) => new Date(instant).toISOString().slice(0, 16);

const CAMPAIGN = `id: winter-sale
name: Winter sale
banner:
  image: https://www.example.no/banners/winter.png
  width: 480
  alt: Winter sale
  link: https://www.example.no/sale
  utm: { source: email-signature, medium: email }
start: { at: '${local(START)}', timeZone: UTC }
end: { at: '${local(END)}', timeZone: UTC }
target:
  offices: [Bergen Bryggen]
`;

/** Runs through the real runtime with Roster's clock at `now`. */
async function runAt(world: TestWorld, now: number, request: PlanRequest | ApplyRequest) {
  const runtime = await openRuntime({ dir: world.dir, env: world.env });
  try {
    const collected = collectPlan();
    const result = await run({ ...runtime, now: () => new Date(now) }, request, collected);
    return { result, plan: collected.plan()! };
  } finally {
    await runtime.close();
  }
}

function signatures(plan: Plan): SetSignatureAction[] {
  return plan.actions.filter((a): a is SetSignatureAction => a.kind === 'set-signature');
}

/** Every mailbox's signature html in the simulator, by user id. */
function tenantSignatures(world: TestWorld): Record<string, string | undefined> {
  return Object.fromEntries([...world.sim.state.mailboxConfig].map(([id, c]) => [id, c.SignatureHtml]));
}

describe('a signature campaign, end to end against the simulator', () => {
  it('plans a future moment, switches only its audience on time, refuses a stale plan, and removes the banner after downtime', async () => {
    await using world = await createTestWorld({
      users: async ({ desired }) => usersFromDesired(await desired()),
      // Strict: one user per run; campaign switches do not count, everything else does.
      settings: { photos: { enabled: false }, guardrails: { maxChanges: 1, maxSourceShrinkPercent: 20 } },
    });
    const apply = { kind: 'apply' as const, actor: 'test', allowLargeChange: true };
    // Before the campaign file exists: every signature set once (the baseline).
    const baseline = await runAt(world, START - 2 * HOUR, apply);
    expect(baseline.result.failure).toBeUndefined();
    const before = new Map(signatures(baseline.plan).map((a) => [a.employee, a.html]));
    const tenantBefore = tenantSignatures(world);
    await mkdir(join(world.dir, 'desired-state/campaigns'), { recursive: true });
    await writeFile(join(world.dir, 'desired-state/campaigns/winter.yaml'), CAMPAIGN);

    // Now (an hour before): nothing to do, the start is announced with its audience.
    const now = await runAt(world, START - HOUR, { kind: 'plan', actor: 'test' });
    expect(now.plan.actions).toEqual([]);
    const audience = now.plan.campaigns?.upcoming[0]?.audience ?? 0;
    expect(now.plan.campaigns?.upcoming[0]).toMatchObject({
      campaign: 'winter-sale',
      kind: 'start',
      at: new Date(START).toISOString(),
      link: 'https://www.example.no/sale?utm_source=email-signature&utm_medium=email&utm_campaign=winter-sale',
    });
    expect(audience).toBeGreaterThan(1);

    // plan --at the start: exactly the audience switches on, and the limit of 1 does not trip.
    const ahead = await runAt(world, START - HOUR, { kind: 'plan', actor: 'test', at: new Date(START) });
    const switches = signatures(ahead.plan);
    expect(ahead.plan.actions).toHaveLength(audience);
    expect(
      switches.every((a) => a.signatureReason === 'campaign-switch' && a.campaign === 'winter-sale'),
    ).toBe(true);
    expect(ahead.plan.guardrails.find((g) => g.name === 'max-changes')?.tripped).toBe(false);
    expect(ahead.plan.campaigns).toMatchObject({
      switchedUsers: audience,
      validFrom: new Date(START).toISOString(),
    });

    // That plan, saved and applied before the start, is refused: it shows a moment not yet come.
    const early = await runAt(world, START - HOUR, {
      ...apply,
      plan: planSourceOf(ahead.plan, planHash(ahead.plan)),
    });
    expect(String(early.result.failure)).toMatch(/after a campaign boundary that has not come yet/);

    // At the start: only the audience is written, without --allow-large-change.
    const started = await runAt(world, START + 60_000, { kind: 'apply', actor: 'test' });
    expect(started.result.failure).toBeUndefined();
    expect(started.result.apply?.counts).toMatchObject({ applied: audience });
    const tenantDuring = tenantSignatures(world);
    const switched = new Set(signatures(started.plan).map((a) => a.userId));
    for (const [id, html] of Object.entries(tenantBefore)) {
      if (switched.has(id)) expect(tenantDuring[id]).toContain('winter.png');
      else expect(tenantDuring[id]).toBe(html);
    }

    // A plan saved during the campaign and applied after its end is stale.
    const during = await runAt(world, START + HOUR, { kind: 'plan', actor: 'test' });
    const stale = await runAt(world, END + HOUR, {
      ...apply,
      plan: planSourceOf(during.plan, planHash(during.plan)),
    });
    expect(String(stale.result.failure)).toMatch(/the plan is stale: .* campaign winter-sale ended since/);

    // Roster was down over the end: the next run takes the banner off, byte for byte as before.
    const after = await runAt(world, END + 24 * HOUR, { kind: 'apply', actor: 'test' });
    expect(after.result.failure).toBeUndefined();
    const removed = signatures(after.plan);
    expect(removed).toHaveLength(audience);
    for (const a of removed) {
      expect(a).toMatchObject({ signatureReason: 'campaign-switch', campaign: 'winter-sale' });
      expect(a.html).toBe(before.get(a.employee));
    }
    expect(tenantSignatures(world)).toEqual(tenantBefore);
  });

  it("exempts a run nobody reviews (the controller's) only within the audience a reviewed plan showed", async () => {
    await using world = await createTestWorld({
      users: async ({ desired }) => usersFromDesired(await desired()),
      settings: { photos: { enabled: false }, guardrails: { maxChanges: 1, maxSourceShrinkPercent: 20 } },
    });
    const baseline = await runAt(world, START - 2 * HOUR, {
      kind: 'apply',
      actor: 'test',
      allowLargeChange: true,
    });
    expect(baseline.result.failure).toBeUndefined();
    const tenantBefore = tenantSignatures(world);
    await mkdir(join(world.dir, 'desired-state/campaigns'), { recursive: true });
    await writeFile(join(world.dir, 'desired-state/campaigns/winter.yaml'), CAMPAIGN);
    const controllerApply = { kind: 'apply' as const, actor: 'controller:test', review: 'recorded' as const };
    const maxChanges = (plan: Plan) => plan.guardrails.find((g) => g.name === 'max-changes');

    // No reviewed plan showed the campaign: at its start the switch counts like any change.
    const unreviewed = await runAt(world, START + 60_000, controllerApply);
    const audience = signatures(unreviewed.plan).length;
    expect(audience).toBeGreaterThan(1);
    expect(unreviewed.result.outcome).toBe('stopped');
    expect(maxChanges(unreviewed.plan)?.message).toContain(
      `beyond the 0 a reviewed plan showed for campaign winter-sale, counted`,
    );
    expect(unreviewed.plan.campaigns?.beyondReviewed).toEqual([
      { campaign: 'winter-sale', switched: audience, reviewed: 0 },
    ]);
    expect(tenantSignatures(world)).toEqual(tenantBefore);

    // A reviewed plan (a person's `roster plan`) an hour before shows the start and the end with
    // their audiences, and the state database keeps them for the controller.
    const reviewed = await runAt(world, START - HOUR, { kind: 'plan', actor: 'test' });
    expect(reviewed.plan.campaigns?.upcoming.map((u) => u.audience)).toEqual([audience, audience]);
    const runtime = await openRuntime({ dir: world.dir, env: world.env });
    try {
      const shown = await runtime.campaignAudiences!.shownAudiences(world.env.AZURE_TENANT_ID!);
      expect(shown.map((s) => [s.kind, s.at, s.audience])).toEqual([
        ['start', new Date(START).toISOString(), audience],
        ['end', new Date(END).toISOString(), audience],
      ]);
      // Had it shown fewer (more employees joined the office since), those beyond would count.
      await runtime.campaignAudiences!.recordShown(
        world.env.AZURE_TENANT_ID!,
        [{ campaign: 'winter-sale', kind: 'start', at: new Date(START).toISOString(), audience: 1 }],
        new Date(START - HOUR),
      );
      const more = await runAt(world, START + 60_000, controllerApply);
      expect(more.result.outcome).toBe('stopped');
      expect(maxChanges(more.plan)?.message).toContain(
        `and 1 user switching a campaign banner within the reviewed audience, not counted; ${audience - 1} users beyond the 1 a reviewed plan showed`,
      );
      await runAt(world, START - HOUR, { kind: 'plan', actor: 'test' });
    } finally {
      await runtime.close();
    }

    // Within the reviewed audience: the controller's switch goes through with the limit of 1.
    const started = await runAt(world, START + 60_000, controllerApply);
    expect(started.result.failure).toBeUndefined();
    expect(started.result.apply?.counts).toMatchObject({ applied: audience });
    expect(maxChanges(started.plan)).toMatchObject({ tripped: false });
    expect(started.plan.campaigns?.beyondReviewed).toBeUndefined();

    // After downtime over the end: the end's reviewed audience lets the removal through as well.
    const ended = await runAt(world, END + HOUR, controllerApply);
    expect(ended.result.failure).toBeUndefined();
    expect(tenantSignatures(world)).toEqual(tenantBefore);
  });

  it('targets the members of an Entra ID group, nested groups included, read through Graph', async () => {
    const SALES = '11111111-2222-4333-8444-555555555555';
    const NORTH = '66666666-7777-4888-8999-000000000000';
    const permissions = ['User.ReadWrite.All', 'ProfilePhoto.ReadWrite.All', 'PeopleSettings.Read.All'];
    const plan = async (graphPermissions: string[]) => {
      await using world = await createTestWorld({
        users: async ({ desired }) => usersFromDesired(await desired()),
        settings: { photos: { enabled: false } },
        graphPermissions,
        groups: [
          { id: SALES, displayName: 'Sales', members: ['ase.maeland@example.no', NORTH] },
          { id: NORTH, displayName: 'Sales north', members: ['kare.saether@example.no'] },
        ],
      });
      await mkdir(join(world.dir, 'desired-state/campaigns'), { recursive: true });
      await writeFile(
        join(world.dir, 'desired-state/campaigns/winter.yaml'),
        CAMPAIGN.replace('offices: [Bergen Bryggen]', `group: ${SALES.toUpperCase()}`),
      );
      return (await runAt(world, START + HOUR, { kind: 'plan', actor: 'test' })).plan;
    };
    const read = await plan([...permissions, 'GroupMember.Read.All']);
    expect(read.campaigns?.active).toMatchObject([{ campaign: 'winter-sale', audience: 2 }]);
    const banners = signatures(read).filter((a) => a.html.includes('winter.png'));
    expect(banners.map((a) => a.employee).sort()).toEqual([
      'ase.maeland@example.no',
      'kare.saether@example.no',
    ]);
    expect(read.warnings.filter((w) => w.kind === 'campaign')).toEqual([]);

    // Without the permission the group selects nobody, the plan says why, and the rest goes on.
    const refused = await plan(permissions);
    expect(refused.campaigns?.active).toMatchObject([{ campaign: 'winter-sale', audience: 0 }]);
    expect(signatures(refused).some((a) => a.html.includes('winter.png'))).toBe(false);
    expect(signatures(refused).length).toBe(signatures(read).length);
    expect(refused.warnings.find((w) => w.kind === 'campaign')?.message).toMatch(
      /the members of group 11111111-2222-4333-8444-555555555555 could not be read \(.*403.*GroupMember\.Read\.All/,
    );
  });
});
