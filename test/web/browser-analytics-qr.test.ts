/**
 * The analytics, QR designer and admin screens in a real headless Chromium
 * (Debian's package through playwright-core; never downloads a browser):
 * numbers after real clicks, the htmx range picker, the live QR preview, a
 * PNG download, creating a user and changing a plan limit. Screenshots land
 * in test/artifacts/ (analytics, qr-designer, users) for people to look at.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Link } from '../../src/links/links.types.ts';
import { launchBrowser, poll, screenshot, serveTestApp, signIn, type ServedApp } from '../helpers/browser.ts';

const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
];
const PASSWORD = 'correct horse battery staple';

let app: ServedApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let link: Link;
const problems: string[] = [];

beforeAll(async () => {
  app = await serveTestApp();
  const user = await app.services.users.create({ email: 'boss@example.com', password: PASSWORD, role: 'admin', plan: 'enterprise' });
  const actor = await app.services.users.actorFor(user);
  link = (await app.services.links.create(actor, { destination: 'https://example.com/spring-sale', title: 'Spring sale <b>50%</b>' })).link;
  browser = await launchBrowser();
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
  page = await context.newPage();
  // a CSP violation or a script error would mean a screen silently half-works. Exception: Playwright's
  // full-page screenshot leaves style="" on inputs, which htmx's settle step then copies — the empty
  // string's hash is the telltale, and an empty style applies nothing.
  const EMPTY_STYLE = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';
  page.on('console', (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && !m.text().includes(EMPTY_STYLE) && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(String(e)));
  await signIn(page, app.base, 'boss@example.com', PASSWORD);
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
});

describe('in Chromium', () => {
  test('link analytics: numbers and chart after a few clicks, then the 7-day range through the picker', async () => {
    for (const ua of UAS) {
      const res = await fetch(`${app.base}/${link.code}`, { redirect: 'manual', headers: { 'user-agent': ua } });
      expect(res.status).toBe(302);
    }
    await app.flush();
    await page.goto(`${app.base}/dashboard/links/${link.id}/analytics`);
    await expect(page.locator('.stat', { hasText: 'Clicks' }).first().locator('dd').textContent()).resolves.toBe('3');
    expect(await page.locator('.chart-svg').isVisible()).toBe(true);
    expect(await page.locator('rect.bar').count()).toBe(30);
    expect(await page.getByRole('heading', { name: 'Spring sale <b>50%</b>' }).isVisible()).toBe(true);
    expect(await page.locator('#bd-device + .bar-list li').count()).toBe(2);
    await screenshot(page, 'analytics');

    await page.getByRole('link', { name: '7 days' }).click();
    await page.waitForURL((u) => u.searchParams.get('range') === '7');
    await page.waitForFunction(() => document.querySelectorAll('rect.bar').length === 7);
    expect(await page.getByRole('link', { name: '7 days' }).getAttribute('aria-current')).toBe('true');
    expect(await page.locator('.stat dd').first().textContent()).toBe('3');

    // a phone with counts in the billions: the stat cards shrink their numbers rather than push the page sideways
    await page.setViewportSize({ width: 375, height: 800 });
    await page.evaluate(() => document.querySelectorAll('.stat dd').forEach((dd) => (dd.textContent = '1,390,069,000')));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    const clipped = await page.evaluate(() => [...document.querySelectorAll('.stat dd')].filter((dd) => dd.scrollWidth > dd.clientWidth).length);
    expect(clipped).toBe(0);
    await page.setViewportSize({ width: 1200, height: 900 });
    await page.reload();

    // a refused range (the section swaps itself out): the focus goes to the field to fix
    await page.locator('#range-from').fill('2026-12-04');
    await page.locator('#range-to').fill('2026-11-01');
    await page.locator('#range-apply').click();
    await page.waitForSelector('#range-from[aria-invalid="true"]');
    await page.waitForFunction(() => document.activeElement?.id === 'range-from');
  }, 60_000);

  /**
   * On a phone every table row is a card whose cells show their column's name (data-label): the
   * value cells of the page's tables that would show without one (a bare "hello", a bare select).
   */
  const unlabelledCells = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('table.data td:not([data-label])')]
        .filter((td) => !td.matches('.qr-cell, .actions, .row-actions, .select'))
        .map((td) => td.textContent?.trim().slice(0, 40)),
    );

  test('QR designer: the preview follows type, colour and size; save; download a PNG', async () => {
    await page.goto(`${app.base}/dashboard/qrcodes/new`);
    await page.getByLabel('Name').fill('Shop window');
    await page.getByLabel('Type').selectOption('text');
    await page.getByLabel('Content').fill('Open Mon–Sat 9–18');
    await page.waitForSelector('#qr-preview svg');
    const first = await page.locator('#qr-preview').innerHTML();
    await page.getByLabel('Foreground').fill('#1d4ed8');
    await page.waitForFunction(() => document.querySelector('#qr-preview svg')?.outerHTML.toLowerCase().includes('#1d4ed8'));
    await page.getByLabel('Size (pixels, 100–1000)').fill('420');
    await page.waitForSelector('#qr-preview svg[width="420"]');
    expect(await page.locator('#qr-preview').innerHTML()).not.toBe(first);
    expect(await page.locator('#qr-content-hint').textContent()).toContain('Any text');

    await page.getByLabel('Size (pixels, 100–1000)').fill('5000');
    await page.waitForSelector('#qr-err-size:not(:empty)');
    expect(await page.locator('#qr-err-size').textContent()).toBe('The size must be between 100 and 1000.');
    // read with the field, which the live check marks invalid while it says so
    await poll(() => page.locator('#qr-size').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Size (pixels, 100–1000)').fill('420');
    await page.waitForSelector('#qr-err-size:empty', { state: 'attached' });
    await poll(() => page.locator('#qr-size').getAttribute('aria-invalid'), null);

    await page.getByRole('button', { name: 'Save QR code' }).click();
    await page.waitForURL(/\/dashboard\/qrcodes\/\d+\/edit\?saved=1$/);
    expect(await page.getByRole('status').filter({ hasText: 'Saved.' }).isVisible()).toBe(true);
    await screenshot(page, 'qr-designer');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download PNG' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^qrcode-\d+\.png$/);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    // deleting from the designer lands on the list with the page around it (top bar, sign-out, toast)
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete this QR code' }).click();
    await page.waitForURL(/\/dashboard\/qrcodes$/);
    await page.waitForSelector('#main h1');
    expect(await page.locator('header.topbar').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    expect(await page.locator('#toast').count()).toBe(1);
    expect(await page.locator('#main').textContent()).not.toContain('Shop window');
    expect(await page.locator('#main').textContent()).toContain('QR code deleted.');
    // the designer's entry was replaced: Back goes to the page before it, not to the deleted code's address
    await page.goBack();
    expect(new URL(page.url()).pathname).not.toMatch(/\/edit$/);
    expect(await page.title()).not.toContain('Not found');
    await page.goForward();

    // deleting from a list row redraws the list: its count, then the empty state
    const actor = await app.services.users.actorFor(await app.services.users.getByEmail('boss@example.com'));
    for (const name of ['Poster A', 'Poster B']) await app.services.qr.create(actor, { name, type: 'text', content: name, errorCorrection: 'M' });
    await page.goto(`${app.base}/dashboard/qrcodes`);
    expect(await page.locator('#qr-list .page-of').textContent()).toBe('Page 1 of 1 · 2 QR codes');
    expect(await unlabelledCells()).toEqual([]);
    for (const [name, after] of [['Poster A', '1 QR code'], ['Poster B', null]] as const) {
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: `Delete ${name}` }).click();
      if (after) await page.waitForFunction((text) => document.querySelector('#qr-list .page-of')?.textContent?.endsWith(text), after);
      else await page.waitForSelector('#qr-list.empty-state');
    }
    expect(await page.locator('header.topbar').count()).toBe(1);
  }, 60_000);

  test('admin: create a user (password shown once), change their plan inline, reset, deactivate, change a plan limit', async () => {
    await page.goto(`${app.base}/dashboard/users`);
    await page.getByLabel('Email').fill('new.hire@example.com');
    await page.getByLabel('Role', { exact: true }).selectOption('member');
    await page.getByLabel('Plan', { exact: true }).selectOption('free');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.waitForSelector('.secret-value');
    const password = (await page.locator('.secret-value').textContent())!;
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    await screenshot(page, 'users');
    // the address is still the list's: a reload shows the list again, it does not send the form a second time
    // (that answered "A user with this email already exists" in place of the password)
    expect(page.url()).toBe(`${app.base}/dashboard/users`);
    let resent = false;
    page.on('request', (r) => void (r.method() === 'POST' && r.url().endsWith('/dashboard/users') && (resent = true)));
    await page.reload();
    await page.getByRole('heading', { name: 'Create a user' }).waitFor();
    expect([resent, await page.locator('.secret-value').count(), await page.title()]).toEqual([false, 0, 'Users · shrinkray']);

    const hire = await app.services.users.getByEmail('new.hire@example.com');
    await page.getByLabel('Plan of new.hire@example.com').selectOption('pro');
    await page.locator(`#user-row-${hire.id} .row-status`).waitFor();
    expect((await app.services.plans.get((await app.services.users.get(hire.id)).planId)).name).toBe('pro');

    page.on('dialog', (d) => void d.accept()); // hx-confirm asks before a reset or a deactivation
    const row = page.locator(`#user-row-${hire.id}`);
    await row.getByRole('button', { name: 'Reset password' }).click();
    await page.getByRole('heading', { name: /Password reset: temporary password for new.hire@example.com/ }).waitFor();
    expect(await page.locator('.secret-value').textContent()).not.toBe(password);
    await app.services.keys.create(hire.id, 'hire key');
    await row.getByRole('button', { name: 'Deactivate' }).click();
    await row.getByRole('button', { name: 'Reactivate new.hire@example.com', exact: true }).waitFor();
    expect((await app.services.users.get(hire.id)).isActive).toBe(false);
    // a row with every action (a deactivated one has two Reactivate buttons) fits: the table is not pushed
    // past the page, the selects keep their words, and on a phone the actions wrap on thumb-sized targets
    await page.reload();
    const fit = () =>
      page.evaluate(() => {
        const wrap = document.querySelector('.users-table')!.closest('.table-wrap')!;
        const select = document.querySelector('.users-table select') as HTMLElement;
        const targets = [...document.querySelectorAll('.users-table .user-actions > a, .users-table .user-actions > form')].map((e) => e.getBoundingClientRect());
        return { page: document.documentElement.scrollWidth <= innerWidth, table: wrap.scrollWidth <= wrap.clientWidth + 1, select: select.getBoundingClientRect().width, lowest: Math.min(...targets.map((r) => r.height)) };
      });
    const desk = await fit();
    expect([desk.page, desk.table, desk.select >= 80]).toEqual([true, true, true]);
    await page.setViewportSize({ width: 390, height: 844 });
    const phone = await fit();
    expect([phone.page, phone.lowest >= 44]).toEqual([true, true]);
    await screenshot(page, 'users-phone');
    await page.setViewportSize({ width: 1200, height: 900 });
    // the keys of a deactivated account are suspended, not "Active"
    await page.goto(`${app.base}/dashboard/users/${hire.id}/keys`);
    expect(await page.locator('td[data-label="Status"] .badge').textContent()).toBe('Suspended');
    await page.goto(`${app.base}/dashboard/users`);
    // reactivated with the keys revoked: the focus lands on the row's new Deactivate, not on the whole row
    await page.locator(`#user-row-${hire.id}`).getByRole('button', { name: 'Reactivate, revoke keys' }).click();
    await page.locator(`#standing-${hire.id}`, { hasText: 'Deactivate' }).waitFor();
    await poll(() => page.evaluate(() => document.activeElement?.id ?? ''), `standing-${hire.id}`);

    expect(await unlabelledCells()).toEqual([]);
    await page.goto(`${app.base}/dashboard/settings`);
    expect(await unlabelledCells()).toEqual([]);

    await page.goto(`${app.base}/dashboard/plans`);
    const free = page.locator('form.plan-card', { has: page.getByRole('heading', { name: 'free' }) });
    await free.getByLabel('Maximum links').fill('250');
    await free.getByRole('button', { name: 'Save free' }).click();
    await page.locator('form.plan-card .row-status').waitFor();
    expect((await app.services.plans.getByName('free')).maxLinks).toBe(250);
    expect(problems).toEqual([]);
  }, 60_000);
});
