import { describe, expect, it } from 'vitest';
import { observedSignatureFingerprint } from '../../src/plan/fingerprints.js';
import {
  applyPlan,
  desired,
  options,
  simUser,
  startApplyWorld,
  upn,
  type ApplyWorld,
} from './apply-world.js';

/**
 * Writes that reads show late (docs/microsoft-365.md#unpublished-propagation): the simulator
 * draws a lag per write, up to 10 minutes (scaled by the world's time scale, 0.02: 12 s of its
 * clock), and reads show the old photo and signature until it has passed.
 */
const LAGGING = { behaviour: { propagation: { photoMaxMs: 600_000, signatureMaxMs: 600_000 } } };

/** What the tenant truly holds (the control plane sees every write at once). */
function truth(world: ApplyWorld, name: string) {
  const snapshot = world.sim.stateSnapshot();
  const id = world.idOf(upn(name));
  const mailbox = snapshot.mailboxConfig[id]!;
  return {
    id,
    etag: snapshot.photos[id]?.etag,
    signature: observedSignatureFingerprint({
      html: String(mailbox['SignatureHtml'] ?? ''),
      text: String(mailbox['SignatureText'] ?? ''),
      autoAddSignature: mailbox['AutoAddSignature'] === true,
      autoAddSignatureOnReply: mailbox['AutoAddSignatureOnReply'] === true,
      autoAddSignatureOnMobile: mailbox['AutoAddSignatureOnMobile'] === true,
      useDefaultSignatureOnMobile: mailbox['UseDefaultSignatureOnMobile'] === true,
    }),
  };
}

describe('writes that show late', () => {
  it('a deep check before the writes propagated plans nothing; a later one adopts what the tenant shows; then an edit is drift', async () => {
    const names = ['ann', 'bob', 'cay'];
    await using world = await startApplyWorld(
      names.map((n) => simUser(n)),
      LAGGING,
    );
    const employees = names.map((n) => desired(n, world));
    const plan = await world.plan(employees);
    expect(plan.actions.filter((a) => a.kind !== 'update-profile')).toHaveLength(6);
    const result = await applyPlan(plan, world.deps, options(world));
    expect(result.outcome).toBe('succeeded');
    const writes = world.writes();

    // Right after the apply most reads still show the photo and signature from before the writes.
    // Taking those for someone else's change would write again on every run until they propagate.
    const early = await world.plan(employees);
    expect(early.actions).toEqual([]);
    const pending = [...(await world.store.getLastApplied(world.tenantId)).values()].filter(
      (r) => r.aspect !== 'profile' && r.observedFingerprint === null,
    );
    // The test means something only if some write was still in flight.
    expect(pending.length).toBeGreaterThan(0);

    // Past every lag: the deep check sees Roster's writes and adopts them.
    world.sim.advanceClock(60_000);
    expect((await world.plan(employees)).actions).toEqual([]);
    const records = await world.store.getLastApplied(world.tenantId);
    for (const name of names) {
      const t = truth(world, name);
      expect(records.get(`${t.id}/photo`)?.observedFingerprint, name).toBe(t.etag);
      expect(records.get(`${t.id}/signature`)?.observedFingerprint, name).toBe(t.signature);
    }
    expect(world.writes()).toBe(writes);

    // Adopted fingerprints make a later edit by someone else visible, once.
    world.sim.patchMailbox(upn('bob'), { SignatureText: 'edited by hand' });
    const drift = await world.plan(employees);
    expect(drift.actions.map((a) => `${a.key} ${'signatureReason' in a ? a.signatureReason : ''}`)).toEqual([
      `${upn('bob')}#signature changed-out-of-band`,
    ]);
  });

  it('a write that still does not show at a second deep check is made again, once', async () => {
    // No lag at all: the photo Roster uploads is deleted by someone before any deep check, so the
    // tenant shows what it showed before the write (no photo) as if the upload had not propagated.
    await using world = await startApplyWorld([simUser('ann')]);
    const employees = [desired('ann', world)];
    await applyPlan(await world.plan(employees), world.deps, options(world));
    world.sim.deletePhoto(upn('ann'));
    // First deep check: waited out (it may be propagating).
    expect((await world.plan(employees)).actions).toEqual([]);
    // Second: planned again.
    const again = await world.plan(employees);
    expect(again.actions.map((a) => `${a.key} ${'photoReason' in a ? a.photoReason : ''}`)).toEqual([
      `${upn('ann')}#photo no-photo`,
    ]);
    await applyPlan(again, world.deps, options(world));
    expect((await world.plan(employees)).actions).toEqual([]);
    expect((await world.plan(employees)).actions).toEqual([]);
  });

  it('a photo removed after the adoption is planned again', async () => {
    await using world = await startApplyWorld([simUser('ann')], LAGGING);
    const employees = [desired('ann', world)];
    await applyPlan(await world.plan(employees), world.deps, options(world));
    world.sim.advanceClock(60_000);
    expect((await world.plan(employees)).actions).toEqual([]);
    world.sim.deletePhoto(upn('ann'));
    const again = await world.plan(employees);
    expect(again.actions.map((a) => a.key)).toEqual([`${upn('ann')}#photo`]);
  });
});
