import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { SwitchReport, UpcomingSwitch } from '../controller/status-model.js';
import { Worker } from './bench-measure.js';
import type { BenchWorld } from './bench-world.js';
import { switchTiming, type SwitchTiming } from './campaign-timing.js';
import { startBenchBannerServer } from './banner-server.js';

/** Scaled seconds between writing a campaign file and its moment: the controller's first run fits. */
const LEAD_SECONDS = 150;
/** The finishBy moment is this many times the notBefore switch's duration (plus the lead) ahead. */
const SECOND_PHASE_FACTOR = 1.25;
/** A phase that has not switched after this long (wall) is reported as such. */
const PHASE_TIMEOUT_MS = 45 * 60_000;

/** One campaign switch as the benchmark measured it (seconds are of Roster's scaled clock). */
export interface CampaignPhaseResult {
  campaign: string;
  rollout: 'notBefore' | 'finishBy';
  /** The declared start (ISO, scaled clock). */
  moment: string;
  /** What Roster's controller listed before the switch (`/status` `campaigns.upcoming`). */
  upcoming?: Pick<UpcomingSwitch, 'audience' | 'predictedSeconds' | 'runAt' | 'writesFrom'>;
  /** The controller's report of the switch run (`/status` `campaigns.lastSwitch`). */
  lastSwitch?: SwitchReport;
  /** Seconds from the moment to the start of the switch's run. */
  runStartSeconds?: number;
  timing: SwitchTiming;
  /** Audience mailboxes showing the banner when the phase ended, and others showing it. */
  showing: number;
  showingOutside: number;
  timedOut: boolean;
}

/** The campaign scenario of one seed. */
export interface CampaignResult {
  employees: number;
  offices: { targeted: number; total: number };
  phases: CampaignPhaseResult[];
}

interface PhaseSpec {
  id: string;
  /** The banner's URL (on the bench's banner server). */
  banner: string;
  rollout: 'notBefore' | 'finishBy';
  priority: number;
  leadSeconds: number;
}

/**
 * The campaign scenario on a seed's world after its first sync (Roster's state database holds
 * the pacing it learned and the signature writes it achieved): a campaign for every office but
 * one in ten starts `notBefore` a moment ahead; then a second, outranking it for the same
 * audience, starts `finishBy` a later moment. Each is switched by a controller started for it
 * (in apply mode, on the scaled clock), and timed from the simulator's record of its writes.
 */
export async function runCampaignScenario(
  world: BenchWorld,
  timeScale: number,
  ca: { certPem: string; keyPem: string },
): Promise<CampaignResult> {
  const banners = await startBenchBannerServer(ca);
  try {
    return await runPhases(world, timeScale, banners.origin);
  } finally {
    await banners.close();
  }
}

async function runPhases(
  world: BenchWorld,
  timeScale: number,
  bannerOrigin: string,
): Promise<CampaignResult> {
  const offices = [...world.hr.offices].sort((a, b) => a.id - b.id);
  const targeted = offices.filter((_, i) => i % 10 !== 9).map((o) => o.id);
  const targetedSet = new Set(targeted);
  const audience = new Set(
    world.active
      .filter((e) => e.officeId !== null && targetedSet.has(e.officeId))
      .map((e) => e.email.toLowerCase()),
  );
  await controllerSettings(world.configDir);
  const bannerOf = (id: string) => `${bannerOrigin}/banners/${id}.png`;
  const origin = Date.now();
  const scaled = (wall: number) => origin + (wall - origin) / timeScale;
  const phases: CampaignPhaseResult[] = [];
  const first = await runPhase(world, timeScale, origin, scaled, audience, targeted, {
    id: 'bench-spring',
    banner: bannerOf('bench-spring'),
    rollout: 'notBefore',
    priority: 1,
    leadSeconds: LEAD_SECONDS,
  });
  phases.push(first);
  // Spaced by what the first switch took, as measured here: Roster is told nothing of it.
  const took = first.timing.allSeconds ?? PHASE_TIMEOUT_MS / 1000 / timeScale;
  phases.push(
    await runPhase(world, timeScale, origin, scaled, audience, targeted, {
      id: 'bench-summer',
      banner: bannerOf('bench-summer'),
      rollout: 'finishBy',
      priority: 2,
      leadSeconds: LEAD_SECONDS + SECOND_PHASE_FACTOR * took,
    }),
  );
  return {
    employees: world.active.length,
    offices: { targeted: targeted.length, total: offices.length },
    phases,
  };
}

/** The controller applies, runs only for switches (a long interval) and deep-checks nothing meanwhile. */
async function controllerSettings(configDir: string): Promise<void> {
  const file = join(configDir, 'desired-state', 'roster.yaml');
  const settings = parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  settings.schedule = { mode: 'apply', interval: '24h', jitter: '0s', deepCheckInterval: '30d' };
  // Banners come from the bench's own https server on 127.0.0.1 (photos already allow private addresses).
  const signatures = (settings.signatures ?? {}) as Record<string, unknown>;
  settings.signatures = { ...signatures, allowedHosts: ['example.no', '*.example.no', '127.0.0.1'] };
  await writeFile(file, stringify(settings, { lineWidth: 0 }));
}

async function runPhase(
  world: BenchWorld,
  timeScale: number,
  origin: number,
  scaled: (wall: number) => number,
  audience: ReadonlySet<string>,
  offices: number[],
  spec: PhaseSpec,
): Promise<CampaignPhaseResult> {
  // Whole seconds: the file's local time has second precision.
  const moment = Math.ceil((scaled(Date.now()) + spec.leadSeconds * 1000) / 1000) * 1000;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
  const dir = join(world.configDir, 'desired-state', 'campaigns');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, `${spec.id}.yaml`),
    stringify({
      id: spec.id,
      name: spec.id,
      priority: spec.priority,
      banner: { image: spec.banner, width: 480, alt: spec.id, link: 'https://www.example.no/campaign' },
      start: { at: iso(moment), timeZone: 'UTC', rollout: spec.rollout },
      end: { at: iso(moment + 30 * 86_400_000), timeZone: 'UTC' },
      target: { offices },
    }),
  );
  console.error(
    `  campaign ${spec.id}: ${spec.rollout} ${new Date(moment).toISOString()} for ${audience.size} mailboxes`,
  );
  const record = world.sim.recordSignatureWrites();
  const worker = await Worker.start(world, timeScale, origin);
  let upcoming: CampaignPhaseResult['upcoming'];
  let lastSwitch: SwitchReport | undefined;
  const deadline = Date.now() + PHASE_TIMEOUT_MS;
  try {
    await worker.send({
      type: 'controller-start',
      configDir: world.configDir,
      env: world.env,
      timeScale,
      clockOrigin: origin,
    });
    while (!lastSwitch && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      const status = (await worker.send({ type: 'controller-status' })).reply.status?.campaigns;
      const listed = status?.upcoming.find((u) => u.campaign === spec.id && u.kind === 'start');
      if (listed)
        upcoming = {
          ...(listed.audience !== undefined ? { audience: listed.audience } : {}),
          ...(listed.predictedSeconds !== undefined ? { predictedSeconds: listed.predictedSeconds } : {}),
          runAt: listed.runAt,
          ...(listed.writesFrom !== undefined ? { writesFrom: listed.writesFrom } : {}),
        };
      const last = status?.lastSwitch;
      if (last?.switches.some((s) => s.campaign === spec.id && s.kind === 'start')) lastSwitch = last;
    }
    await worker.send({ type: 'controller-stop' });
  } finally {
    await worker.close();
  }
  const byId = new Map(
    [...world.sim.state.users.values()].map((u) => [u.id, u.userPrincipalName.toLowerCase()]),
  );
  const writes = record().map((w) => ({ at: scaled(w.at), mailbox: w.userPrincipalName.toLowerCase() }));
  let showing = 0;
  let showingOutside = 0;
  for (const [id, config] of world.sim.state.mailboxConfig) {
    if (!config.SignatureHtml?.includes(spec.banner)) continue;
    if (audience.has(byId.get(id) ?? '')) showing += 1;
    else showingOutside += 1;
  }
  const timing = switchTiming(writes, audience, moment);
  const result: CampaignPhaseResult = {
    campaign: spec.id,
    rollout: spec.rollout,
    moment: new Date(moment).toISOString(),
    ...(upcoming ? { upcoming } : {}),
    ...(lastSwitch
      ? { lastSwitch, runStartSeconds: (Date.parse(lastSwitch.startedAt) - moment) / 1000 }
      : {}),
    timing,
    showing,
    showingOutside,
    timedOut: !lastSwitch,
  };
  const s = (n: number | undefined) => (n === undefined ? '–' : `${n.toFixed(1)} s`);
  console.error(
    `    run started ${s(result.runStartSeconds)}, first write ${s(timing.firstWriteSeconds)}, 99 % ${s(timing.p99Seconds)}, all ${s(timing.allSeconds)} from the moment; predicted ${s(lastSwitch?.predictedSeconds)}; ${timing.writesBeforeMoment} early, ${timing.outsideWrites} outside; ${showing}/${audience.size} show it`,
  );
  return result;
}
