/**
 * Draws build/icon.png (512x512): a dark rounded tile with a stack of three job cards and a red stop
 * dot. Pure Node (zlib + a hand-written PNG), so the icon is reproducible offline:
 * `node build/icon.ts`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

type Rgba = [number, number, number, number];

const SIZE = 512;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgba): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    const row = y * (width * 4 + 1);
    raw[row] = 0;
    for (let x = 0; x < width; x += 1) {
      const [r, g, b, a] = pixel(x, y);
      raw.set([r, g, b, a], row + 1 + x * 4);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Signed distance to a rounded rectangle centred at (cx, cy). */
function roundedRect(x: number, y: number, cx: number, cy: number, halfW: number, halfH: number, radius: number): number {
  const dx = Math.abs(x - cx) - (halfW - radius);
  const dy = Math.abs(y - cy) - (halfH - radius);
  return Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0) - radius;
}

function cover(distance: number): number {
  return Math.min(1, Math.max(0, 0.5 - distance));
}

function over(base: Rgba, color: [number, number, number], alpha: number): Rgba {
  const a = alpha + (base[3] / 255) * (1 - alpha);
  if (a === 0) return [0, 0, 0, 0];
  const mix = (i: 0 | 1 | 2) => Math.round((color[i] * alpha + base[i] * (base[3] / 255) * (1 - alpha)) / a);
  return [mix(0), mix(1), mix(2), Math.round(a * 255)];
}

export function iconPixel(x: number, y: number): Rgba {
  const px = x + 0.5;
  const py = y + 0.5;
  let color: Rgba = [0, 0, 0, 0];
  color = over(color, [22, 27, 34], cover(roundedRect(px, py, 256, 256, 240, 240, 96)));
  const cards: Array<[number, [number, number, number]]> = [
    [168, [88, 166, 255]],
    [256, [63, 185, 80]],
    [344, [210, 153, 34]],
  ];
  for (const [cy, tint] of cards) color = over(color, tint, cover(roundedRect(px, py, 236, cy, 150, 34, 18)));
  color = over(color, [248, 81, 73], cover(Math.hypot(px - 400, py - 400) - 58));
  color = over(color, [255, 255, 255], cover(roundedRect(px, py, 400, 400, 26, 26, 6)));
  return color;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const out = join(import.meta.dirname, 'icon.png');
  writeFileSync(out, encodePng(SIZE, SIZE, iconPixel));
  console.log(`wrote ${out}`);
}
