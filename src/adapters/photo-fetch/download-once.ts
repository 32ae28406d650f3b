import type { LookupAddress } from 'node:dns';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { PhotoRejection } from '../../ports/photo-fetcher.js';
import { checkAddress, describeRange } from './address-policy.js';
import { normalizeHost } from '../../desired/host-allow-list.js';

/** Resolves a host name to every address it has (like `dns.lookup` with `all: true`). */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

/** One request of a download (redirects are followed by the caller). */
export interface HopRequest {
  url: URL;
  allowPrivateAddresses: boolean;
  maxBytes: number;
  connectTimeoutMs: number;
  resolve: ResolveHost;
  ca?: string | Buffer;
  /** Aborts at the total deadline of the whole download, redirects included. */
  deadline: AbortSignal;
  totalTimeoutMs: number;
  /** What is downloaded, for messages: `photo` (the default) or `banner image`. */
  subject?: string;
  /** The Accept header (default: JPEG, then PNG). */
  accept?: string;
}

/** What one request produced. */
export type HopResult =
  | { kind: 'body'; bytes: Buffer }
  | { kind: 'redirect'; status: number; location: string | undefined }
  | { kind: 'rejected'; reason: PhotoRejection; message: string; status?: number; size?: number };

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Resolves the host, checks every address, then connects to exactly the checked addresses: the
 * socket's `lookup` hands back what was checked instead of asking DNS again, so a name that
 * re-resolves to 127.0.0.1 between the check and the connect (DNS rebinding) cannot slip past.
 * The connect timeout covers resolution, TCP and TLS; the body is counted as it streams and
 * the connection cut the moment it passes `maxBytes`.
 */
export async function downloadOnce(hop: HopRequest): Promise<HopResult> {
  const host = normalizeHost(hop.url.hostname);
  if (hop.deadline.aborted) return totalTimeout(hop);
  const connect = new AbortController();
  const timer = setTimeout(() => connect.abort(), hop.connectTimeoutMs);
  const stops: Stop[] = [
    { signal: connect.signal, result: () => connectTimeout(hop, host) },
    { signal: hop.deadline, result: () => totalTimeout(hop) },
  ];
  try {
    const addresses = await untilStopped(resolveChecked(host, hop), stops);
    if (!Array.isArray(addresses)) return addresses;
    return await send(hop, host, addresses, stops, () => clearTimeout(timer));
  } finally {
    clearTimeout(timer);
  }
}

/** A signal that ends the hop early, and what the hop then yields. */
interface Stop {
  signal: AbortSignal;
  result: () => HopResult;
}

/** `work`, unless a stop fires first (`dns.lookup` cannot be cancelled, only outrun). */
function untilStopped<T>(work: Promise<T>, stops: readonly Stop[]): Promise<T | HopResult> {
  return new Promise((resolve, reject) => {
    const listeners = stops.map((stop) => {
      const listener = () => done(() => resolve(stop.result()));
      stop.signal.addEventListener('abort', listener, { once: true });
      return () => stop.signal.removeEventListener('abort', listener);
    });
    let settled = false;
    const done = (settle: () => void) => {
      if (settled) return;
      settled = true;
      for (const remove of listeners) remove();
      settle();
    };
    const fired = stops.find((stop) => stop.signal.aborted);
    if (fired) return done(() => resolve(fired.result()));
    work.then(
      (value) => done(() => resolve(value)),
      (error: unknown) => done(() => reject(error)),
    );
  });
}

async function resolveChecked(host: string, hop: HopRequest): Promise<LookupAddress[] | HopResult> {
  const literal = isIP(host);
  let addresses: LookupAddress[];
  if (literal !== 0) {
    addresses = [{ address: host, family: literal }];
  } else {
    try {
      addresses = await hop.resolve(host);
    } catch (error) {
      return rejected(
        'network',
        `the ${what(hop)} host "${host}" could not be resolved (${errorCode(error)})`,
      );
    }
    if (addresses.length === 0)
      return rejected('network', `the ${what(hop)} host "${host}" has no addresses`);
  }
  for (const { address } of addresses) {
    const verdict = checkAddress(address, hop.allowPrivateAddresses);
    if (verdict.ok) continue;
    const subject =
      literal !== 0
        ? `the ${what(hop)} host ${host}`
        : `the ${what(hop)} host "${host}" resolves to ${address}, which`;
    return rejected(
      'address-not-allowed',
      `${subject} ${describeRange(verdict.range)}; ${what(hop)}s are only fetched from public addresses`,
    );
  }
  return addresses;
}

function send(
  hop: HopRequest,
  host: string,
  addresses: LookupAddress[],
  stops: readonly Stop[],
  connected: () => void,
): Promise<HopResult> {
  return new Promise<HopResult>((resolve) => {
    const https = hop.url.protocol === 'https:';
    let settled = false;
    let req: ClientRequest | undefined;
    const listeners = stops.map((stop) => {
      const listener = () => finish(stop.result());
      stop.signal.addEventListener('abort', listener, { once: true });
      return () => stop.signal.removeEventListener('abort', listener);
    });
    const finish = (result: HopResult) => {
      if (settled) return;
      settled = true;
      for (const remove of listeners) remove();
      req?.destroy();
      resolve(result);
    };
    const fired = stops.find((stop) => stop.signal.aborted);
    if (fired) return finish(fired.result());
    try {
      req = (https ? httpsRequest : httpRequest)({
        protocol: hop.url.protocol,
        hostname: host,
        port: hop.url.port || undefined,
        path: `${hop.url.pathname}${hop.url.search}`,
        method: 'GET',
        headers: {
          accept: hop.accept ?? 'image/jpeg, image/png;q=0.9',
          'user-agent': 'roster-photo-fetcher',
        },
        agent: false,
        lookup: pinnedLookup(addresses),
        ...(https && hop.ca !== undefined ? { ca: hop.ca } : {}),
      });
    } catch (error) {
      finish(rejected('network', `the ${what(hop)} request could not be made (${errorCode(error)})`));
      return;
    }
    req.on('socket', (socket) => socket.once(https ? 'secureConnect' : 'connect', connected));
    req.on('error', (error) =>
      finish(rejected('network', `the ${what(hop)} download from "${host}" failed (${errorCode(error)})`)),
    );
    req.on('response', (res) => readResponse(res, hop, finish));
    req.end();
  });
}

function readResponse(res: IncomingMessage, hop: HopRequest, finish: (result: HopResult) => void): void {
  const status = res.statusCode ?? 0;
  if (REDIRECTS.has(status)) return finish({ kind: 'redirect', status, location: res.headers.location });
  if (status !== 200) {
    return finish({ ...rejected('http-status', `the ${what(hop)} server answered HTTP ${status}`), status });
  }
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > hop.maxBytes) {
    return finish({
      ...rejected(
        'too-large',
        `the ${what(hop)} is ${declared} bytes (Content-Length); the limit is ${hop.maxBytes}`,
      ),
      size: declared,
    });
  }
  const chunks: Buffer[] = [];
  let received = 0;
  res.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > hop.maxBytes) {
      finish(rejected('too-large', `the ${what(hop)} is larger than the limit of ${hop.maxBytes} bytes`));
      return;
    }
    chunks.push(chunk);
  });
  res.on('end', () => {
    if (!res.complete)
      return finish(rejected('network', `the ${what(hop)} server closed the connection mid-body`));
    finish({ kind: 'body', bytes: Buffer.concat(chunks, received) });
  });
  res.on('error', (error) =>
    finish(rejected('network', `the ${what(hop)} download failed (${errorCode(error)})`)),
  );
  res.on('aborted', () =>
    finish(rejected('network', `the ${what(hop)} server closed the connection mid-body`)),
  );
}

/** A `lookup` for the socket that only ever answers with the addresses already checked. */
function pinnedLookup(addresses: readonly LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const wanted =
      family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : [...addresses];
    const first = wanted[0];
    if (!first) {
      const error: NodeJS.ErrnoException = new Error('no checked address of the requested family');
      error.code = 'ENOTFOUND';
      callback(error, '', 0);
      return;
    }
    if (options.all) callback(null, wanted);
    else callback(null, first.address, first.family);
  };
}

function connectTimeout(hop: HopRequest, host: string): HopResult {
  return rejected('timeout', `no connection to "${host}" within ${hop.connectTimeoutMs} ms`);
}

function totalTimeout(hop: HopRequest): HopResult {
  return rejected('timeout', `the ${what(hop)} download did not finish within ${hop.totalTimeoutMs} ms`);
}

function what(hop: Pick<HopRequest, 'subject'>): string {
  return hop.subject ?? 'photo';
}

function rejected(reason: PhotoRejection, message: string): Extract<HopResult, { kind: 'rejected' }> {
  return { kind: 'rejected', reason, message };
}

/** Node's error code (ECONNREFUSED, CERT_HAS_EXPIRED, …): says what failed without echoing input. */
function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}
