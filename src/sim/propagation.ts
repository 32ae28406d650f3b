import { mulberry32 } from './seeded-random.js';
import type { SimState } from './types.js';

/** What a write changes that reads may show late. */
export type PropagatedKind = 'photo' | 'signature';

/** The longest lag a write may show, per kind, in ms before `timeScale`. */
export interface PropagationMaxima {
  photoMaxMs: number;
  signatureMaxMs: number;
}

/**
 * Ranges the hidden maxima are drawn from. Microsoft publishes no propagation delay
 * (docs/microsoft-365.md#unpublished-propagation): a photo "can take a few hours" (observed, PnP
 * PowerShell), a mailbox setting no source quantifies. A client that relies on any number here
 * is wrong for some draw.
 */
export const PHOTO_MAX_LAG_RANGE_MS = { min: 5 * 60_000, max: 4 * 3_600_000 } as const;
export const SIGNATURE_MAX_LAG_RANGE_MS = { min: 1_000, max: 5 * 60_000 } as const;

/** The maxima a budget seed draws (log-uniform in each range), the same on every platform. */
export function drawPropagation(seed: number): PropagationMaxima {
  const random = mulberry32((seed ^ 0x9e37_79b9) >>> 0);
  const logUniform = (r: { min: number; max: number }) => Math.round(r.min * (r.max / r.min) ** random());
  return {
    photoMaxMs: logUniform(PHOTO_MAX_LAG_RANGE_MS),
    signatureMaxMs: logUniform(SIGNATURE_MAX_LAG_RANGE_MS),
  };
}

interface Pending {
  /** What reads showed before the first write still in flight. */
  before: unknown;
  visibleAt: number;
}

/**
 * Writes that reads show late: after a write, reads of that user's photo or signature go on
 * showing what they showed before it until a lag (drawn per write, up to the kind's maximum) has
 * passed. A second write while the first is in flight extends the wait and keeps the older view.
 * The control plane and the simulator's own state always see the truth.
 */
export class PropagationLag {
  private readonly pending = new Map<string, Pending>();
  private readonly random: () => number;

  constructor(
    private readonly maxima: PropagationMaxima,
    seed: number,
    private readonly now: () => number,
    private readonly timeScale: () => number,
  ) {
    this.random = mulberry32((seed ^ 0x5eed_1a90) >>> 0);
  }

  /** Call before a write changes `kind` of `userId`, with what reads showed until then. */
  wrote(kind: PropagatedKind, userId: string, before: unknown): void {
    const max = kind === 'photo' ? this.maxima.photoMaxMs : this.maxima.signatureMaxMs;
    if (max <= 0) return;
    const key = `${kind}/${userId}`;
    const lag = this.random() * max * this.timeScale();
    const existing = this.pending.get(key);
    const now = this.now();
    const view = existing && now < existing.visibleAt ? existing.before : before;
    this.pending.set(key, { before: view, visibleAt: Math.max(existing?.visibleAt ?? 0, now + lag) });
  }

  /** What a read of `kind` of `userId` shows now, given the current truth. */
  seen<T>(kind: PropagatedKind, userId: string, current: T): T {
    const key = `${kind}/${userId}`;
    const pending = this.pending.get(key);
    if (!pending) return current;
    if (this.now() >= pending.visibleAt) {
      this.pending.delete(key);
      return current;
    }
    return pending.before as T;
  }
}

/** The lag of a state, made on first use from its behaviour settings and budget seed. */
export function propagationOf(state: SimState, now: () => number): PropagationLag | undefined {
  const setting = state.behaviour?.propagation ?? 'off';
  if (setting === 'off') return undefined;
  const holder = state as SimState & { propagationLag?: PropagationLag };
  if (!holder.propagationLag) {
    const seed = state.throttle.budgetSeed ?? 1;
    const maxima = setting === 'drawn' ? drawPropagation(seed) : setting;
    holder.propagationLag = new PropagationLag(maxima, seed, now, () => state.throttle.timeScale);
  }
  return holder.propagationLag;
}
