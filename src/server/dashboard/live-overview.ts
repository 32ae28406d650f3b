/** Receives the overview as JSON: once on subscribing, then whenever it changes. */
export type OverviewListener = (json: string) => void;

/** The overview's changes, for the dashboard's `GET /events` stream. */
export interface LiveOverview {
  /** Subscribes; returns the unsubscribe. */
  follow(listener: OverviewListener): () => void;
  /** Stops polling (the server closes). */
  close(): void;
}

export interface LiveOverviewOptions {
  /** The overview as sent (JSON): read on every poll, sent when it differs from the last. */
  read: () => Promise<string>;
  /** How often the overview is read while anyone follows (default 2 s). */
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * One poller for every open page: while anyone follows, the overview (runs, drift, connection
 * checks, the database's included) is read every `intervalMs` and sent only when it changed, so
 * ten open tabs cost one read, not ten, and an idle controller sends nothing. Reading is what the
 * page does on load anyway; no route calls Microsoft for it.
 */
export function createLiveOverview(options: LiveOverviewOptions): LiveOverview {
  const listeners = new Set<OverviewListener>();
  const intervalMs = options.intervalMs ?? 2_000;
  let last: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<string | undefined> | undefined;

  function read(): Promise<string | undefined> {
    reading ??= Promise.resolve()
      .then(() => options.read())
      .then(
        (json) => json,
        (error: unknown) => {
          options.onError?.(error);
          return undefined;
        },
      )
      .finally(() => (reading = undefined));
    return reading;
  }

  async function tick(): Promise<void> {
    const json = await read();
    if (json !== undefined && json !== last) {
      last = json;
      for (const listener of listeners) listener(json);
    }
    if (listeners.size > 0) timer = setTimeout(() => void tick(), intervalMs);
  }

  return {
    follow(listener) {
      listeners.add(listener);
      // The newcomer gets the state now; the others only when it changed.
      void read().then((json) => {
        if (json === undefined || !listeners.has(listener)) return;
        if (json !== last && last !== undefined) {
          last = json;
          for (const l of listeners) l(json);
        } else {
          last = json;
          listener(json);
        }
      });
      if (!timer) timer = setTimeout(() => void tick(), intervalMs);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearTimeout(timer);
          timer = undefined;
        }
      };
    },
    close() {
      listeners.clear();
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
