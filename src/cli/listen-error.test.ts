import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors/roster-error.js';
import { explainListenError } from './listen-error.js';

function listen(server: Server, port: number): Promise<unknown> {
  return new Promise((resolve) => {
    server.once('error', resolve);
    server.listen(port, '127.0.0.1', () => resolve(undefined));
  });
}

describe('explainListenError', () => {
  it("turns Node's EADDRINUSE into a message with the flag to choose another port", async () => {
    const first = createServer();
    await listen(first, 0);
    const port = (first.address() as { port: number }).port;
    const second = createServer();
    const error = await listen(second, port);
    first.close();
    const explained = explainListenError(error, { host: '127.0.0.1', port, choose: '--port N' });
    expect(explained).toBeInstanceOf(UsageError);
    expect((explained as Error).message).toBe(
      `port ${port} on 127.0.0.1 is already in use (by another Roster or another program): choose another with --port N; --port 0 takes any free port`,
    );
  });

  it('passes every other error through unchanged', () => {
    const bug = new TypeError('x is not a function');
    expect(explainListenError(bug, { host: '127.0.0.1', port: 1, choose: '--port N' })).toBe(bug);
    const open = Object.assign(new Error('ENOENT'), { code: 'ENOENT', syscall: 'open' });
    expect(explainListenError(open, { host: '127.0.0.1', port: 1, choose: '--port N' })).toBe(open);
  });
});
