/**
 * Renders a QR payload with the qrcode package: its SVG, and its symbol
 * encoded as PNG by png.ts. Only the two parts used are imported: the
 * package's entry also loads its PNG renderer, pngjs and Node's stream,
 * zlib and util modules, ~14 ms of every server start before the first
 * redirect (docs/performance.md, eleventh round) for code never called.
 */
import { create } from 'qrcode/lib/core/qrcode.js';
import { render as svgTag } from 'qrcode/lib/renderer/svg-tag.js';
import { encodeQrPng } from './png.ts';
import { ERROR_CORRECTIONS, type ErrorCorrection, type QrStyle } from './qr.types.ts';

const opts = (s: QrStyle) => ({
  errorCorrectionLevel: s.errorCorrection,
  margin: s.margin,
  width: s.size,
  color: { dark: s.foregroundColor, light: s.backgroundColor },
});

/**
 * Whether the payload fits a QR code (version 40 at most) at this level.
 * Building the symbol is the only exact test: capacity depends on the
 * encoding modes the library picks for each segment.
 */
export function fitsQr(payload: string, level: ErrorCorrection): boolean {
  try {
    create(payload, { errorCorrectionLevel: level });
    return true;
  } catch {
    return false;
  }
}

const tooBig = (e: unknown) => e instanceof Error && /too big to be stored/.test(e.message);

/**
 * Draws with the requested style or, when the payload does not fit at its
 * error correction, the strongest lower level that holds it (a level only
 * changes damage tolerance, never what a scanner reads). Null when no level
 * holds it: a code saved before capacity was checked on save.
 */
export async function drawFitting<T>(payload: string, style: QrStyle, draw: (payload: string, style: QrStyle) => Promise<T>): Promise<T | null> {
  const levels = ERROR_CORRECTIONS.slice(0, ERROR_CORRECTIONS.indexOf(style.errorCorrection) + 1).reverse();
  for (const errorCorrection of levels) {
    try {
      return await draw(payload, { ...style, errorCorrection });
    } catch (e) {
      if (!tooBig(e)) throw e;
    }
  }
  return null;
}

/** The package's toString(payload, {type: 'svg'}), which is this with the same options. */
export async function renderSvg(payload: string, style: QrStyle): Promise<string> {
  const o = opts(style);
  return svgTag(create(payload, o), o);
}

/** The package's symbol, encoded by encodeQrPng (see png.ts for why not the package's PNG). */
export async function renderPng(payload: string, style: QrStyle): Promise<Uint8Array<ArrayBuffer>> {
  const { modules } = create(payload, { errorCorrectionLevel: style.errorCorrection });
  return encodeQrPng(modules, { margin: style.margin, width: style.size, dark: style.foregroundColor, light: style.backgroundColor });
}
