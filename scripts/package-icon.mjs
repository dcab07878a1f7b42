// Draws media/icon.png (128×128): a nabla (∇) inside a lens ring on a dark rounded square.
// A tiny rasteriser with 4×4 supersampling and a hand-written PNG encoder (zlib from node), so the
// icon is reproducible without an image tool. Run: node scripts/package-icon.mjs
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';

const N = 128, SS = 4;
const bg = [30, 35, 48], nabla = [255, 167, 38], lens = [79, 195, 247];

function inRoundedSquare(x, y) {
  const r = 22, m = 2;
  const cx = Math.min(Math.max(x, m + r), N - m - r), cy = Math.min(Math.max(y, m + r), N - m - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= m && y >= m && x <= N - m && y <= N - m;
}
// Inverted triangle (∇): outer minus inner.
function inTriangle(x, y, ax, ay, bx, by, cx, cy) {
  const s = (px, py, qx, qy, rx, ry) => (px - rx) * (qy - ry) - (qx - rx) * (py - ry);
  const d1 = s(x, y, ax, ay, bx, by), d2 = s(x, y, bx, by, cx, cy), d3 = s(x, y, cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}
function inNabla(x, y) {
  return inTriangle(x, y, 28, 34, 100, 34, 64, 100) && !inTriangle(x, y, 44, 44, 84, 44, 64, 80);
}
function inLensRing(x, y) {
  const d = Math.hypot(x - 64, y - 60);
  return d >= 50 && d <= 55;
}

const rgba = Buffer.alloc(N * N * 4);
for (let py = 0; py < N; py++) {
  for (let px = 0; px < N; px++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const x = px + (sx + 0.5) / SS, y = py + (sy + 0.5) / SS;
        if (!inRoundedSquare(x, y)) continue;
        const c = inNabla(x, y) ? nabla : inLensRing(x, y) ? lens : bg;
        r += c[0]; g += c[1]; b += c[2]; a += 255;
      }
    }
    const k = SS * SS, i = (py * N + px) * 4;
    const cover = a / 255;
    rgba[i] = cover ? Math.round(r / cover) : 0;
    rgba[i + 1] = cover ? Math.round(g / cover) : 0;
    rgba[i + 2] = cover ? Math.round(b / cover) : 0;
    rgba[i + 3] = Math.round(a / k);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0); ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) rgba.copy(raw, y * (N * 4 + 1) + 1, y * N * 4, (y + 1) * N * 4);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
]);
mkdirSync('media', { recursive: true });
writeFileSync('media/icon.png', png);
console.log(`media/icon.png: ${png.length} bytes`);
