/**
 * The public home page in Chromium: a visitor shortens a URL and gets the
 * short link with a Copy button that copies it and says so, and a QR code
 * that a scanner (zbarimg, on the image as the browser drew it) reads as the
 * short link marked as a scan.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, poll, screenshot, serveTestApp, type ServedApp } from '../helpers/browser.ts';

let app: ServedApp;
let browser: Browser;

beforeAll(async () => {
  app = await serveTestApp({ env: { ANONYMOUS_LINKS: 'true' } });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

test('a visitor copies the new short link and scans its QR code', async () => {
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.base });
  const page = await context.newPage();
  await page.goto(`${app.base}/`);
  await page.getByLabel('Long URL').fill('https://example.com/a/long/page/to/share');
  await page.getByRole('button', { name: 'Shorten' }).click();
  const shortUrl = (await page.locator('#short-url').innerText()).trim();
  // focus goes to the result, so that a screen reader reads it out
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('result');
  expect(shortUrl).toMatch(new RegExp(`^${app.base}/s/[A-Za-z0-9]{7}$`));

  await page.getByRole('button', { name: 'Copy' }).click();
  await poll(() => page.locator('#copy-status').innerText(), 'Copied to the clipboard.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shortUrl);

  const qr = page.getByAltText(`QR code of ${shortUrl}`);
  expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  const file = join(mkdtempSync(join(tmpdir(), 'shrinkray-home-qr-')), 'qr.png');
  writeFileSync(file, await qr.screenshot());
  if (!Bun.which('zbarimg')) throw new Error('zbarimg is not installed: apt-get install -y zbar-tools (CI installs it)');
  // a scan of it counts as one (?qr=1), as the designer's codes do
  expect(Bun.spawnSync(['zbarimg', '--raw', '-q', file]).stdout.toString().trim()).toBe(`${shortUrl}?qr=1`);
  await screenshot(page, 'home-result');
  await context.close();
}, 30_000);

for (const scheme of ['light', 'dark'] as const) {
  test(`the address field's placeholder keeps 4.5:1 against the field (${scheme})`, async () => {
    const page = await browser.newPage();
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${app.base}/`);
    const ratio = await page.locator('input[placeholder]').first().evaluate((el) => {
      const nums = (c: string) => c.match(/[\d.]+/g)!.map(Number);
      const lum = ([r, g, b]: number[]) => {
        const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
      };
      const ph = getComputedStyle(el, '::placeholder');
      const bg = nums(getComputedStyle(el).backgroundColor);
      const a = (nums(ph.color)[3] ?? 1) * Number(ph.opacity);
      const fg = nums(ph.color).slice(0, 3).map((v, i) => v * a + bg[i]! * (1 - a));
      const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      return (hi! + 0.05) / (lo! + 0.05);
    });
    await page.close();
    expect(ratio).toBeGreaterThanOrEqual(4.5);
  });
}
