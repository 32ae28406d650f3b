import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that cuts every connection (and refuses new ones) a few
 * server answers after the client sent a statement containing `trigger`: the database is "lost"
 * in the middle of that statement's paging.
 */
export async function startCuttingProxy(target: URL, trigger: string, answersBeforeCut: number) {
  const sockets = new Set<Socket>();
  let armed = false;
  let answers = 0;
  let cut = false;
  const server = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    const cutAll = () => {
      cut = true;
      for (const s of sockets) s.destroy();
    };
    client.on('data', (data: Buffer) => {
      if (data.includes(trigger)) armed = true;
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      if (armed && ++answers > answersBeforeCut) return cutAll();
      client.write(data);
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
    get cut() {
      return cut;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A TCP proxy in front of PostgreSQL that counts the server's ReadyForQuery messages: one per
 * round trip a client waits for (a simple query, or an extended-protocol Sync).
 */
export async function startCountingProxy(target: URL) {
  const sockets = new Set<Socket>();
  let roundTrips = 0;
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    let pending = Buffer.alloc(0);
    client.on('data', (data: Buffer) => upstream.write(data));
    upstream.on('data', (data: Buffer) => {
      // Backend messages: a type byte, then an int32 length that counts itself.
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 5 && pending.length >= 1 + pending.readInt32BE(1)) {
        if (pending[0] === 0x5a /* 'Z' */) roundTrips += 1;
        pending = pending.subarray(1 + pending.readInt32BE(1));
      }
      client.write(data);
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
    get roundTrips() {
      return roundTrips;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
