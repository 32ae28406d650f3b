/**
 * `prepare` applied to each item of `source`, in order, with up to `depth` items being prepared
 * while the consumer works on an earlier one: the next slice's reads are under way while this one
 * is planned and written, so a remote budget never idles at a slice boundary. Items are taken from
 * `source` one at a time. A failed preparation surfaces when its item is reached; whenever the
 * iteration ends, it first waits for the preparations under way.
 */
export async function* readAhead<T, U>(
  source: AsyncIterable<T>,
  prepare: (item: T) => Promise<U>,
  depth: number,
): AsyncGenerator<U> {
  const items = source[Symbol.asyncIterator]();
  let taking: Promise<unknown> = Promise.resolve();
  let exhausted = false;
  /** The next item prepared; undefined once `source` is done. Takes from `source` in turn. */
  const next = (): Promise<{ value: U } | undefined> => {
    const took = taking.then(async () => (exhausted ? undefined : items.next()));
    taking = took.catch(() => undefined);
    return took.then(async (result) => {
      if (!result || result.done) {
        exhausted = true;
        return undefined;
      }
      return { value: await prepare(result.value) };
    });
  };
  const queue: Promise<{ value: U } | undefined>[] = [];
  // A preparation that fails while an earlier item is consumed is reported when it is awaited.
  const enqueue = () => {
    const p = next();
    p.catch(() => undefined);
    queue.push(p);
  };
  try {
    for (let i = 0; i < depth; i++) enqueue();
    for (;;) {
      const ready = await queue.shift()!;
      if (!ready) return;
      enqueue();
      yield ready.value;
    }
  } finally {
    // Stopped early or failed: preparations under way finish first (they use what the caller
    // closes next), then the source is let go (its own finally releases what it holds).
    await Promise.allSettled(queue);
    await taking;
    await items.return?.();
  }
}
