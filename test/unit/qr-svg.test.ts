/**
 * render.ts draws SVGs with two of the qrcode package's modules instead of
 * its entry (which loads its PNG renderer and pngjs on every start): the
 * result must be the package's own toString(…, {type: 'svg'}), byte for byte.
 */
import { expect, test } from 'bun:test';
import QRCode from 'qrcode';
import { renderSvg } from '../../src/qr/render.ts';
import { ERROR_CORRECTIONS } from '../../src/qr/qr.types.ts';

test('an SVG is the one the qrcode package draws, for any level, margin, size and colours', async () => {
  let compared = 0;
  for (const payload of ['https://sho.rt/abc1234?qr=1', 'x'.repeat(500), 'Äö 漢字', 'WIFI:T:WPA;S:net;P:pw;;'])
    for (const errorCorrection of ERROR_CORRECTIONS)
      for (const [margin, size, dark, light] of [
        [4, 300, '#000000', '#FFFFFF'],
        [0, 64, '#FF00AA80', '#0A0A0F'],
        [10, 1000, '#123456', '#FFFFFF00'],
      ] as const) {
        const ours = await renderSvg(payload, { errorCorrection, margin, size, foregroundColor: dark, backgroundColor: light });
        const theirs = await QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: errorCorrection, margin, width: size, color: { dark, light } });
        expect(ours).toBe(theirs);
        compared++;
      }
  expect(compared).toBe(48);
});
