/**
 * LinkShrink QR images (GET /api/v1/qr/:code.png|.svg): the PNG decodes back
 * to exactly the short URL (with zbarimg, which CI installs from
 * zbar-tools), and the documented size/colour parameters, defaults, limits
 * and cache header hold.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE, makeTestApp, type TestApp } from '../../helpers/make-test-app.ts';

let t: TestApp;
let dir: string;
let code: string;
beforeAll(async () => {
  t = await makeTestApp({ env: { ANONYMOUS_LINKS: 'true' } });
  dir = mkdtempSync(join(tmpdir(), 'linkshrink-qr-'));
  const res = await t.request('POST', '/api/v1/shorten', { body: { url: 'https://example.com/printed', customAlias: 'my-campaign' } });
  code = (await res.json()).data.code;
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Width and height from a PNG's IHDR chunk. */
const pngSize = (bytes: Uint8Array) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return [view.getUint32(16), view.getUint32(20)];
};

function decode(png: Uint8Array, name: string): string {
  if (!Bun.which('zbarimg')) throw new Error('zbarimg is not installed: apt-get install -y zbar-tools (CI installs it)');
  const file = join(dir, name);
  writeFileSync(file, png);
  const out = Bun.spawnSync(['zbarimg', '--raw', '-q', file]);
  if (out.exitCode !== 0) throw new Error(`zbarimg could not decode ${name} (exit ${out.exitCode}): ${out.stderr.toString()}`);
  return out.stdout.toString().trim();
}

describe('the QR code encodes the short URL', () => {
  test('default PNG (512 px, the cyberpunk colours) decodes to exactly the short URL', async () => {
    const res = await t.request('GET', `/api/v1/qr/${code}.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
    const png = new Uint8Array(await res.arrayBuffer());
    expect(pngSize(png)).toEqual([512, 512]);
    expect(decode(png, 'default.png')).toBe(`${BASE}/my-campaign`);
  });

  test('the documented variants decode too: ?size=256, black on white', async () => {
    for (const [query, size] of [['?size=256', 256], ['?fg=000000&bg=ffffff', 512], ['?size=64&fg=%23000000&bg=%23FFFFFF', 64]] as const) {
      const res = await t.request('GET', `/api/v1/qr/${code}.png${query}`);
      expect(res.status).toBe(200);
      const png = new Uint8Array(await res.arrayBuffer());
      expect(pngSize(png)).toEqual([size, size]);
      if (size >= 128) expect(decode(png, `v${size}.png`)).toBe(`${BASE}/my-campaign`);
    }
  });
});

describe('SVG and parameters', () => {
  test('SVG with default and custom colours', async () => {
    const plain = await t.request('GET', `/api/v1/qr/${code}.svg`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('image/svg+xml');
    expect(plain.headers.get('cache-control')).toBe('public, max-age=86400');
    const svg = await plain.text();
    expect(svg).toStartWith('<svg');
    expect(svg).toContain('width="512"');
    expect(svg).toContain('#0a0a0f');
    expect(svg).toContain('#00f0ff');
    const brand = await (await t.request('GET', `/api/v1/qr/${code}.svg?fg=ff00aa&bg=0a0a0f`)).text();
    expect(brand).toContain('#ff00aa');
    expect(brand).toContain('#0a0a0f');
  });

  test('size outside 64–1024 and bad colours are 400', async () => {
    for (const q of ['size=63', 'size=1025', 'size=abc', 'size=256.5', 'size=-100', 'fg=zzzzzz', 'bg=%2312345', 'fg=ff00aa00', 'bg=red']) {
      const res = await t.request('GET', `/api/v1/qr/${code}.png?${q}`);
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error).toBe('Bad Request');
      expect(res.headers.get('cache-control')).toBe('no-store'); // an error is never cached (the image is, a day)
    }
    expect((await t.request('GET', `/api/v1/qr/${code}.png?size=1024`)).status).toBe(200);
  });

  test('unknown codes and extensions are 404', async () => {
    for (const path of ['/api/v1/qr/nope-nope.png', `/api/v1/qr/${code}.gif`, `/api/v1/qr/${code}`]) {
      const res = await t.request('GET', path);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'Not Found', message: 'Short URL not found or expired' });
    }
  });
});
