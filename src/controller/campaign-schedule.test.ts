import { describe, expect, it } from 'vitest';
import type { Campaign } from '../desired/campaign-model.js';
import { boundary, testCampaign } from '../desired/test-campaign.js';
import {
  campaignSwitches,
  dueSwitches,
  nextSwitchAt,
  planningLeadMs,
  switchKey,
} from './campaign-schedule.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 14, 8);

function campaign(
  id: string,
  start: number,
  end: number,
  endRollout: 'notBefore' | 'finishBy' = 'notBefore',
): Campaign {
  return testCampaign(id, { start: boundary(start), end: boundary(end, endRollout) });
}

const upcoming = (id: string, kind: 'start' | 'end', at: number, audience: number) => ({
  campaign: id,
  name: id,
  kind,
  at: new Date(at).toISOString(),
  local: '',
  rollout: 'notBefore' as const,
  audience,
  image: '',
  link: '',
});

describe('campaign switches', () => {
  const winter = campaign('winter', T0, T0 + 48 * HOUR, 'finishBy');
  const autumn = campaign('autumn', T0, T0 + 2 * HOUR);

  it('come in a deterministic order, with the prediction from the audience and the measured write rate', () => {
    const latest = { upcoming: [upcoming('winter', 'end', T0 + 48 * HOUR, 7200)] };
    const switches = campaignSwitches([winter, autumn], T0 - HOUR, latest, 4);
    expect(switches.map((s) => [s.campaign, s.kind, s.instant - T0, s.runAt - T0, s.predictedMs])).toEqual([
      ['autumn', 'start', 0, 0, undefined],
      ['winter', 'start', 0, 0, undefined],
      ['autumn', 'end', 2 * HOUR, 2 * HOUR, undefined],
      // 7,200 signatures at 4 a second: 30 minutes of writes, which start 33 minutes early (a
      // tenth to spare); the run starts a planning lead (at least a minute) before them.
      ['winter', 'end', 48 * HOUR, 48 * HOUR - 33 * 60_000 - 60_000, 30 * 60_000],
    ]);
    expect(switches.at(-1)?.writesFrom).toBe(T0 + 48 * HOUR - 33 * 60_000);
    expect(switches.slice(0, -1).every((s) => s.writesFrom === undefined)).toBe(true);
    // The prediction adds the planning of the latest run that wrote nothing; the lead is five
    // times that (a switch run plans every switched signature), at least a minute.
    expect(campaignSwitches([winter], T0 - HOUR, latest, 4, 30).at(-1)).toMatchObject({
      predictedMs: 30 * 60_000 + 30_000,
      writesFrom: T0 + 48 * HOUR - 33 * 60_000,
      runAt: T0 + 48 * HOUR - 33 * 60_000 - 150_000,
    });
    expect(planningLeadMs(2.3)).toBe(60_000);
    expect(planningLeadMs(30)).toBe(150_000);
    // One slow no-op run (a deep check, throttling) does not hold a switch for hours.
    expect(planningLeadMs(1_200)).toBe(15 * 60_000);
    // Without a measured rate there is no prediction: a finishBy switch starts at its boundary.
    expect(campaignSwitches([winter], T0 - HOUR, latest, undefined).at(-1)?.runAt).toBe(T0 + 48 * HOUR);
  });

  it('are each run once; a finishBy switch plans for its boundary; missed ones are caught up at once', () => {
    const latest = { upcoming: [upcoming('winter', 'end', T0 + 48 * HOUR, 7200)] };
    const done = new Set<string>();
    const at = (t: number) => campaignSwitches([winter, autumn], t, latest, 4);
    expect(nextSwitchAt(at(T0 - HOUR), T0 - HOUR, done)).toBe(T0);
    expect(dueSwitches(at(T0 - 1), T0 - 1, done)).toEqual({ due: [] });

    // The timer fired late (a busy machine): the start and autumn's end are made by one run, once.
    const late = T0 + 3 * HOUR;
    const since = T0 - HOUR;
    const caught = dueSwitches(campaignSwitches([winter, autumn], since, latest, 4), late, done);
    expect(caught.due.map(switchKey)).toEqual([
      `autumn:start:${T0}`,
      `winter:start:${T0}`,
      `autumn:end:${T0 + 2 * HOUR}`,
    ]);
    expect(caught.at).toBeUndefined();
    for (const s of caught.due) done.add(switchKey(s));
    // A controller started after a boundary has no switch for it: its first run plans at its own moment.
    expect(campaignSwitches([winter, autumn], late, latest, 4).map(switchKey)).toEqual([
      `winter:end:${T0 + 48 * HOUR}`,
    ]);
    expect(nextSwitchAt(at(late), late, done)).toBe(T0 + 48 * HOUR - 34 * 60_000);

    // Due a minute before its writes: the run plans for the boundary and holds the writes.
    const early = T0 + 48 * HOUR - 34 * 60_000;
    const finishing = dueSwitches(at(early), early, done);
    expect(finishing).toEqual({
      due: [expect.objectContaining({ campaign: 'winter', kind: 'end' })],
      at: T0 + 48 * HOUR,
      writesFrom: T0 + 48 * HOUR - 33 * 60_000,
    });
    for (const s of finishing.due) done.add(switchKey(s));
    expect(dueSwitches(at(early + 1), early + 1, done)).toEqual({ due: [] });

    // Due together (the tick came late): a switch whose write start has passed is not held back
    // by another's, and two held ones wait only for the earlier.
    const spring = campaign('spring', T0 + 47 * HOUR, T0 + 49 * HOUR, 'finishBy');
    const both = {
      upcoming: [...latest.upcoming, upcoming('spring', 'end', T0 + 49 * HOUR, 3600)],
    };
    const list = campaignSwitches([winter, spring], T0 + 47 * HOUR + 1, both, 4);
    const [winterEnd, springEnd] = [list[0]!, list[1]!];
    expect([winterEnd.writesFrom, springEnd.writesFrom]).toEqual([
      T0 + 48 * HOUR - 33 * 60_000,
      T0 + 49 * HOUR - 16.5 * 60_000,
    ]);
    const late2 = T0 + 48 * HOUR - 20 * 60_000;
    expect(dueSwitches(list, late2, new Set()).writesFrom).toBeUndefined();
    const lateNone = dueSwitches(
      list.map((s) => ({ ...s, runAt: winterEnd.writesFrom! - 2_000 })),
      winterEnd.writesFrom! - 1_000,
      new Set(),
    );
    expect(lateNone.writesFrom).toBe(winterEnd.writesFrom);
    expect(nextSwitchAt(at(early + 1), early + 1, done)).toBeUndefined();
  });
});
