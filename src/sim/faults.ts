import { graphError } from './graph-errors.js';
import { retryAfterHeader } from './retry-after.js';
import { mulberry32 } from './seeded-random.js';
import type { SimContext, SimFaults, SimRequest, SimResponse, SimService, SimState } from './types.js';

export type FaultKind = 'none' | '429' | '503' | '500' | '504' | '502' | 'drop';

/** What the injector decided for one request, before anything is awaited or built. */
export interface FaultDecision {
  /** Latency to add: fixed + jitter, plus a spike now and then. */
  delayMs: number;
  spike: boolean;
  fault: FaultKind;
  /** Uniform draw that picks whether a 429/503 gets a whole, fractional or no Retry-After. */
  retryAfterDraw: number;
}

/** Four draws per faulted request, always, so request n's fate depends only on the seed and n. */
const DRAWS_PER_REQUEST = 4;

/**
 * Reproducible chaos for the simulator: same `seed` + same request sequence → same latencies
 * and faults. Random 429s here are independent of the budget model in `throttle.ts`; they test
 * that clients honour Retry-After (https://learn.microsoft.com/graph/throttling) and retry
 * transient 5xx (https://learn.microsoft.com/graph/best-practices-concept#handling-expected-errors).
 * Only the listed `services` are faulted; `/_sim` inspection never is.
 */
export class FaultInjector implements SimFaults {
  /** Faults injected so far, by kind (for the inspection endpoint and tests). */
  readonly counts: Record<FaultKind, number> = {
    none: 0,
    '429': 0,
    '503': 0,
    '500': 0,
    '504': 0,
    '502': 0,
    drop: 0,
  };
  private readonly state: SimState;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private seed: number | undefined;
  private random: () => number = Math.random;

  /** Takes the state and clock (or a simulator context); `sleep` is replaceable for tests. */
  constructor(
    source: SimState | SimContext,
    now?: () => number,
    sleep: (ms: number) => Promise<void> = delay,
  ) {
    if ('state' in source) {
      this.state = source.state;
      this.now = now ?? (() => source.now());
    } else {
      this.state = source;
      this.now = now ?? Date.now;
    }
    this.sleep = sleep;
  }

  /** Draws the fate of the next request of `service`; undefined when the service is not faulted. */
  decide(service: SimService): FaultDecision | undefined {
    const f = this.state.faults;
    if (service === 'inspect' || !f.services.includes(service)) return undefined;
    if (this.seed !== f.seed) {
      // A new seed (set through the inspection API) restarts the sequence.
      this.seed = f.seed;
      this.random = mulberry32(f.seed);
    }
    const draws = Array.from({ length: DRAWS_PER_REQUEST }, () => this.random()) as [
      number,
      number,
      number,
      number,
    ];
    const [jitterDraw, spikeDraw, faultDraw, retryAfterDraw] = draws;
    const spike = spikeDraw < f.spikeRate;
    const delayMs = Math.max(0, f.latencyMs + jitterDraw * f.jitterMs + (spike ? f.spikeMs : 0));
    return { delayMs, spike, fault: pickFault(faultDraw, f), retryAfterDraw };
  }

  async before(req: SimRequest, service: SimService): Promise<SimResponse | undefined> {
    if (req.path.startsWith('/_sim')) return undefined;
    const decision = this.decide(service);
    if (!decision) return undefined;
    this.counts[decision.fault] += 1;
    if (decision.delayMs > 0) await this.sleep(decision.delayMs);
    return faultResponse(req, service, decision, this.state);
  }

  tokenOutage(now: number = this.now()): boolean {
    const until = this.state.faults.tokenOutageUntil;
    return until !== undefined && now < until;
  }
}

function pickFault(draw: number, f: SimState['faults']): FaultKind {
  const table: [FaultKind, number][] = [
    ['429', f.rate429],
    ['503', f.rate503],
    ['500', f.rate500],
    ['504', f.rate504],
    ['drop', f.dropRate],
    // Last, so that seeds drawn before it existed keep their sequence of faults.
    ['502', f.rate502 ?? 0],
  ];
  let edge = 0;
  for (const [kind, rate] of table) {
    edge += Math.max(0, rate);
    if (draw < edge) return kind;
  }
  return 'none';
}

/**
 * The response for a decided fault. A drop is a 200 whose head and first bytes go out before
 * the socket is destroyed (the server does that when it sees `drop: true`); the route never runs.
 */
export function faultResponse(
  req: SimRequest,
  service: SimService,
  decision: FaultDecision,
  state: SimState,
): SimResponse | undefined {
  const { throttle, faults } = state;
  const wait = (faults.retryAfterSeconds ?? 1) * throttle.timeScale;
  switch (decision.fault) {
    case 'none':
      return undefined;
    case 'drop':
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"value":[{"id":"',
        drop: true,
      };
    case '429':
      return errorFor(req, service, 429, 'TooManyRequests', 'Please retry again later.', {
        ...retryAfterHeader(wait, throttle.timeScale, decision.retryAfterDraw, throttle),
      });
    case '503':
      // 503s always say when to come back; only the spelling (whole or fractional) varies.
      return errorFor(req, service, 503, 'serviceNotAvailable', 'The service is temporarily unavailable.', {
        ...retryAfterHeader(wait, throttle.timeScale, decision.retryAfterDraw, {
          ...throttle,
          missingRetryAfterShare: 0,
        }),
      });
    case '500':
      return errorFor(req, service, 500, 'generalException', 'An unexpected error occurred.');
    case '504':
      return errorFor(req, service, 504, 'GatewayTimeout', 'The gateway did not receive a response in time.');
    case '502':
      return errorFor(req, service, 502, 'BadGateway', 'The gateway received an invalid response.');
  }
}

/** Graph's error envelope for graph/exchange; the identity platform's OAuth error for the token endpoint. */
function errorFor(
  req: SimRequest,
  service: SimService,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): SimResponse {
  if (service !== 'identity') return graphError(req, status, code, message, headers);
  // AADSTS90033: "A transient error has occurred. Please try again."
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: {
      error: 'temporarily_unavailable',
      error_description: `AADSTS90033: A transient error has occurred. Please try again. Trace ID: ${req.requestId}`,
      error_codes: [90033],
      timestamp: new Date()
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d{3}Z$/, 'Z'),
      trace_id: req.requestId,
      correlation_id: req.requestId,
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
