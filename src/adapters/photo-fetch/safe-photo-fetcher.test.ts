import { createHash } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhotoSettings } from '../../config/settings.js';
import {
  makeImages,
  startPhotoServer,
  streamBytes,
  trickle,
  type Handler,
  type PhotoServer,
} from '../../../test/support/photo-servers.js';
import { createSafePhotoFetcher } from './safe-photo-fetcher.js';

const MB = 1024 * 1024;

function settings(partial: Partial<PhotoSettings> = {}): PhotoSettings {
  return {
    enabled: true,
    allowedHosts: ['127.0.0.1', 'localhost', 'photos.example.no'],
    allowPrivateAddresses: true,
    maxBytes: 4 * MB,
    connectTimeoutMs: 2_000,
    totalTimeoutMs: 5_000,
    ...partial,
  };
}

let images: { jpeg: Buffer; png: Buffer };
let server: PhotoServer;
let url: (path: string) => string;

beforeAll(async () => {
  images = await makeImages();
  const send =
    (bytes: Buffer, type: string): Handler =>
    (_req, res) =>
      res.writeHead(200, { 'content-type': type, 'content-length': bytes.length }).end(bytes);
  const redirect =
    (to: (s: PhotoServer) => string, status = 302): Handler =>
    (_req, res, s) =>
      res.writeHead(status, { location: to(s) }).end();
  server = await startPhotoServer({
    '/photo.jpg': send(images.jpeg, 'image/jpeg'),
    // Served as the wrong type on purpose: the bytes decide.
    '/photo.png': send(images.png, 'application/octet-stream'),
    '/text-as-jpeg': send(Buffer.from('<html>not a photo</html>'), 'image/jpeg'),
    '/gif-as-jpeg': send(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'image/jpeg'),
    '/truncated.jpg': send(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'image/jpeg'),
    '/empty': send(Buffer.alloc(0), 'image/jpeg'),
    '/huge': streamBytes(50 * MB, false),
    '/huge-declared': streamBytes(50 * MB, true),
    '/trickle': trickle(200),
    '/silent': () => undefined,
    '/slow-photo': (req, res, s) => void setTimeout(() => send(images.jpeg, 'image/jpeg')(req, res, s), 600),
    '/missing': (_req, res) => res.writeHead(404).end('gone'),
    '/broken': (_req, res) => res.writeHead(500).end('oops'),
    '/same-host': redirect(() => '/photo.jpg'),
    '/same-host-absolute': redirect((s) => `http://127.0.0.1:${s.port}/photo.png`, 301),
    '/other-host': redirect((s) => `http://localhost:${s.port}/photo.jpg`),
    '/metadata': redirect(() => 'http://169.254.169.254/latest/meta-data/', 307),
    '/no-location': (_req, res) => res.writeHead(302).end(),
    '/loop': redirect(() => '/loop'),
    '/chain3': redirect(() => '/chain2'),
    '/chain2': redirect(() => '/chain1', 307),
    '/chain1': redirect(() => '/photo.jpg', 308),
    '/chain4': redirect(() => '/chain3'),
  });
  url = (path) => `${server.origin}${path}`;
});

afterAll(async () => {
  await server.close();
});

describe('createSafePhotoFetcher with allowPrivateAddresses (local servers reachable)', () => {
  const fetcher = () => createSafePhotoFetcher(settings());

  it('fetches a real JPEG with its hash and dimensions', async () => {
    const result = await fetcher().fetch(url('/photo.jpg'));
    expect(result).toEqual({
      ok: true,
      bytes: images.jpeg,
      contentType: 'image/jpeg',
      sha256: createHash('sha256').update(images.jpeg).digest('hex'),
      width: 64,
      height: 48,
    });
  });

  it('judges a PNG by its bytes, whatever Content-Type said', async () => {
    const result = await fetcher().fetch(url('/photo.png'));
    expect(result.ok && [result.contentType, result.bytes.equals(images.png)]).toEqual(['image/png', true]);
  });

  it.each([
    ['/text-as-jpeg', 'the bytes are not a recognizable file type (JPEG or PNG expected)'],
    ['/gif-as-jpeg', 'the bytes are image/gif; only image/jpeg and image/png are accepted'],
    ['/truncated.jpg', 'the bytes look like image/jpeg but do not decode as an image'],
    ['/empty', 'the photo server sent no bytes'],
  ])('refuses %s served as image/jpeg as not-an-image', async (path, message) => {
    expect(await fetcher().fetch(url(path))).toEqual({ ok: false, reason: 'not-an-image', message });
  });

  it.each([
    ['/missing', 'the photo server answered HTTP 404'],
    ['/broken', 'the photo server answered HTTP 500'],
  ])('refuses %s as http-status', async (path, message) => {
    expect(await fetcher().fetch(url(path))).toEqual({ ok: false, reason: 'http-status', message });
  });

  it('follows redirects on the same host, relative or absolute', async () => {
    const relative = await fetcher().fetch(url('/same-host'));
    const absolute = await fetcher().fetch(url('/same-host-absolute'));
    expect(relative.ok && relative.contentType).toBe('image/jpeg');
    expect(absolute.ok && absolute.contentType).toBe('image/png');
  });

  it('follows three redirects but not a fourth', async () => {
    const three = await fetcher().fetch(url('/chain3'));
    expect(three.ok).toBe(true);
    expect(await fetcher().fetch(url('/chain4'))).toEqual({
      ok: false,
      reason: 'too-many-redirects',
      message: 'the photo server redirected more than 3 times',
    });
  });

  it('stops a redirect loop', async () => {
    const before = server.requests.filter((r) => r.path === '/loop').length;
    const result = await fetcher().fetch(url('/loop'));
    expect(result.ok || result.reason).toBe('too-many-redirects');
    expect(server.requests.filter((r) => r.path === '/loop').length - before).toBe(4);
  });

  it('refuses a redirect to another host without contacting it', async () => {
    const before = server.requests.length;
    expect(await fetcher().fetch(url('/other-host'))).toEqual({
      ok: false,
      reason: 'redirect-not-allowed',
      message: 'a redirect from host "127.0.0.1" to host "localhost" is not allowed (only the same host)',
    });
    expect(server.requests.slice(before).map((r) => r.path)).toEqual(['/other-host']);
  });

  it('refuses a redirect to the metadata service', async () => {
    const result = await fetcher().fetch(url('/metadata'));
    expect(result.ok || result.reason).toBe('redirect-not-allowed');
  });

  it('refuses a redirect without a Location header', async () => {
    const result = await fetcher().fetch(url('/no-location'));
    expect(result.ok || [result.reason, result.message]).toEqual([
      'http-status',
      'the photo server redirected without a Location header',
    ]);
  });

  it('stops reading a 50 MB body soon after 4 MB, while it streams', async () => {
    const result = await fetcher().fetch(url('/huge'));
    expect(result).toEqual({
      ok: false,
      reason: 'too-large',
      message: `the photo is larger than the limit of ${4 * MB} bytes`,
    });
    await server.streamed?.closed;
    // What the server managed to write before the socket closed: the cap plus socket buffers.
    expect(server.streamed?.bytes).toBeGreaterThan(4 * MB);
    expect(server.streamed?.bytes).toBeLessThan(20 * MB);
  });

  it('refuses a declared Content-Length above the cap before reading the body', async () => {
    const result = await fetcher().fetch(url('/huge-declared'));
    expect(result).toEqual({
      ok: false,
      reason: 'too-large',
      message: `the photo is ${50 * MB} bytes (Content-Length); the limit is ${4 * MB}`,
    });
    await server.streamed?.closed;
    expect(server.streamed?.bytes).toBeLessThan(20 * MB);
  });

  it('cuts a server trickling one byte every 200 ms at the total deadline', async () => {
    const started = Date.now();
    const result = await createSafePhotoFetcher(settings({ totalTimeoutMs: 1_000 })).fetch(url('/trickle'));
    const elapsed = Date.now() - started;
    expect(result).toEqual({
      ok: false,
      reason: 'timeout',
      message: 'the photo download did not finish within 1000 ms',
    });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(4_000);
  });

  it('lets a connected server take longer than the connect timeout to answer', async () => {
    const fetcher = createSafePhotoFetcher(settings({ connectTimeoutMs: 300, totalTimeoutMs: 5_000 }));
    const result = await fetcher.fetch(url('/slow-photo'));
    expect(result.ok && result.contentType).toBe('image/jpeg');
  });

  it('cuts a server that never answers at the total deadline', async () => {
    const result = await createSafePhotoFetcher(settings({ totalTimeoutMs: 500 })).fetch(url('/silent'));
    expect(result.ok || result.reason).toBe('timeout');
  });

  it('reports a refused connection as a network problem', async () => {
    const closed = await startPhotoServer({});
    await closed.close();
    const result = await fetcher().fetch(`${closed.origin}/photo.jpg`);
    expect(result).toEqual({
      ok: false,
      reason: 'network',
      message: 'the photo download from "127.0.0.1" failed (ECONNREFUSED)',
    });
  });
});

describe('createSafePhotoFetcher without allowPrivateAddresses', () => {
  it.each(['/photo.jpg', '/same-host', '/huge'])(
    'refuses %s on 127.0.0.1 before any connection is made',
    async (path) => {
      const before = server.connections;
      const result = await createSafePhotoFetcher(settings({ allowPrivateAddresses: false })).fetch(
        url(path),
      );
      expect(result).toEqual({
        ok: false,
        reason: 'address-not-allowed',
        message:
          'the photo host 127.0.0.1 is in the loopback range; photos are only fetched from public addresses',
      });
      expect(server.connections).toBe(before);
    },
  );

  it.each([
    ['http://[::1]:8080/a.jpg', '::1', 'loopback'],
    ['http://[::ffff:127.0.0.1]/a.jpg', '::ffff:7f00:1', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'link-local'],
    ['http://10.1.2.3/a.jpg', '10.1.2.3', 'private'],
    ['http://0x7f.1/a.jpg', '127.0.0.1', 'loopback'],
    ['http://[::127.0.0.1]/a.jpg', '::7f00:1', 'IPv4-compatible IPv6 (::/96)'],
    ['http://[::a9fe:a9fe]/latest/meta-data/', '::a9fe:a9fe', 'IPv4-compatible IPv6 (::/96)'],
  ])('refuses the literal %s', async (photoUrl, host, range) => {
    const fetcher = createSafePhotoFetcher(
      settings({ allowPrivateAddresses: false, allowedHosts: ['[::1]', '::ffff:7f00:1', host] }),
    );
    const result = await fetcher.fetch(photoUrl);
    expect(result).toEqual({
      ok: false,
      reason: 'address-not-allowed',
      message: `the photo host ${host} is in the ${range} range; photos are only fetched from public addresses`,
    });
  });

  it.each([
    ['javascript:alert(1)', 'scheme'],
    ['data:image/jpeg;base64,/9j/4AAQ', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['ftp://127.0.0.1/a.jpg', 'scheme'],
    ['http://user:pw@127.0.0.1/a.jpg', 'invalid-url'],
    ['', 'invalid-url'],
    ['http://evil.example.com/a.jpg', 'host-not-allowed'],
  ])('refuses %s as %s', async (photoUrl, reason) => {
    const result = await createSafePhotoFetcher(settings()).fetch(photoUrl);
    expect(result.ok || result.reason).toBe(reason);
  });
});

describe('name resolution (DNS rebinding)', () => {
  function fakeDns(answers: LookupAddress[]) {
    const calls: string[] = [];
    const lookup = async (hostname: string) => {
      calls.push(hostname);
      return answers;
    };
    return { calls, lookup };
  }

  it('refuses a name that resolves to loopback, before connecting', async () => {
    const dns = fakeDns([{ address: '127.0.0.1', family: 4 }]);
    const before = server.connections;
    const fetcher = createSafePhotoFetcher(settings({ allowPrivateAddresses: false }), {
      lookup: dns.lookup,
    });
    expect(await fetcher.fetch(`http://Photos.Example.no:${server.port}/photo.jpg`)).toEqual({
      ok: false,
      reason: 'address-not-allowed',
      message:
        'the photo host "photos.example.no" resolves to 127.0.0.1, which is in the loopback range; photos are only fetched from public addresses',
    });
    expect(dns.calls).toEqual(['photos.example.no']);
    expect(server.connections).toBe(before);
  });

  it('refuses a name when any one of its addresses is not public', async () => {
    const dns = fakeDns([
      { address: '93.184.216.34', family: 4 },
      { address: 'fd00::5', family: 6 },
    ]);
    const fetcher = createSafePhotoFetcher(settings({ allowPrivateAddresses: false }), {
      lookup: dns.lookup,
    });
    const result = await fetcher.fetch('https://photos.example.no/1.jpg');
    expect(result.ok || result.message).toContain(
      'resolves to fd00::5, which is in the unique-local (private IPv6) range',
    );
  });

  it('refuses a name that resolves to an IPv4-compatible IPv6 address (the metadata service)', async () => {
    const dns = fakeDns([{ address: '::a9fe:a9fe', family: 6 }]);
    const fetcher = createSafePhotoFetcher(settings({ allowPrivateAddresses: false }), {
      lookup: dns.lookup,
    });
    const result = await fetcher.fetch('https://photos.example.no/1.jpg');
    expect(result.ok || result.message).toContain(
      'resolves to ::a9fe:a9fe, which is in the IPv4-compatible IPv6 (::/96) range',
    );
  });

  it('connects to exactly the address it checked, resolving the name once', async () => {
    const dns = fakeDns([{ address: '127.0.0.1', family: 4 }]);
    const fetcher = createSafePhotoFetcher(settings(), { lookup: dns.lookup });
    const result = await fetcher.fetch(`http://photos.example.no:${server.port}/photo.jpg`);
    expect(result.ok && result.sha256).toBe(createHash('sha256').update(images.jpeg).digest('hex'));
    expect(dns.calls).toEqual(['photos.example.no']);
    expect(server.requests.at(-1)).toEqual({ path: '/photo.jpg', host: `photos.example.no:${server.port}` });
  });

  it('reports a name that does not resolve as a network problem', async () => {
    const lookup = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND photos.example.no'), { code: 'ENOTFOUND' });
    };
    const result = await createSafePhotoFetcher(settings(), { lookup }).fetch(
      'https://photos.example.no/1.jpg',
    );
    expect(result).toEqual({
      ok: false,
      reason: 'network',
      message: 'the photo host "photos.example.no" could not be resolved (ENOTFOUND)',
    });
  });

  it('counts a resolver that never answers against the connect timeout', async () => {
    const lookup = () => new Promise<LookupAddress[]>(() => undefined);
    const fetcher = createSafePhotoFetcher(settings({ connectTimeoutMs: 300 }), { lookup });
    expect(await fetcher.fetch('https://photos.example.no/1.jpg')).toEqual({
      ok: false,
      reason: 'timeout',
      message: 'no connection to "photos.example.no" within 300 ms',
    });
  });
});
