import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { AccessTokens } from './access-tokens.js';
import { controlListener } from './control-plane.js';
import { exchangeBatchRoutes } from './exchange-batch.js';
import { exchangeRoutes } from './exchange.js';
import { FaultInjector } from './faults.js';
import { graphBatchRoutes } from './graph-batch.js';
import { graphDeltaRoutes } from './graph-delta.js';
import { graphDomainRoutes } from './graph-domains.js';
import { graphGroupRoutes } from './graph-groups.js';
import { graphPeopleSettingsRoutes } from './graph-people-settings.js';
import { graphPhotoRoutes } from './graph-photos.js';
import { graphUserRoutes } from './graph-users.js';
import type { SimHiddenBudget } from './hidden-budget.js';
import { identityRoutes } from './identity.js';
import * as control from './inspect.js';
import { prepareState, type SimSeed } from './seed.js';
import { dispatchInner, requestListener, type PipelineDeps } from './server.js';
import { Throttler } from './throttle.js';
import { createSimTls, type SimTlsOptions } from './tls.js';
import type {
  SimContext,
  SimFaultsFactory,
  SimFaultSettings,
  SimSignatureWrite,
  SimMailboxMessageConfiguration,
  SimOrganizationConfig,
  SimRequest,
  SimResponse,
  SimState,
  SimThrottleFactory,
  SimThrottleSettings,
} from './types.js';

/** Options of `createSimulator`. */
export interface SimulatorOptions {
  /** A seed (validated or built in code) or a ready state. */
  seed: SimSeed | SimState;
  /** Port on 127.0.0.1; 0 or absent = a free port. */
  port?: number;
  /** Port of the control plane (`/_sim`) on 127.0.0.1; 0 or absent = a free port. */
  controlPort?: number;
  /** Seed of the hidden budget's draw; replaces the seed's `throttle.budgetSeed`. */
  budgetSeed?: number;
  /** Sees every request the service origin receives (method and decoded path). */
  onRequest?: (req: { method: string; path: string }) => void;
  throttle?: SimThrottleFactory;
  faults?: SimFaultsFactory;
  /**
   * CA to issue the server certificate from, and where to write the CA PEM. Default: the dev CA
   * named by `ROSTER_SIM_CA_CERT_FILE`/`ROSTER_SIM_CA_KEY_FILE` (the test setup sets them), else a
   * fresh CA.
   */
  tls?: SimTlsOptions;
}

/** A running tenant simulator. */
export interface Simulator extends AsyncDisposable {
  /** `https://127.0.0.1:{port}`: authority host, Graph and Exchange base URL alike. */
  readonly origin: string;
  /**
   * `https://127.0.0.1:{controlPort}`: the `/_sim` control plane, for tests and the benchmark.
   * Never give it to Roster: it shows the hidden budget.
   */
  readonly controlOrigin: string;
  /** File holding the CA certificate to trust (`NODE_EXTRA_CA_CERTS`). */
  readonly caPath: string;
  readonly caPem: string;
  readonly state: SimState;
  readonly stats: SimState['stats'];
  now(): number;
  advanceClock(ms: number): number;
  statsSnapshot(): ReturnType<typeof control.statsSnapshot>;
  stateSnapshot(): ReturnType<typeof control.stateSnapshot>;
  resetStats(): void;
  /** Out-of-band changes (drift), as the `/_sim` endpoints make them. */
  patchUser(idOrUpn: string, patch: Record<string, unknown>): string[];
  deleteUser(idOrUpn: string, permanent?: boolean): void;
  patchMailbox(
    idOrUpn: string,
    patch: Partial<SimMailboxMessageConfiguration>,
  ): SimMailboxMessageConfiguration;
  putPhoto(idOrUpn: string, bytes: Buffer): Promise<void>;
  deletePhoto(idOrUpn: string): void;
  patchOrganizationConfig(patch: Partial<SimOrganizationConfig>): SimOrganizationConfig;
  patchFaults(patch: Partial<SimFaultSettings>): SimFaultSettings;
  patchThrottle(patch: Partial<SimThrottleSettings>): SimThrottleSettings;
  /** The budget in effect (drawn or explicit), as `GET /_sim/budget` shows it. */
  hiddenBudget(): SimHiddenBudget;
  /**
   * Starts (or restarts, empty) a record of every signature write from now on: when and which
   * mailbox. The returned function reads it (a copy).
   */
  recordSignatureWrites(): () => SimSignatureWrite[];
  close(): Promise<void>;
}

function isState(seed: SimSeed | SimState): seed is SimState {
  return 'tenantId' in seed && seed.users instanceof Map;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts the simulator: an https server on 127.0.0.1 serving identity, Graph and Exchange, and a
 * second one, the control plane, serving `/_sim`.
 */
export async function createSimulator(options: SimulatorOptions): Promise<Simulator> {
  const state = isState(options.seed) ? options.seed : await prepareState(options.seed);
  if (options.budgetSeed !== undefined) state.throttle.budgetSeed = options.budgetSeed;
  const [tls, tokens] = await Promise.all([createSimTls(options.tls, process.env), AccessTokens.create()]);
  let clockOffset = 0;
  let origin = '';
  const sim: SimContext = {
    state,
    get origin() {
      return origin;
    },
    now: () => Date.now() + clockOffset,
    dispatch(req: SimRequest): Promise<SimResponse> {
      return dispatchInner(deps, req);
    },
  };
  const advanceClock = (ms: number) => {
    clockOffset += ms;
    return sim.now();
  };
  const throttle = (options.throttle ?? ((ctx) => new Throttler(ctx)))(sim);
  const faults = (options.faults ?? ((ctx) => new FaultInjector(ctx)))(sim);
  const deps: PipelineDeps = {
    sim,
    tokens,
    throttle,
    faults,
    routes: [
      ...identityRoutes({ tokens, faults }),
      ...graphBatchRoutes,
      ...graphDeltaRoutes,
      ...graphPhotoRoutes,
      ...graphPeopleSettingsRoutes,
      ...graphDomainRoutes,
      ...graphUserRoutes,
      ...graphGroupRoutes,
      ...exchangeBatchRoutes,
      ...exchangeRoutes,
    ],
    ...(options.onRequest && { onRequest: options.onRequest }),
  };
  let controlOrigin = '';
  const controlRoutes = control.inspectRoutes({ state, now: sim.now, advanceClock });
  const server = createServer({ key: tls.key, cert: tls.cert }, requestListener(deps));
  const controlServer = createServer(
    { key: tls.key, cert: tls.cert },
    controlListener(controlRoutes, sim, () => controlOrigin),
  );
  const stop = (s: Server) =>
    new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  // The CA file of a temp folder made for it goes with the simulator (a given path stays).
  const removeTemp = () =>
    tls.tempDir ? rm(tls.tempDir, { recursive: true, force: true }) : Promise.resolve();
  const stopAll = () => Promise.all([stop(server), stop(controlServer)]).then(removeTemp);
  const [port, controlPort] = await Promise.all([
    listen(server, options.port ?? 0),
    listen(controlServer, options.controlPort ?? 0),
  ]).catch(async (error: unknown) => {
    await stopAll();
    throw error;
  });
  origin = `https://127.0.0.1:${port}`;
  controlOrigin = `https://127.0.0.1:${controlPort}`;
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= stopAll());
  return {
    origin,
    controlOrigin,
    caPath: tls.caPath,
    caPem: tls.caPem,
    state,
    stats: state.stats,
    now: sim.now,
    advanceClock,
    statsSnapshot: () => control.statsSnapshot(state),
    stateSnapshot: () => control.stateSnapshot(state),
    resetStats: () => control.resetStats(state),
    patchUser: (id, patch) => control.patchUser(state, id, patch),
    deleteUser: (id, permanent) => control.deleteUser(state, id, permanent),
    patchMailbox: (id, patch) => control.patchMailbox(state, id, patch),
    putPhoto: (id, bytes) => control.putPhoto(state, id, bytes),
    deletePhoto: (id) => control.deletePhoto(state, id),
    patchOrganizationConfig: (patch) => control.patchOrganizationConfig(state, patch),
    patchFaults: (patch) => control.patchFaults(state, patch),
    patchThrottle: (patch) => control.patchThrottle(state, patch),
    hiddenBudget: () => control.budgetSnapshot(state),
    recordSignatureWrites() {
      const record: SimSignatureWrite[] = [];
      state.stats.signatureWrites = record;
      return () => [...record];
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
