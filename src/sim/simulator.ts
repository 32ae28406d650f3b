import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { AccessTokens } from './access-tokens.js';
import { exchangeRoutes } from './exchange.js';
import { FaultInjector } from './faults.js';
import { graphBatchRoutes } from './graph-batch.js';
import { graphDeltaRoutes } from './graph-delta.js';
import { graphPeopleSettingsRoutes } from './graph-people-settings.js';
import { graphPhotoRoutes } from './graph-photos.js';
import { graphUserRoutes } from './graph-users.js';
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

/** Starts the simulator: an https server on 127.0.0.1 serving identity, Graph, Exchange and `/_sim`. */
export async function createSimulator(options: SimulatorOptions): Promise<Simulator> {
  const state = isState(options.seed) ? options.seed : await prepareState(options.seed);
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
      ...graphUserRoutes,
      ...exchangeRoutes,
      ...control.inspectRoutes({ state, now: sim.now, advanceClock }),
    ],
  };
  const server = createServer({ key: tls.key, cert: tls.cert }, requestListener(deps));
  const port = await listen(server, options.port ?? 0);
  origin = `https://127.0.0.1:${port}`;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  return {
    origin,
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
    close,
    [Symbol.asyncDispose]: close,
  };
}
