import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** What a proxy does with the bytes it passes; `false` from `server` swallows them. */
interface Tap {
  /** Refuse new connections (after a cut). */
  refuse?: () => boolean;
  client?: (data: Buffer) => void;
  /** `connection` tells the proxied connections apart. */
  server: (data: Buffer, cutAll: () => void, connection: Socket) => boolean;
}

/** A TCP proxy in front of PostgreSQL that lets a test watch or break the conversation. */
async function startProxy(target: URL, tap: Tap) {
  const sockets = new Set<Socket>();
  const cutAll = () => {
    for (const s of sockets) s.destroy();
  };
  const server = createServer((client) => {
    if (tap.refuse?.()) return void client.destroy();
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (data: Buffer) => {
      tap.client?.(data);
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      if (tap.server(data, cutAll, client)) client.write(data);
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}

/**
 * Cuts every connection (and refuses new ones) a few server answers after the client sent a
 * statement containing `trigger`: the database is "lost" in the middle of that statement's paging.
 */
export async function startCuttingProxy(target: URL, trigger: string, answersBeforeCut: number) {
  let armed = false;
  let answers = 0;
  let cut = false;
  const proxy = await startProxy(target, {
    refuse: () => cut,
    client: (data) => {
      if (data.includes(trigger)) armed = true;
    },
    server: (_data, cutAll) => {
      if (armed && ++answers > answersBeforeCut) {
        cut = true;
        cutAll();
        return false;
      }
      return true;
    },
  });
  return {
    ...proxy,
    get cut() {
      return cut;
    },
  };
}

/**
 * Counts the server's ReadyForQuery messages: one per round trip a client waits for (a simple
 * query, or an extended-protocol Sync).
 */
export async function startCountingProxy(target: URL) {
  let roundTrips = 0;
  const unparsed = new WeakMap<Socket, Buffer>();
  const proxy = await startProxy(target, {
    server: (data, _cutAll, connection) => {
      // Backend messages: a type byte, then an int32 length that counts itself.
      let pending = Buffer.concat([unparsed.get(connection) ?? Buffer.alloc(0), data]);
      while (pending.length >= 5 && pending.length >= 1 + pending.readInt32BE(1)) {
        if (pending[0] === 0x5a /* 'Z' */) roundTrips += 1;
        pending = pending.subarray(1 + pending.readInt32BE(1));
      }
      unparsed.set(connection, pending);
      return true;
    },
  });
  return {
    ...proxy,
    get roundTrips() {
      return roundTrips;
    },
  };
}
