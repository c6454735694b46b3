/**
 * The bridge page's delay in Chromium: counted down, and the reader can stop
 * it (WCAG 2.2.1; a meta refresh could not be stopped). Without a choice the
 * visitor is taken on when it runs out, replacing the bridge in the history.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, poll, serveTestApp, type ServedApp } from '../helpers/browser.ts';

let app: ServedApp;
let browser: Browser;
let code = '';

beforeAll(async () => {
  // the destination is this test server's own health check (a loopback address, allowed here)
  app = await serveTestApp({ env: { ALLOW_PRIVATE_TARGETS: 'true' } });
  const user = await app.services.users.create({ email: 'bridge@example.com', password: 'bridge-Pa55word', plan: 'pro' });
  const { link } = await app.services.links.create(await app.services.users.actorFor(user), { destination: `${app.base}/healthz`, title: 'Wait a moment', redirectMode: 'bridge', bridgeDelaySeconds: 2, metadata: 'none' });
  code = link.code;
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

test('the reader can stay: the countdown stops and the page stays', async () => {
  const page = await browser.newPage();
  await page.goto(`${app.base}/${code}`);
  await page.getByRole('button', { name: 'Stay on this page' }).click();
  await Bun.sleep(3000);
  expect(new URL(page.url()).pathname).toBe(`/${code}`);
  expect(await page.locator('#bridge-wait').innerText()).toBe('Staying here. Continue when you are ready.');
  await page.close();
}, 20_000);

test('staying, from the keyboard: the focus goes on to Continue, and the change is read out (the countdown was not)', async () => {
  const page = await browser.newPage();
  await page.goto(`${app.base}/${code}`);
  expect(await page.locator('#bridge-wait').getAttribute('role')).toBeNull();
  await page.locator('#bridge-stay').focus();
  await page.keyboard.press('Enter');
  await poll(() => page.evaluate(() => document.activeElement?.textContent), 'Continue');
  await poll(() => page.locator('#bridge-wait').evaluate((w) => `${w.getAttribute('role')}: ${w.textContent}`), 'status: Staying here. Continue when you are ready.');
  await page.close();
}, 20_000);

test('left alone, the page counts down and goes on, out of the history', async () => {
  const page = await browser.newPage();
  await page.goto(`${app.base}/`);
  await page.goto(`${app.base}/${code}`);
  await poll(async () => new URL(page.url()).pathname, '/healthz', 6000);
  // Back leads to the page before the link, not to a bridge that would leave again
  await page.goBack();
  expect(new URL(page.url()).pathname).not.toBe(`/${code}`);
  await page.close();
}, 20_000);
