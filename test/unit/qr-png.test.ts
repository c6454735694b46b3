/**
 * Our QR PNG encoder against the qrcode package's own PNG: the same pixels
 * (decoded by pngjs), every error correction level, the sizes and margins
 * the APIs allow (and sizes too small for the symbol, where the package
 * falls back to 4 px a module), any colours.
 */
import { describe, expect, test } from 'bun:test';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { payloadFor } from '../../src/qr/qr.service.ts';
import { renderPng } from '../../src/qr/render.ts';
import type { ErrorCorrection } from '../../src/qr/qr.types.ts';

const pixels = (png: Uint8Array) => {
  const img = PNG.sync.read(Buffer.from(png));
  return { width: img.width, height: img.height, data: img.data };
};

describe('QR PNG', () => {
  test('pixel for pixel the image the qrcode package draws', async () => {
    let compared = 0;
    for (const [payload, dark, light] of [
      ['https://sho.rt/abc1234', '#000000', '#FFFFFF'],
      ['x'.repeat(700), '#00FF9F', '#0D0221'],
      ['漢字'.repeat(60), '#12AB34', '#FEFEFE'],
    ] as const) {
      for (const level of ['L', 'M', 'Q', 'H'] as ErrorCorrection[]) {
        for (const [size, margin] of [[100, 4], [128, 0], [300, 4], [333, 10], [512, 1], [1000, 4], [1024, 7]] as const) {
          let theirs: Buffer;
          try {
            theirs = await QRCode.toBuffer(payload, { errorCorrectionLevel: level, margin, width: size, color: { dark, light }, type: 'png' });
          } catch {
            continue; // too long for this level: drawFitting never asks for it
          }
          const mine = pixels(await renderPng(payload, { foregroundColor: dark, backgroundColor: light, margin, size, errorCorrection: level }));
          const expected = pixels(theirs);
          expect([payload.length, level, size, margin, mine.width, mine.height]).toEqual([payload.length, level, size, margin, expected.width, expected.height]);
          expect(Buffer.compare(mine.data, expected.data)).toBe(0);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(60);
  });

  test('a payload too long for the level fails as the package does, so drawFitting can step down', async () => {
    const style = { foregroundColor: '#000000', backgroundColor: '#FFFFFF', margin: 4, size: 300, errorCorrection: 'H' as const };
    await expect(renderPng('x'.repeat(2000), style)).rejects.toThrow(/too big to be stored/);
  });
});

test('a web address with letters outside ASCII scans as the address itself: its ASCII form is what is drawn', async () => {
  if (!Bun.which('zbarimg')) throw new Error('zbarimg is not installed: apt-get install -y zbar-tools (CI installs it)');
  const typed = 'https://bücher.example/café?q=日本';
  const file = `${tmpdir()}/qr-ascii-${process.pid}.png`;
  await Bun.write(file, await renderPng(payloadFor('url', typed), { foregroundColor: '#000000', backgroundColor: '#FFFFFF', margin: 4, size: 300, errorCorrection: 'M' }));
  try {
    const read = Bun.spawnSync(['zbarimg', '--raw', '-q', file]).stdout.toString().trim();
    expect(read).toBe('https://xn--bcher-kva.example/caf%C3%A9?q=%E6%97%A5%E6%9C%AC');
    expect(new URL(read).href).toBe(new URL(typed).href);
  } finally {
    await unlink(file).catch(() => undefined);
  }
  // text stays as typed, and so does what URL cannot read
  expect(payloadFor('text', typed)).toBe(typed);
  expect(payloadFor('url', 'bücher.example/x')).toBe('bücher.example/x');
});
