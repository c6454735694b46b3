/**
 * PNG images of QR symbols, encoded here rather than by the qrcode package:
 * it fills an RGBA bitmap of every pixel and deflates it in JavaScript
 * (~50 ms for the 1000 px the APIs allow, on the thread that answers
 * redirects, from a public route). A symbol has two colours, so the same
 * pixels go out as a 1-bit palette image, each module row built once and
 * repeated, deflated by zlib natively: a few milliseconds. The geometry is
 * the package's own (its getScale: the requested width divided by the
 * modules plus margins, or 4 px a module when that would not fit), so the
 * image is pixel for pixel the one it draws.
 */
import type * as Zlib from 'node:zlib';

// required on the first image, not imported: loading node:zlib costs every server start ~8 ms before its first redirect
let zlib: typeof Zlib | undefined;
const deflate = (data: Uint8Array) => (zlib ??= require('node:zlib') as typeof Zlib).deflateSync(data);

export interface QrSymbol {
  /** modules per side */
  size: number;
  /** size × size, row by row; truthy is dark */
  data: ArrayLike<number | boolean>;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, Bun.hash.crc32(out.subarray(4, 8 + body.length)) >>> 0);
  return out;
}

const rgb = (hex: string) => {
  const n = Number.parseInt(hex.slice(1, 7), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
};

/** The package's getScale: the requested width spread over the modules and margins, else 4 px a module. */
function pixelsPerModule(modules: number, margin: number, width: number): number {
  return width >= 21 && width >= modules + margin * 2 ? width / (modules + margin * 2) : 4;
}

/** `light` and `dark` are #RRGGBB. */
export function encodeQrPng(symbol: QrSymbol, o: { margin: number; width: number; dark: string; light: string }): Uint8Array<ArrayBuffer> {
  const { size, data } = symbol;
  const scale = pixelsPerModule(size, o.margin, o.width);
  const side = Math.floor((size + o.margin * 2) * scale);
  const scaledMargin = o.margin * scale;
  // which module each pixel column (and row) falls in, -1 in the margin: the package's arithmetic
  const moduleAt = new Int32Array(side);
  for (let p = 0; p < side; p++) moduleAt[p] = p >= scaledMargin && p < side - scaledMargin ? Math.floor((p - scaledMargin) / scale) : -1;
  const stride = 1 + Math.ceil(side / 8); // a filter byte (none), then 8 pixels a byte, dark = 1
  const raw = new Uint8Array(stride * side);
  let previous = -2;
  for (let y = 0; y < side; y++) {
    const row = raw.subarray(y * stride, (y + 1) * stride);
    const m = moduleAt[y]!;
    if (m === previous) {
      row.set(raw.subarray((y - 1) * stride, y * stride));
      continue;
    }
    previous = m;
    if (m < 0) continue; // margin rows stay light
    for (let x = 0; x < side; x++) {
      const c = moduleAt[x]!;
      if (c >= 0 && data[m * size + c]) row[1 + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, side);
  view.setUint32(4, side);
  header.set([1, 3, 0, 0, 0], 8); // 1 bit a pixel, palette colour, deflate, no filter, no interlace
  const parts = [
    Uint8Array.from(SIGNATURE),
    chunk('IHDR', header),
    chunk('PLTE', Uint8Array.from([...rgb(o.light), ...rgb(o.dark)])),
    chunk('IDAT', deflate(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
