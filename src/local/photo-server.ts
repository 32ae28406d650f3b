import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import type { HrEmployee } from './seed-hr.js';

/** The HR system's photo store, as the demo serves it on loopback. */
export interface DemoPhotoServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`; photos live under `<url>/photos/<employeeId>.jpg`. */
  readonly url: string;
  /** Photo requests answered so far (200s and 404s), for demos and tests. */
  readonly requests: number;
  close(): Promise<void>;
}

/** Options of `startPhotoServer`. */
export interface PhotoServerOptions {
  /** Whose photos exist; any other id answers 404. Only id and names are used. */
  employees: Pick<HrEmployee, 'id' | 'firstName' | 'lastName'>[];
  /** Port on 127.0.0.1; 0 or absent = a free port. */
  port?: number;
}

export const PHOTO_SIZE = 256;

/** A stable, saturated background colour per employee id, so every photo looks different. */
export function photoColour(id: number): string {
  const h = createHash('sha256').update(`roster-demo-photo:${id}`).digest();
  const hue = (h.readUInt16BE(0) % 360) / 360;
  const [r, g, b] = hslToRgb(hue, 0.55, 0.42);
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const channel = (t: number) => {
    const x = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
    const v = x < 1 / 6 ? p + (q - p) * 6 * x : x < 1 / 2 ? q : x < 2 / 3 ? p + (q - p) * (2 / 3 - x) * 6 : p;
    return Math.round(v * 255);
  };
  return [channel(h + 1 / 3), channel(h), channel(h - 1 / 3)];
}

function initialsOf(e: Pick<HrEmployee, 'firstName' | 'lastName'>): string {
  return `${[...e.firstName][0] ?? ''}${[...e.lastName][0] ?? ''}`.toUpperCase();
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

/** A 256×256 JPEG: coloured square, initials in white. Deterministic for the same employee. */
export async function renderEmployeePhoto(
  employee: Pick<HrEmployee, 'id' | 'firstName' | 'lastName'>,
): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${PHOTO_SIZE}" height="${PHOTO_SIZE}">
  <text x="50%" y="50%" dy="0.35em" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif"
    font-size="104" font-weight="bold" fill="#ffffff">${escapeXml(initialsOf(employee))}</text>
</svg>`;
  return sharp({
    create: { width: PHOTO_SIZE, height: PHOTO_SIZE, channels: 3, background: photoColour(employee.id) },
  })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

const PHOTO_PATH = /^\/photos\/(\d{1,9})\.jpg$/;

/**
 * Serves `/photos/<employeeId>.jpg` over plain HTTP on 127.0.0.1: a stand-in for the HR
 * system's photo store. Photos are rendered on first request and cached (sharp is slow
 * compared to a cache hit, and Roster may fetch the same photo on every deep check).
 */
export async function startPhotoServer(options: PhotoServerOptions): Promise<DemoPhotoServer> {
  const byId = new Map(options.employees.map((e) => [e.id, e]));
  const cache = new Map<number, Promise<Buffer>>();
  let requests = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const match = PHOTO_PATH.exec(path);
    const employee = match ? byId.get(Number(match[1])) : undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed');
      return;
    }
    if (!employee) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    let photo = cache.get(employee.id);
    if (!photo) {
      photo = renderEmployeePhoto(employee);
      cache.set(employee.id, photo);
    }
    const bytes = await photo;
    res.writeHead(200, {
      'content-type': 'image/jpeg',
      'content-length': String(bytes.length),
      'cache-control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('photo rendering failed');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
