/** The qrcode package's two modules render.ts imports directly; their types are the package's own. */
declare module 'qrcode/lib/core/qrcode.js' {
  export { create } from 'qrcode';
}
declare module 'qrcode/lib/renderer/svg-tag.js' {
  import type { QRCode, QRCodeRenderersOptions } from 'qrcode';
  export function render(qrData: QRCode, options?: QRCodeRenderersOptions): string;
}
