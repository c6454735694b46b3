/**
 * The links, link form and API keys screens in a real headless Chromium
 * (Debian's, through playwright-core): sign in with generated-password
 * credentials, create a link with options, search / sort / paginate with the
 * address bar in sync, edit, follow the short link in another tab and see the
 * click, create and revoke a key, the bookmarklet, a member's isolation, and
 * a forged POST.
 * Destinations are on example.com, answered by a route stub: nothing leaves
 * the machine. The browser announces a desktop Chrome user agent because
 * "HeadlessChrome" is (rightly) counted as a bot.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, screenshot as save, serveTestApp, signIn, type ServedApp, poll } from '../helpers/browser.ts';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const ADMIN = { email: 'admin@example.com', password: 'printed-Pa55word' };
const MEMBER = { email: 'member@example.com', password: 'member-Pa55word' };

let app: ServedApp;
let browser: Browser;
let admin: BrowserContext;
let page: Page;

async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ userAgent: UA, viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await context.route(/^https:\/\/example\.(com|org)\//, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Example</title><p>destination</p>' }));
  return context;
}

/** A full-page shot from the top: scrolled, the sticky top bar would be drawn mid-page. */
async function screenshot(p: Page, name: string): Promise<void> {
  await p.evaluate(() => window.scrollTo(0, 0));
  await save(p, name);
}

const rows = () => page.locator('#links-table tbody tr');
const titles = () => page.locator('#links-table tbody td[data-label="Title"]').allTextContents();

beforeAll(async () => {
  app = await serveTestApp();
  const { users, links } = app.services;
  const owner = await users.create({ ...ADMIN, role: 'admin', plan: 'enterprise', mustChangePassword: true });
  const member = await users.create({ ...MEMBER, plan: 'pro' });
  const actor = await users.actorFor(owner);
  for (let i = 1; i <= 20; i++) await links.create(actor, { destination: `https://example.com/seed/${i}`, title: `Seed ${String(i).padStart(2, '0')}` });
  await links.create(await users.actorFor(member), { destination: 'https://example.org/member', title: 'Member secret', code: 'member-only' });
  browser = await launchBrowser();
  admin = await newContext();
  page = await admin.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** Confirm dialogs are accepted from now on (one handler for the page: a second would accept twice). */
let accepting = false;
function acceptDialogs() {
  if (!accepting) page.on('dialog', (d) => void d.accept());
  accepting = true;
}

describe('dashboard in Chromium', () => {
  test('sign in with the generated password: the account screen asks for a new one before anything else opens', async () => {
    await signIn(page, app.base, ADMIN.email, ADMIN.password);
    expect(new URL(page.url()).pathname).toBe('/dashboard/account');
    await expect(page.locator('main .notice').textContent()).resolves.toContain('You are using a generated password');
    // no navigation to pages that would not open; typed in, they lead back here
    expect(await page.locator('nav[aria-label="Main"]').count()).toBe(0);
    await page.goto(`${app.base}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/account');
    await page.getByLabel('Current password').fill(ADMIN.password);
    await page.getByLabel('New password', { exact: true }).fill('chosen-Pa55word');
    await page.getByLabel('Repeat the new password').fill('chosen-Pa55word');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL(/\/dashboard\/account\?changed=1$/);
    expect(await page.locator('main .notice').count()).toBe(0);
    await page.goto(`${app.base}/dashboard`);
    expect(await rows().count()).toBe(15);
  }, 60_000);

  test('create a link with an alias, UTM values (live preview) and a bridge page', async () => {
    await page.getByRole('link', { name: 'New link' }).click();
    await page.getByLabel('Destination URL').fill('https://example.com/spring?ref=home');
    await page.getByLabel('Title', { exact: true }).fill('Spring sale');
    await page.getByLabel('Short link').fill('spring-sale');
    await page.getByLabel(/Bridge page/).check();
    await page.getByLabel('utm_source').fill('newsletter');
    await page.getByLabel('utm_medium').fill('email');
    await page.getByRole('button', { name: 'Add a schedule' }).click();
    await page.locator('#schedule_url_1').waitFor();
    await page.locator('[data-row]').nth(1).getByRole('button', { name: 'Remove this schedule' }).click();
    expect(await page.locator('#schedule-rows [data-row]').count()).toBe(1);
    await page.locator('#utm-preview code', { hasText: 'utm_medium=email' }).waitFor();
    expect(await page.locator('#utm-preview').textContent()).toBe('https://example.com/spring?ref=home&utm_source=newsletter&utm_medium=email');
    await screenshot(page, 'link-form');
    await page.getByRole('button', { name: 'Create link' }).click();
    await page.waitForURL(/\/dashboard\?created=spring-sale$/);
    await expect(page.locator('.success.created').textContent()).resolves.toContain(`${app.base}/spring-sale`);
    expect(await page.locator('#links-table tr', { hasText: 'Spring sale' }).locator('.badge').textContent()).toBe('Active');
    const link = await app.services.links.getByCode(await app.services.users.actorFor(await app.services.users.getByEmail(ADMIN.email)), 'spring-sale');
    expect(link).toMatchObject({ redirectMode: 'bridge', utm: { source: 'newsletter', medium: 'email' } });
  }, 60_000);

  test('search as you type, sort by a header, paginate — the URL follows and a reload shows the same view', async () => {
    await page.goto(`${app.base}/dashboard`);
    await page.getByLabel('Search links').pressSequentially('Seed 1', { delay: 20 });
    await page.waitForURL((u) => u.search === '?q=Seed+1');
    await poll(titles, ['Seed 19', 'Seed 18', 'Seed 17', 'Seed 16', 'Seed 15', 'Seed 14', 'Seed 13', 'Seed 12', 'Seed 11', 'Seed 10']);
    await page.getByLabel('Search links').fill('');
    await page.waitForURL((u) => u.search === '');
    await page.getByRole('link', { name: /^Title/ }).click();
    await page.waitForURL((u) => u.search === '?sort=title&dir=asc');
    await poll(async () => (await titles())[0], 'Seed 01');
    await page.getByRole('link', { name: 'Next →' }).click();
    await page.waitForURL((u) => u.search === '?sort=title&dir=asc&page=2');
    await poll(titles, ['Seed 16', 'Seed 17', 'Seed 18', 'Seed 19', 'Seed 20', 'Spring sale']);
    await page.reload();
    expect(await titles()).toEqual(['Seed 16', 'Seed 17', 'Seed 18', 'Seed 19', 'Seed 20', 'Spring sale']);
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('Title');
    await page.getByLabel('Search links').pressSequentially('Seed 0', { delay: 20 });
    await page.waitForURL((u) => u.search === '?q=Seed+0&sort=title&dir=asc');
    await page.goBack();
    await page.waitForURL((u) => u.search === '?sort=title&dir=asc&page=2');
    await poll(async () => (await titles()).at(-1), 'Spring sale');
    // typing with pauses (each one a request) makes one history entry, not one per pause: one Back leaves the search
    for (const ch of 'Seed') {
      await page.getByLabel('Search links').press(ch);
      await page.waitForURL((u) => u.searchParams.get('q')?.endsWith(ch) === true);
    }
    await page.waitForURL((u) => u.search === '?q=Seed&sort=title&dir=asc');
    // Enter searches in place: no page reload, the focus stays in the box
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await page.getByLabel('Search links').press('Enter');
    await Bun.sleep(300);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true && document.activeElement?.id === 'q')).toBe(true);
    await page.goBack();
    await page.waitForURL((u) => u.search === '?sort=title&dir=asc&page=2');
    await expect(page.locator('header.topbar').isVisible()).resolves.toBe(true);
  }, 60_000);

  test('edit the link, pause and re-activate it inline', async () => {
    await page.goto(`${app.base}/dashboard?q=spring`);
    await page.getByRole('link', { name: 'Edit spring-sale' }).click();
    await page.getByLabel('Title', { exact: true }).fill('Spring sale 2030');
    await page.getByRole('button', { name: 'Save changes' }).click();
    // back to the view it was opened from, with a confirmation
    await page.waitForURL((u) => u.pathname === '/dashboard' && u.searchParams.get('q') === 'spring');
    await page.locator('.success', { hasText: 'Changes to spring-sale saved.' }).waitFor();
    const row = page.locator('#links-table tr', { hasText: 'Spring sale 2030' });
    await row.getByRole('button', { name: 'Pause spring-sale' }).click();
    await poll(() => row.locator('.badge').textContent(), 'Paused');
    await row.getByRole('button', { name: 'Activate spring-sale' }).click();
    await poll(() => row.locator('.badge').textContent(), 'Active');
    // a double click whose second click lands on the redrawn button (the row comes back in a few ms) is one click
    const box = (await row.getByRole('button', { name: 'Pause spring-sale' }).boundingBox())!;
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    await page.mouse.click(x, y);
    await poll(() => row.locator('.badge').textContent(), 'Paused');
    await page.mouse.down({ clickCount: 2 });
    await page.mouse.up({ clickCount: 2 });
    await Bun.sleep(300);
    expect(await row.locator('.badge').textContent()).toBe('Paused');
    await row.getByRole('button', { name: 'Activate spring-sale' }).click();
    await poll(() => row.locator('.badge').textContent(), 'Active');
    // from the keyboard the focus stays on the control in the redrawn row or table, not back at the top
    const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
    // htmx wires up swapped-in content when it settles: a key pressed before that posts the plain form
    const settled = () => page.waitForFunction(() => !document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping, .htmx-request'));
    await settled();
    await row.getByRole('button', { name: 'Pause spring-sale' }).focus();
    await page.keyboard.press('Enter');
    await poll(() => row.locator('.badge').textContent(), 'Paused');
    await poll(async () => /^toggle-\d+$/.test(await focused()), true);
    await settled();
    await page.keyboard.press('Enter');
    await poll(() => row.locator('.badge').textContent(), 'Active');
    await settled();
    await page.locator('#sort-title').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('sort') === 'title');
    await poll(focused, 'sort-title');
  }, 60_000);

  test('follow the short link in another tab: after the flush the table counts the click', async () => {
    const visitor = await admin.newPage();
    const res = await visitor.goto(`${app.base}/spring-sale`, { waitUntil: 'commit' });
    expect(res?.status()).toBe(200); // the bridge page; it counts on view
    // its meta refresh goes on to the (stubbed) destination; closing the tab mid-navigation, while the
    // route stub answers, could hang Playwright's close for the whole test timeout
    await visitor.waitForURL(/^https:\/\/example\.com\//);
    await visitor.close();
    await app.flush();
    await page.goto(`${app.base}/dashboard?q=spring`);
    const row = page.locator('#links-table tr', { hasText: 'Spring sale 2030' });
    expect(await row.locator('td[data-label="Clicks"]').textContent()).toBe('1');
    expect(await row.locator('td[data-label="Unique"]').textContent()).toBe('1');
    await page.goto(`${app.base}/dashboard`);
    await screenshot(page, 'links-table');
    await page.setViewportSize({ width: 390, height: 844 });
    // on cards, a title or destination too long for the line ends in an ellipsis (a bare title was cut mid-letter)
    const cut = await page.evaluate(() =>
      [...document.querySelectorAll('#links-table td[data-label="Title"], #links-table td[data-label="Destination"]')].map((td) => {
        const inner = td.firstElementChild;
        const style = inner ? getComputedStyle(inner) : null;
        return style !== null && style.display !== 'inline' && style.overflow === 'hidden' && style.textOverflow === 'ellipsis';
      }),
    );
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.every(Boolean)).toBe(true);
    // the sort links and select-all stay usable above the cards (they were hidden yet reachable by Tab)
    const sortByClicks = page.locator('#sort-clicks');
    expect(await sortByClicks.isVisible()).toBe(true);
    expect((await sortByClicks.boundingBox())!.width).toBeGreaterThan(20);
    await sortByClicks.click();
    await page.waitForURL(/sort=clicks/);
    expect(await page.locator('#links-table thead input[type=checkbox]').isVisible()).toBe(true);
    // every navigation item is on screen (an admin's six ran off the edge)
    const navRight = await page.locator('.topbar nav a').evaluateAll((as) => Math.max(...as.map((a) => a.getBoundingClientRect().right)));
    expect(navRight).toBeLessThanOrEqual(390);
    // no hover on a phone: each row action shows its name, on a target a thumb can hit; its accessible name is unchanged
    const actions = await page.locator('#links-table tbody tr').first().locator('td.row-actions .icon-button').evaluateAll((els) =>
      els.map((el) => {
        const box = el.getBoundingClientRect();
        return { shown: getComputedStyle(el, '::after').content, title: el.getAttribute('title'), w: box.width, h: box.height };
      }),
    );
    expect(actions.map((a) => a.title)).toEqual(['Edit', 'Analytics', 'Duplicate', 'QR code', 'Pause', 'Delete']);
    for (const a of actions) expect([a.title, a.shown.startsWith(`"${a.title}"`), a.w >= 44, a.h >= 44]).toEqual([a.title, true, true, true]);
    expect(await page.locator('#links-table tbody tr').first().getByRole('link', { name: /^Edit / }).count()).toBe(1);
    await screenshot(page, 'links-table-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 60_000);

  test('a visitor can type any password the API accepts into the unlock page (128 emoji: 256 UTF-16 units)', async () => {
    const password = '😀'.repeat(128);
    const owner = await app.services.users.actorFor(await app.services.users.getByEmail(ADMIN.email));
    await app.services.links.create(owner, { destination: 'https://example.com/emoji-locked', code: 'emoji-locked', password });
    const visitor = await admin.newPage();
    await visitor.goto(`${app.base}/emoji-locked`);
    await visitor.fill('#password', password);
    expect(await visitor.inputValue('#password')).toBe(password);
    // unlocked: the browser is sent on to the destination (the request is enough; nothing leaves the machine)
    await Promise.all([visitor.waitForRequest('https://example.com/emoji-locked'), visitor.click('button[type=submit]')]);
    await visitor.close();
  }, 60_000);

  test('create an API key (shown once), revoke it, and the API answers 401', async () => {
    acceptDialogs();
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name').fill('Browser key');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.locator('#new-key').textContent())!;
    expect(key).toMatch(/^sr_/);
    const api = () => fetch(`${app.base}/api/v1/links`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
    expect(await api()).toBe(200);
    await page.getByRole('button', { name: 'Copy the new API key' }).click();
    await page.locator('#toast', { hasText: 'Copied to the clipboard.' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await screenshot(page, 'keys');
    const row = page.locator('tr', { hasText: 'Browser key' });
    expect(await page.locator('#keys-active').textContent()).toBe('1 active');
    await row.getByRole('button', { name: 'Revoke Browser key' }).click();
    await poll(() => row.locator('.badge').textContent(), 'Revoked');
    // the focus stays on the row (on its new status), not back at the top of the page
    await poll(() => page.evaluate(() => /^revoke-\d+$/.test(document.activeElement?.id ?? '')), true);
    // the count beside the heading follows (sent out of band with the row)
    await poll(() => page.locator('#keys-active').textContent(), '0 active');
    expect(await page.locator('tr', { hasText: 'Browser key' }).count()).toBe(1);
    expect(await api()).toBe(401);
    // the "copy it now" panel of the key just revoked goes with it
    expect(await page.locator('.key-once').count()).toBe(0);
  }, 60_000);

  test('a refused form puts the focus on the field to fix and says so in the title', async () => {
    await page.goto(`${app.base}/dashboard/links/new`);
    await page.getByLabel('Destination URL').fill('notaurl');
    await page.getByRole('button', { name: 'Create link' }).click();
    await page.waitForSelector('#url[aria-invalid="true"]');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('url');
    expect(await page.title()).toMatch(/^Error: New link/);
    expect(await page.locator('#url').getAttribute('aria-describedby')).toContain('url-error');
  }, 60_000);

  test('a form refused on several fields lists them first; each entry leads to its field', async () => {
    await page.goto(`${app.base}/dashboard/links/new`);
    await page.getByLabel('Destination URL').fill('notaurl');
    await page.getByLabel('Delay (seconds)').fill('99');
    await page.getByRole('button', { name: 'Create link' }).click();
    await page.waitForSelector('#error-summary');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
    expect(await page.locator('#error-summary').textContent()).toContain('2 fields need a change:');
    await page.locator('#error-summary a').nth(1).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('bridge_delay');
    await screenshot(page, 'link-form-several-refusals');
  }, 60_000);

  test('a create form sends once however often it is clicked, and its banner is not announced again by a reload', async () => {
    const actor = await app.services.users.actorFor(await app.services.users.getByEmail(ADMIN.email));
    const count = async () => (await app.services.links.list(actor, { page: 1, perPage: 1 })).total;
    const before = await count();
    await page.goto(`${app.base}/dashboard/links/new`);
    await page.getByLabel('Destination URL').fill('https://example.com/once');
    // a slow answer: the person clicks again, and presses Enter, while the first is on its way
    let posts = 0;
    await page.route(`${app.base}/dashboard/links/new`, async (route) => {
      if (route.request().method() === 'POST') {
        posts++;
        await new Promise((r) => setTimeout(r, 800));
      }
      await route.continue();
    });
    // in the page, timed there: a click, another 100 ms later and Enter (a submit) 200 ms later, all before the answer
    await page.evaluate(() => {
      const button = document.querySelector('form.link-form button[type="submit"]') as HTMLButtonElement;
      button.click();
      setTimeout(() => button.click(), 100);
      setTimeout(() => button.form!.requestSubmit(), 200);
    });
    await page.waitForURL(/\/dashboard(\?created=[^&]+)?$/);
    await page.waitForSelector('.success.created');
    await page.waitForLoadState('load');
    await page.unroute(`${app.base}/dashboard/links/new`);
    expect([posts, (await count()) - before]).toEqual([1, 1]);
    expect(new URL(page.url()).search).toBe('');
    await page.reload();
    expect(await page.locator('.success.created').count()).toBe(0);
  }, 60_000);

  test('deleting the link just created also takes away its "ready" panel', async () => {
    acceptDialogs();
    await page.goto(`${app.base}/dashboard/links/new`);
    await page.getByLabel('Destination URL').fill('https://example.com/short-lived');
    await page.getByLabel('Short link').fill('short-lived');
    await page.getByRole('button', { name: 'Create link' }).click();
    await page.waitForURL(/\/dashboard\?created=short-lived$/);
    expect(await page.locator('.success.created').count()).toBe(1);
    await page.getByRole('button', { name: 'Delete short-lived' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#toast', { hasText: 'short-lived was deleted.' }).waitFor();
    await poll(() => page.locator('.success.created').count(), 0);
    // the focused button went with its row: the focus goes to the redrawn table, not the top of the page
    await poll(() => page.evaluate(() => document.activeElement?.closest('#links-table') !== null), true);
  }, 60_000);

  test('import a CSV file: the browser reads it into the box, the result lists each row', async () => {
    await page.goto(`${app.base}/dashboard/links/import`);
    const csv = 'url,alias,title\nhttps://example.com/imported,from-csv,Imported\nnot a url,,Broken\n';
    await page.getByLabel('CSV file').setInputFiles({ name: 'links.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await poll(() => page.getByLabel('CSV', { exact: true }).inputValue(), csv);
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#import-result h2', { hasText: 'Imported 1 of 2 rows' }).waitFor();
    expect(await page.locator('#import-result tbody tr').allTextContents()).toEqual([
      expect.stringContaining('/from-csv'),
      expect.stringContaining('The destination URL must be a valid URL.'),
    ]);
    // under 4 MB as a file, over 7 MB once percent-encoded (3-byte characters grow 9 times): refused before sending, saying why
    await page.goto(`${app.base}/dashboard/links/import`);
    const wide = `url,title\n${'https://example.com/x,漢字のタイトル\n'.repeat(90_000)}`;
    await page.getByLabel('CSV file').setInputFiles({ name: 'wide.csv', mimeType: 'text/csv', buffer: Buffer.from(wide) });
    await page.locator('#toast', { hasText: 'wide.csv is too large to send at once' }).waitFor();
    expect(await page.getByLabel('CSV', { exact: true }).inputValue()).toBe('');
  }, 60_000);

  test('a form posted without its CSRF token is refused', async () => {
    const forged = await page.request.post(`${app.base}/dashboard/links/new`, { form: { url: 'https://example.com/forged' }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    const withHeaderless = await page.request.post(`${app.base}/logout`, { form: {}, maxRedirects: 0 });
    expect(withHeaderless.status()).toBe(403);
    expect((await app.services.links.list((await app.services.users.actorFor(await app.services.users.getByEmail(ADMIN.email))), { page: 1, perPage: 100, search: 'forged' })).total).toBe(0);
  });

  test('the bookmarklet: clicked on the account page it only explains itself; run on another page it opens that page in the filled form, in a new tab', async () => {
    await page.goto(`${app.base}/dashboard/account`);
    const bookmarklet = page.getByRole('link', { name: 'Shorten with shrinkray' });
    const href = (await bookmarklet.getAttribute('href'))!;
    await bookmarklet.click();
    await page.locator('#toast', { hasText: 'Drag this button to your bookmarks bar' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/dashboard/account');
    // clicked again, the same toast is shown once, not stacked
    await bookmarklet.click();
    expect(await page.locator('#toast > *', { hasText: 'Drag this button to your bookmarks bar' }).count()).toBe(1);
    // the bookmarks bar runs it in the page being read (example.com's stub), percent-decoded as any javascript: URL
    const reading = await admin.newPage();
    try {
      await reading.goto('https://example.com/article?id=7&lang=en');
      const [opened] = await Promise.all([admin.waitForEvent('page'), reading.evaluate(decodeURIComponent(href.slice('javascript:'.length)))]);
      await opened.waitForLoadState();
      expect(new URL(opened.url()).pathname).toBe('/dashboard/links/new');
      expect(await opened.getByLabel('Destination URL').inputValue()).toBe('https://example.com/article?id=7&lang=en');
      expect(await opened.getByLabel('Title', { exact: true }).inputValue()).toBe('Example');
      expect(await opened.evaluate(() => window.opener)).toBeNull();
      expect(reading.url()).toBe('https://example.com/article?id=7&lang=en');
      await opened.close();
    } finally {
      await reading.close();
    }
  }, 60_000);

  test('a member sees only their own links, not the admin screens', async () => {
    const context = await newContext();
    try {
      const member = await context.newPage();
      await signIn(member, app.base, MEMBER.email, MEMBER.password);
      const table = await member.locator('#links-table').textContent();
      expect(table).toContain('Member secret');
      expect(table).not.toContain('Spring sale');
      await member.goto(`${app.base}/dashboard?all=1`);
      expect(await member.locator('#links-table').textContent()).not.toContain('Seed');
      expect(await member.getByRole('link', { name: 'Users' }).count()).toBe(0);
      expect((await member.goto(`${app.base}/dashboard/users`))?.status()).toBe(403);
      const adminActor = await app.services.users.actorFor(await app.services.users.getByEmail(ADMIN.email));
      const spring = await app.services.links.getByCode(adminActor, 'spring-sale');
      expect((await member.goto(`${app.base}/dashboard/links/${spring.id}/edit`))?.status()).toBe(404);
    } finally {
      await context.close();
    }
  }, 60_000);
});
