import { describe, expect, it } from 'vitest';
import { sniffImage } from '../adapters/photo-fetch/sniff-image.js';
import { photoColour, renderEmployeePhoto, startPhotoServer } from './photo-server.js';

const employees = [
  { id: 1, firstName: 'Søren', lastName: 'Ærø' },
  { id: 2, firstName: 'Åse', lastName: 'Mæland' },
  { id: 3, firstName: 'Bjørn', lastName: 'Økland' },
];

async function get(url: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const res = await fetch(url);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    bytes: Buffer.from(await res.arrayBuffer()),
  };
}

describe('startPhotoServer', () => {
  it('serves a distinct, deterministic 256×256 JPEG per employee', async () => {
    await using server = await startPhotoServer({ employees });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const photos = await Promise.all(employees.map((e) => get(`${server.url}/photos/${e.id}.jpg`)));
    for (const photo of photos) {
      expect(photo.status).toBe(200);
      expect(photo.type).toBe('image/jpeg');
      expect([...photo.bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
      expect(await sniffImage(photo.bytes)).toEqual({
        ok: true,
        contentType: 'image/jpeg',
        width: 256,
        height: 256,
      });
    }
    const distinct = new Set(photos.map((p) => p.bytes.toString('base64')));
    expect(distinct.size).toBe(employees.length);

    const again = await get(`${server.url}/photos/2.jpg`);
    expect(again.bytes.equals(photos[1]!.bytes)).toBe(true);
    // A fresh render (no cache) gives the same bytes: the photo is a function of the employee.
    expect((await renderEmployeePhoto(employees[1]!)).equals(photos[1]!.bytes)).toBe(true);
    expect(server.requests).toBe(4);
  });

  it('gives each id its own colour', () => {
    const colours = new Set(Array.from({ length: 60 }, (_, i) => photoColour(i + 1)));
    expect(colours.size).toBeGreaterThan(50);
    for (const c of colours) expect(c).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('answers 404 for unknown ids and paths, 405 for writes', async () => {
    await using server = await startPhotoServer({ employees });
    for (const path of ['/photos/4.jpg', '/photos/abc.jpg', '/photos/1.png', '/photos/../1.jpg', '/']) {
      expect((await get(`${server.url}${path}`)).status, path).toBe(404);
    }
    const post = await fetch(`${server.url}/photos/1.jpg`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    const head = await fetch(`${server.url}/photos/1.jpg`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1000);
  });

  it('stops listening on close (twice is fine)', async () => {
    const server = await startPhotoServer({ employees });
    await server.close();
    await server.close();
    await expect(fetch(`${server.url}/photos/1.jpg`)).rejects.toThrow();
  });
});
