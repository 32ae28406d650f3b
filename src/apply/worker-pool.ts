/**
 * Runs `work` over `items` (an array or a stream) with at most `concurrency` in flight. Once
 * `signal` aborts, no new item is started; those in flight finish. Returns the items never
 * started, in input order (the rest of a stream is read to the end for them).
 */
export async function runPool<T>(
  items: Iterable<T> | AsyncIterable<T>,
  concurrency: number,
  signal: AbortSignal | undefined,
  work: (item: T) => Promise<void>,
): Promise<T[]> {
  const iterator =
    Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : toAsync(items[Symbol.iterator]());
  let taken = 0;
  let exhausted = false;
  // Taken from the stream when the signal had already aborted: not started after all.
  const returned: [number, T][] = [];
  const worker = async () => {
    while (!exhausted && !signal?.aborted) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        return;
      }
      const position = taken++;
      if (signal?.aborted) {
        returned.push([position, next.value]);
        return;
      }
      await work(next.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const left = returned.sort((a, b) => a[0] - b[0]).map(([, item]) => item);
  while (!exhausted) {
    const next = await iterator.next();
    if (next.done) exhausted = true;
    else left.push(next.value);
  }
  return left;
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return { next: () => Promise.resolve(iterator.next()) };
}

/** Splits `items` into consecutive chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Splits a stream into consecutive chunks of at most `size`, as they arrive. */
export async function* chunkStream<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let part: T[] = [];
  for await (const item of items) {
    part.push(item);
    if (part.length === size) {
      yield part;
      part = [];
    }
  }
  if (part.length > 0) yield part;
}
