/**
 * The link form's times in a browser far from UTC: datetime-local fields
 * carry no zone, the form labels them UTC, and a time typed in one (here one
 * that does not exist in Los Angeles, in its spring-forward gap) is stored as
 * that UTC time and shown back unchanged when the link is edited and saved
 * again. The analytics page tells a reader east of UTC, already on the next
 * day, which day is today in UTC.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, serveTestApp, signIn, type ServedApp } from '../helpers/browser.ts';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const OWNER = { email: 'far@example.com', password: 'far-from-utc-Pa55' };

let app: ServedApp;
let browser: Browser;

beforeAll(async () => {
  app = await serveTestApp();
  await app.services.users.create({ ...OWNER, plan: 'pro' });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

test('times typed in Los Angeles are UTC times, and an edit keeps them', async () => {
  const context = await browser.newContext({ userAgent: UA, timezoneId: 'America/Los_Angeles' });
  const page = await context.newPage();
  expect(await page.evaluate(() => new Date('2099-03-08T12:00:00Z').getTimezoneOffset())).toBe(420);
  await signIn(page, app.base, OWNER.email, OWNER.password);
  await page.goto(`${app.base}/dashboard/links/new`);
  await page.getByLabel('Destination URL').fill('https://example.com/far');
  await page.getByLabel('Short link').fill('far-away');
  await page.getByLabel('Expires (UTC)').fill('2099-03-08T02:30');
  await page.locator('#schedule_start_0').fill('2099-03-08T02:15');
  await page.locator('#schedule_end_0').fill('2099-11-01T01:30');
  await page.locator('#schedule_url_0').fill('https://example.com/later');
  await page.getByRole('button', { name: 'Create link' }).click();
  await page.waitForURL(/\/dashboard\?created=far-away$/);

  const actor = await app.services.users.actorFor((await app.services.users.getByEmail(OWNER.email))!);
  const link = await app.services.links.getByCode(actor, 'far-away');
  expect(new Date(link.expiresAt!).toISOString()).toBe('2099-03-08T02:30:00.000Z');
  const [schedule] = await app.services.links.schedules(link.id);
  expect([new Date(schedule!.startsAt!).toISOString(), new Date(schedule!.endsAt!).toISOString()]).toEqual(['2099-03-08T02:15:00.000Z', '2099-11-01T01:30:00.000Z']);

  await page.goto(`${app.base}/dashboard/links/${link.id}/edit`);
  expect(await page.getByLabel('Expires (UTC)').inputValue()).toBe('2099-03-08T02:30');
  expect(await page.locator('#schedule_start_0').inputValue()).toBe('2099-03-08T02:15');
  await page.getByLabel('Title', { exact: true }).fill('Saved again');
  await page.locator('form.link-form [type="submit"]').first().click();
  await page.waitForURL((u) => u.pathname === '/dashboard');
  const saved = await app.services.links.getByCode(actor, 'far-away');
  expect(saved.title).toBe('Saved again');
  expect(saved.expiresAt).toBe(link.expiresAt);
  expect((await app.services.links.schedules(link.id)).map((s) => [s.startsAt, s.endsAt])).toEqual([[schedule!.startsAt, schedule!.endsAt]]);
  await context.close();
}, 60_000);

test('the analytics page says its days are UTC to a reader in Kiritimati (UTC+14)', async () => {
  const context = await browser.newContext({ userAgent: UA, timezoneId: 'Pacific/Kiritimati' });
  const page = await context.newPage();
  await signIn(page, app.base, OWNER.email, OWNER.password);
  const actor = await app.services.users.actorFor((await app.services.users.getByEmail(OWNER.email))!);
  const link = await app.services.links.getByCode(actor, 'far-away');
  expect((await fetch(`${app.base}/far-away`, { headers: { 'user-agent': UA }, redirect: 'manual' })).status).toBe(302);
  await app.flush();
  await page.goto(`${app.base}/dashboard/links/${link.id}/analytics?range=7`);
  const today = new Date().toISOString().slice(0, 10);
  expect(await page.locator('#range-hint').textContent()).toBe(`Days are UTC days (midnight to midnight UTC); today is ${today} in UTC.`);
  expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe(today);
  await context.close();
}, 60_000);

test('times with seconds, set through an API, survive an edit that changes only a schedule’s address', async () => {
  const context = await browser.newContext({ userAgent: UA, timezoneId: 'Asia/Kolkata' });
  const page = await context.newPage();
  await signIn(page, app.base, OWNER.email, OWNER.password);
  const actor = await app.services.users.actorFor((await app.services.users.getByEmail(OWNER.email))!);
  const start = Date.UTC(2099, 1, 10, 8, 0, 30);
  const end = Date.UTC(2099, 1, 10, 8, 0, 50); // a window shorter than the minute it falls in
  const expiry = Date.UTC(2099, 5, 1, 12, 0, 0, 250);
  const { link } = await app.services.links.create(actor, {
    destination: 'https://example.com/seconds', code: 'with-seconds', expiresAt: expiry, metadata: 'none',
    schedules: [{ startsAt: start, endsAt: end, destination: 'https://example.com/flash' }],
  });
  await page.goto(`${app.base}/dashboard/links/${link.id}/edit`);
  expect(await page.locator('#schedule_start_0').inputValue()).toBe('2099-02-10T08:00:30');
  expect(await page.locator('#schedule_end_0').inputValue()).toBe('2099-02-10T08:00:50');
  expect(await page.getByLabel('Expires (UTC)').inputValue()).toBe('2099-06-01T12:00:00.25'); // Chromium's own spelling of .250
  await page.locator('#schedule_url_0').fill('https://example.com/flash-sale');
  await page.locator('form.link-form [type="submit"]').first().click();
  await page.waitForURL((u) => u.pathname === '/dashboard');
  const [schedule] = await app.services.links.schedules(link.id);
  expect([schedule!.startsAt, schedule!.endsAt, schedule!.destination]).toEqual([start, end, 'https://example.com/flash-sale']);
  expect((await app.services.links.getByCode(actor, 'with-seconds')).expiresAt).toBe(expiry);
  await context.close();
}, 60_000);
