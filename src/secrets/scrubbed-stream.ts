/**
 * `stream` with every string or buffer written to it scrubbed first; everything else (isTTY,
 * events, drain) is the stream's own. Commands write their output whole or in pieces that each
 * hold whole values (a plan's JSON is written action by action), so a secret is never split.
 */
export function scrubbedStream<S extends NodeJS.WritableStream>(
  stream: S,
  scrub: (text: string) => string,
): S {
  return new Proxy(stream, {
    get(target, property) {
      if (property === 'write') {
        return (chunk: unknown, ...rest: unknown[]) => {
          const text =
            typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
          return (target.write as (...args: unknown[]) => boolean)(
            text === undefined ? chunk : scrub(text),
            ...rest,
          );
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
