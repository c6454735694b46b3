/** Renders a QR payload to SVG or PNG with the qrcode package. */
import QRCode from 'qrcode';
import type { QrStyle } from './qr.types.ts';

const opts = (s: QrStyle) => ({
  errorCorrectionLevel: s.errorCorrection,
  margin: s.margin,
  width: s.size,
  color: { dark: s.foregroundColor, light: s.backgroundColor },
});

export async function renderSvg(payload: string, style: QrStyle): Promise<string> {
  return QRCode.toString(payload, { ...opts(style), type: 'svg' });
}

export async function renderPng(payload: string, style: QrStyle): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await QRCode.toBuffer(payload, { ...opts(style), type: 'png' }));
}
