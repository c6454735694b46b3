/**
 * What a keyboard or screen-reader user gets from the dashboard in a real
 * headless Chromium (Debian's, through playwright-core): news brought by an
 * htmx swap is put into the #announcer live region (a live region inserted
 * with its text already in it is not read out), a confirmation that must not
 * be missed takes the focus, a date field's calendar button shows where the
 * focus is, and a deactivated user's row keeps readable contrast.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Link } from '../../src/links/links.types.ts';
import { launchBrowser, serveTestApp, signIn, type ServedApp, poll } from '../helpers/browser.ts';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const ADMIN = { email: 'admin@example.com', password: 'a11y-Pa55word' };

let app: ServedApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let clicked: Link;

const announced = () => page.locator('#announcer').textContent();
const focused = () => page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? '');

beforeAll(async () => {
  app = await serveTestApp();
  const { users, links } = app.services;
  const admin = await users.create({ ...ADMIN, role: 'admin', plan: 'enterprise' });
  const actor = await users.actorFor(admin);
  for (let i = 1; i <= 3; i++) await links.create(actor, { destination: `https://example.com/spring/${i}`, title: `Spring ${i}` });
  await links.create(actor, { destination: 'https://example.com/autumn', title: 'Autumn' });
  clicked = (await links.create(actor, { destination: 'https://example.com/clicked', title: 'Clicked' })).link;
  await users.create({ email: 'gone@example.com', password: 'gone-Pa55word', plan: 'free' }).then((u) => users.update(u.id, { isActive: false }));
  browser = await launchBrowser();
  context = await browser.newContext({ userAgent: UA, viewport: { width: 1280, height: 900 } });
  await context.route(/^https:\/\/example\.com\//, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Example</title>' }));
  page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  await signIn(page, app.base, ADMIN.email, ADMIN.password);
  // one click, so the analytics screen has its range picker (a link never clicked shows an empty state)
  expect((await fetch(`${app.base}/${clicked.code}`, { redirect: 'manual', headers: { 'user-agent': UA } })).status).toBe(302);
  await app.flush();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('news from htmx swaps is read out', () => {
  test('a search says how many links match, or that none do', async () => {
    await page.goto(`${app.base}/dashboard`);
    await page.locator('#q').focus();
    await page.keyboard.type('Spring');
    await poll(announced, '3 links match “Spring”, 1 to 3 shown, sorted by date created, descending.');
    await page.keyboard.type('zzz');
    await poll(announced, 'No links match “Springzzz”.');
  });

  test('a sort is read out, and the selection hint is not rewritten (read again) after the redraw', async () => {
    await page.goto(`${app.base}/dashboard`);
    await page.evaluate(() => {
      const w = window as unknown as { rewrites: number };
      w.rewrites = 0;
      new MutationObserver((records) => {
        for (const r of records) if ((r.target as Element).closest?.('[data-selected-count]') || r.target.parentElement?.closest('[data-selected-count]')) w.rewrites++;
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.locator('#sort-code').focus();
    await page.keyboard.press('Enter');
    await poll(announced, '5 links, 1 to 5 shown, sorted by short link, ascending.');
    expect(await page.evaluate(() => (window as unknown as { rewrites: number }).rewrites)).toBe(0);
  });

  test('another date range on the analytics screen says what it now shows', async () => {
    await page.goto(`${app.base}/dashboard/links/${clicked.id}/analytics`);
    await page.locator('#range-7').focus();
    await page.keyboard.press('Enter');
    await poll(async () => /^\d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d: 1 click\.$/.test((await announced()) ?? ''), true);
  });

  test('a plan saved in place says "Saved."', async () => {
    await page.goto(`${app.base}/dashboard/plans`);
    await page.locator('#save-plan-free').focus();
    await page.keyboard.press('Enter');
    await poll(announced, 'Saved.');
  });
});

describe('confirmations that must not be missed take the focus', () => {
  test('a link created from the form: its confirmation', async () => {
    await page.goto(`${app.base}/dashboard/links/new`);
    await page.locator('#url').fill('https://example.com/fresh');
    await page.locator('#url').press('Enter');
    await page.waitForURL(/created=/);
    await poll(async () => (await focused()).startsWith('<div class="success created"'), true);
  });

  test('an API key created with the keyboard: the panel that shows it once', async () => {
    await page.goto(`${app.base}/dashboard/keys`);
    await page.locator('#key-name').focus();
    await page.keyboard.type('laptop');
    await page.keyboard.press('Enter');
    await poll(async () => (await focused()).startsWith('<section class="card key-once'), true);
  });
});

describe('what a keyboard user sees', () => {
  test('the calendar button inside a date field shows the focus ring of the field', async () => {
    await page.goto(`${app.base}/dashboard/links/new`);
    await page.locator('#utm_content').focus();
    // a datetime-local field is several Tab stops: its parts, then the calendar button
    const rings: string[] = [];
    for (;;) {
      await page.keyboard.press('Tab');
      await Bun.sleep(250); // past the ring's 0.15 s transition, which would otherwise still show the last stop's
      const s = await page.evaluate(() => {
        const a = document.activeElement as HTMLElement;
        return { id: a.id, shadow: getComputedStyle(a).boxShadow };
      });
      if (s.id !== 'schedule_start_0' && rings.length) break;
      if (s.id === 'schedule_start_0') rings.push(s.shadow);
    }
    expect(rings.length).toBeGreaterThan(1);
    expect(rings.filter((r) => r === 'none')).toEqual([]);
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`a deactivated user's row keeps 4.5:1 text contrast (${scheme})`, async () => {
      const p = await context.newPage();
      await p.emulateMedia({ colorScheme: scheme });
      await p.goto(`${app.base}/dashboard/users`);
      const ratios = await p.evaluate(() => {
        const rgb = (c: string) => c.match(/[\d.]+/g)!.map(Number);
        const lum = ([r, g, b]: number[]) => {
          const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
          return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
        };
        const background = (el: Element | null): number[] => {
          for (; el; el = el.parentElement) {
            const c = rgb(getComputedStyle(el).backgroundColor);
            if ((c[3] ?? 1) === 1) return c;
          }
          return [255, 255, 255];
        };
        const opacity = (el: Element | null) => {
          let o = 1;
          for (; el; el = el.parentElement) o *= Number(getComputedStyle(el).opacity);
          return o;
        };
        const row = [...document.querySelectorAll('tr.inactive')].find((r) => r.textContent!.includes('gone@example.com'))!;
        return [...row.querySelectorAll('th, button')].map((el) => {
          const bg = background(el);
          const a = opacity(el);
          const fg = rgb(getComputedStyle(el).color).slice(0, 3).map((v, i) => v * a + bg[i]! * (1 - a));
          const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
          return `${el.textContent!.trim().slice(0, 20)} ${((hi! + 0.05) / (lo! + 0.05)).toFixed(2)}`;
        });
      });
      await p.close();
      expect(ratios.length).toBeGreaterThan(2);
      expect(ratios.filter((r) => Number(r.split(' ').pop()) < 4.5)).toEqual([]);
    });
  }
});

describe('the focused control is never hidden under the sticky top bar or a toast', () => {
  /** How far the focused control's top sits under the bottom of the top bar (0: clear of it, or drawn above it). */
  const underBar = (p: Page) =>
    p.evaluate(() => {
      const a = document.activeElement!;
      const r = a.getBoundingClientRect();
      const seen = document.elementFromPoint(r.left + r.width / 2, r.top + 2);
      if (seen && (a.contains(seen) || seen.contains(a))) return 0;
      return Math.max(0, document.querySelector('.topbar')!.getBoundingClientRect().bottom - r.top);
    });

  test('an entry of the error summary brings its field into view below the bar', async () => {
    await page.goto(`${app.base}/dashboard/links/new`);
    await page.locator('#url').fill('notaurl');
    await page.locator('#code').fill('a!');
    await page.locator('#url').press('Enter');
    await poll(async () => (await focused()).startsWith('<div class="alert error-summary"'), true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate(() => document.activeElement?.id), 'url');
    expect(await underBar(page)).toBe(0);
  });

  test('Shift+Tab up a long form: every stop shows below the bar', async () => {
    const p = await context.newPage();
    await p.setViewportSize({ width: 1280, height: 600 });
    await p.goto(`${app.base}/dashboard/links/new`);
    await p.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await p.locator('button[type="submit"]', { hasText: 'Create link' }).focus();
    const hidden: string[] = [];
    for (let i = 0; i < 60; i++) {
      await p.keyboard.press('Shift+Tab');
      const under = await underBar(p);
      if (under > 0) hidden.push(`${await p.evaluate(() => document.activeElement!.id || document.activeElement!.tagName)} ${under}px`);
    }
    await p.close();
    expect(hidden).toEqual([]);
  });

  test('a row paused near the bottom of the window: its toast does not cover the button that keeps the focus', async () => {
    const p = await context.newPage();
    await p.setViewportSize({ width: 1280, height: 600 });
    await p.goto(`${app.base}/dashboard`);
    await p.waitForFunction(() => (window as unknown as { htmx?: unknown }).htmx !== undefined);
    const button = p.locator('#links-table tbody tr').last().locator('button[id^="toggle-"]');
    // at the window's bottom edge, where the toast appears
    await button.evaluate((b) => {
      b.scrollIntoView({ block: 'end' });
      window.scrollBy(0, 8);
    });
    await button.focus();
    await p.keyboard.press('Enter');
    await p.locator('#toast > *').first().waitFor();
    await Bun.sleep(300);
    const overlap = await p.evaluate(() => {
      const a = document.activeElement!.getBoundingClientRect();
      const b = document.getElementById('toast')!.getBoundingClientRect();
      return { focused: document.activeElement!.id, overlaps: a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom };
    });
    // back as it was, for the other tests
    await p.keyboard.press('Enter');
    await Bun.sleep(300);
    await p.close();
    expect(overlap).toEqual({ focused: expect.stringMatching(/^toggle-\d+$/), overlaps: false });
  });
});

describe('where the focus is, and what is current, shows in every colour scheme', () => {
  /** The ring's colour (outline, or the box-shadow inputs and radio cards wear) and its contrast with the surface behind it. */
  const ring = (p: Page, holder: string) =>
    p.evaluate((sel) => {
      const el = document.querySelector(sel)!;
      const s = getComputedStyle(el);
      // a transparent outline is there for forced colours only: then the ring is the box-shadow
      const outlined = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && s.outlineColor !== 'rgba(0, 0, 0, 0)';
      const colour = outlined ? s.outlineColor : (s.boxShadow.match(/rgba?\([^)]*\)|color\([^)]*\)/)?.[0] ?? 'none');
      const nums = (c: string) => c.match(/[\d.]+/g)!.map(Number);
      const lum = ([r, g, b]: number[]) => {
        const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
      };
      let bg = [255, 255, 255];
      for (let e: Element | null = el.parentElement; e; e = e.parentElement) {
        const c = nums(getComputedStyle(e).backgroundColor);
        if ((c[3] ?? 1) === 1) {
          bg = c;
          break;
        }
      }
      if (colour === 'none') return { colour, ratio: 0 };
      // rgb(…) in 0–255, or color(srgb …) in 0–1 (what color-mix() computes to), alpha last when given
      const srgb = colour.startsWith('color(');
      const c = nums(colour).map((v, i) => (srgb && i < 3 ? v * 255 : v));
      const a = c[3] ?? 1;
      const fg = c.slice(0, 3).map((v, i) => v * a + bg[i]! * (1 - a));
      const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      return { colour, ratio: Math.round(((hi! + 0.05) / (lo! + 0.05)) * 100) / 100 };
    }, holder);

  for (const scheme of ['light', 'dark'] as const) {
    test(`the focus ring is solid and at least 3:1 against the page (${scheme})`, async () => {
      const p = await context.newPage();
      await p.emulateMedia({ colorScheme: scheme });
      await p.goto(`${app.base}/dashboard/links/new`);
      const weak: string[] = [];
      // [what takes the focus, what wears the ring]
      for (const [focus, holder] of [['#url', '#url'], ['#description', '#description'], ['#redirect_mode_bridge', 'label.radio-card:has(#redirect_mode_bridge)'], ['.page-head a.button', '.page-head a.button'], ['button[data-add-row]', 'button[data-add-row]']] as const) {
        await p.locator(focus).focus();
        await p.keyboard.press('Shift');
        await Bun.sleep(250); // past the 0.15 s transition
        const r = await ring(p, holder);
        if (r.ratio < 3) weak.push(`${focus}: ${r.colour} ${r.ratio}:1`);
      }
      await p.close();
      expect(weak).toEqual([]);
    });
  }

  for (const scheme of ['light', 'dark'] as const) {
    test(`placeholders keep 4.5:1 against their field (${scheme})`, async () => {
      const p = await context.newPage();
      await p.emulateMedia({ colorScheme: scheme });
      await p.goto(`${app.base}/dashboard/links/new`);
      const ratios = await p.evaluate(() => {
        const nums = (c: string) => c.match(/[\d.]+/g)!.map(Number);
        const lum = ([r, g, b]: number[]) => {
          const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
          return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
        };
        return ['#url', '#code', '#schedule_url_0', '#thumbnail_url'].map((sel) => {
          const el = document.querySelector(sel)!;
          const ph = getComputedStyle(el, '::placeholder');
          const bg = nums(getComputedStyle(el).backgroundColor);
          const a = (nums(ph.color)[3] ?? 1) * Number(ph.opacity);
          const fg = nums(ph.color).slice(0, 3).map((v, i) => v * a + bg[i]! * (1 - a));
          const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
          return `${sel} ${((hi! + 0.05) / (lo! + 0.05)).toFixed(2)}`;
        });
      });
      await p.close();
      expect(ratios.filter((r) => Number(r.split(' ').pop()) < 4.5)).toEqual([]);
    });
  }

  test('in forced colours (Windows High Contrast) a focused input, select, textarea or radio card still shows a ring', async () => {
    const p = await context.newPage();
    await p.emulateMedia({ forcedColors: 'active' });
    const unmarked: string[] = [];
    for (const [path, focus, card] of [
      ['/dashboard/links/new', '#url', null],
      ['/dashboard/links/new', '#description', null],
      ['/dashboard/links/new', '#redirect_mode_bridge', 'label.radio-card:has(#redirect_mode_bridge)'],
      ['/dashboard', '#status', null],
    ] as const) {
      await p.goto(`${app.base}${path}`);
      await p.locator(focus).focus();
      await p.keyboard.press('Shift');
      await Bun.sleep(250);
      // forced colours drop box-shadows (the computed value is none) and paint outlines, even transparent ones, in a system colour
      const shown = await p.evaluate((sels) => sels.some((sel) => {
        const s = getComputedStyle(document.querySelector(sel)!);
        return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
      }), card ? [focus, card] : [focus]);
      if (!shown) unmarked.push(focus);
    }
    await p.close();
    expect(unmarked).toEqual([]);
  });

  test('in forced colours the current page in the top bar and the current range are marked by more than their background', async () => {
    const p = await context.newPage();
    await p.emulateMedia({ forcedColors: 'active' });
    const marks = (sel: string) =>
      p.locator(sel).evaluate((el) => {
        const s = getComputedStyle(el);
        return [s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0, s.textDecorationLine, s.borderStyle, s.fontWeight].join(' ');
      });
    await p.goto(`${app.base}/dashboard/links/${clicked.id}/analytics`);
    const marked: boolean[] = [];
    marked.push((await marks('.segmented a[aria-current]')) !== (await marks('.segmented a:not([aria-current]) >> nth=0')));
    marked.push((await marks('.topbar nav a[aria-current="page"]')) !== (await marks('.topbar nav a:not([aria-current]) >> nth=0')));
    await p.close();
    expect(marked).toEqual([true, true]);
  });
});

describe('a link deleted from the list with the keyboard', () => {
  test('the focus goes on to the next row’s pause button, or the previous row’s after the last, not to the whole table', async () => {
    const actor = await app.services.users.actorFor(await app.services.users.getByEmail(ADMIN.email));
    const made: Link[] = [];
    for (const n of [1, 2, 3]) made.push((await app.services.links.create(actor, { destination: `https://example.com/doomed/${n}`, title: `Doomed ${n}` })).link);
    const [d1, d2, d3] = made as [Link, Link, Link];
    const settled = () => page.waitForFunction(() => !document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping, .htmx-request'));
    const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');
    // newest first: Doomed 3, Doomed 2, Doomed 1
    await page.goto(`${app.base}/dashboard?q=Doomed`);
    await page.locator(`#link-${d2.id} button[title="Delete"]`).focus();
    await page.keyboard.press('Enter');
    await page.locator(`#link-${d2.id}`).waitFor({ state: 'detached' });
    await settled();
    await poll(focusedId, `toggle-${d1.id}`);
    await page.locator(`#link-${d1.id} button[title="Delete"]`).focus();
    await page.keyboard.press('Enter');
    await page.locator(`#link-${d1.id}`).waitFor({ state: 'detached' });
    await settled();
    await poll(focusedId, `toggle-${d3.id}`);
  });
});

describe('toasts', () => {
  test('an error stays until dismissed; any toast stays while the pointer is on it', async () => {
    await page.goto(`${app.base}/dashboard`);
    await page.waitForFunction(() => (window as unknown as { htmx?: unknown }).htmx !== undefined);
    const shown = () => page.locator('#toast > *').evaluateAll((items) => items.map((i) => i.textContent!.replace('×', '').trim()));
    // as the server's HX-Trigger and the script's own failures raise them
    await page.evaluate(() => {
      document.dispatchEvent(new CustomEvent('toast', { detail: { message: 'Saved A.' } }));
      document.dispatchEvent(new CustomEvent('toast', { detail: { message: 'Could not do B.', kind: 'error' } }));
    });
    const box = (await page.locator('#toast').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await Bun.sleep(5600);
    expect(await shown()).toEqual(['Saved A.', 'Could not do B.']);
    await page.mouse.move(1, 1);
    await poll(shown, ['Could not do B.'], 3000);
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await poll(shown, []);
    // reached by keyboard and dismissed, it hands the focus back to the control before it, not to the page
    await page.locator('#q').focus();
    await page.evaluate(() => document.dispatchEvent(new CustomEvent('toast', { detail: { message: 'Could not do C.', kind: 'error' } })));
    await page.getByRole('button', { name: 'Dismiss' }).focus();
    await page.keyboard.press('Enter');
    await poll(shown, []);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
  }, 20_000);
});

describe('the API documentation (/docs, the vendored Swagger UI)', () => {
  test('method badges, the Authorize button and the spec link keep 4.5:1', async () => {
    const p = await context.newPage();
    await p.goto(`${app.base}/docs`);
    await p.locator('.opblock-summary-method').first().waitFor();
    await p.locator('.btn.authorize').waitFor();
    const ratios = await p.evaluate(() => {
      const nums = (c: string) => c.match(/[\d.]+/g)!.map(Number);
      const lum = ([r, g, b]: number[]) => {
        const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
      };
      const background = (el: Element | null): number[] => {
        for (; el; el = el.parentElement) {
          const c = nums(getComputedStyle(el).backgroundColor);
          if ((c[3] ?? 1) === 1) return c;
        }
        return [255, 255, 255];
      };
      const seen = new Set<string>();
      const out: string[] = [];
      for (const el of document.querySelectorAll('.opblock-summary-method, .btn.authorize, .info a')) {
        const key = `${el.textContent!.trim()} ${getComputedStyle(el).color} ${background(el).join()}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const [hi, lo] = [lum(nums(getComputedStyle(el).color)), lum(background(el))].sort((x, y) => y - x);
        out.push(`${el.textContent!.trim().slice(0, 20)} ${((hi! + 0.05) / (lo! + 0.05)).toFixed(2)}`);
      }
      return out;
    });
    await p.close();
    expect(ratios.length).toBeGreaterThan(3);
    expect(ratios.filter((r) => Number(r.split(' ').pop()) < 4.5)).toEqual([]);
  });
});

describe('a keyboard user choosing a role or plan in the users table', () => {
  test('arrow keys only move through the options; Enter, or leaving the field, saves the choice', async () => {
    const member = await app.services.users.create({ email: 'keys@example.com', password: 'keys-Pa55word', plan: 'free' });
    const p = await context.newPage();
    const saves: string[] = [];
    p.on('request', (r) => r.method() === 'POST' && r.url().endsWith(`/dashboard/users/${member.id}`) && saves.push(r.postData() ?? ''));
    await p.goto(`${app.base}/dashboard/users`);
    const stored = async () => {
      const u = await app.services.users.get(member.id);
      return `${u.role} ${(await app.services.plans.get(u.planId)).name}`;
    };
    // a save redraws the row: the next step must act on the new one
    const row = `user-row-${member.id}`;
    const redrawn = async (action: () => Promise<void>) => {
      await p.evaluate((id) => (document.getElementById(id)!.dataset.before = '1'), row);
      await action();
      // and settled: htmx wires the new row's controls once its swap has settled
      await p.waitForFunction((id) => document.getElementById(id)?.dataset.before === undefined && !document.querySelector('.htmx-settling, .htmx-request'), row);
    };

    // one ArrowDown on a closed select made this member an admin at once
    await p.locator(`#role-${member.id}`).focus();
    await p.keyboard.press('ArrowDown');
    await Bun.sleep(400);
    expect(saves).toEqual([]);
    // back to where it was, then away: nothing to save
    await p.keyboard.press('ArrowUp');
    await p.keyboard.press('Tab');
    await Bun.sleep(400);
    expect(saves).toEqual([]);
    expect(await stored()).toBe('member free');

    await p.locator(`#role-${member.id}`).focus();
    await p.keyboard.press('ArrowDown');
    await redrawn(() => p.keyboard.press('Enter'));
    expect(await stored()).toBe('admin free');
    expect(saves.length).toBe(1);

    // the row is redrawn after a save: the plan select is a new element
    await p.locator(`#plan-${member.id}`).focus();
    await p.keyboard.press('ArrowDown');
    await Bun.sleep(400);
    expect(saves.length).toBe(1);
    await redrawn(() => p.keyboard.press('Tab'));
    expect(await stored()).toBe('admin pro');
    expect(saves.length).toBe(2);

    // a choice made with the mouse (or in the opened list) saves at once, as before
    await redrawn(async () => void (await p.locator(`#plan-${member.id}`).selectOption('enterprise')));
    expect(await stored()).toBe('admin enterprise');
    await p.close();
  });
});

describe('a keyboard user choosing a status in the links list', () => {
  test('arrow keys only move through the options; Enter shows the list, once, and a later choice back to "Any" shows it again', async () => {
    const p = await context.newPage();
    const lists: string[] = [];
    p.on('request', (r) => r.method() === 'GET' && new URL(r.url()).pathname === '/dashboard' && r.headers()['hx-request'] === 'true' && lists.push(new URL(r.url()).search));
    await p.goto(`${app.base}/dashboard`);
    await p.waitForFunction(() => (window as unknown as { htmx?: unknown }).htmx !== undefined);
    await p.locator('#status').focus();
    for (let i = 0; i < 3; i++) await p.keyboard.press('ArrowDown');
    await Bun.sleep(400);
    expect(lists).toEqual([]);
    await p.keyboard.press('Enter');
    await p.waitForFunction(() => !document.querySelector('.htmx-request'));
    await Bun.sleep(200);
    expect(lists).toEqual([expect.stringContaining('status=expired')]);
    // back to Any by keyboard: the page loaded with it, but the list now shows another, so it is sent
    for (let i = 0; i < 3; i++) await p.keyboard.press('ArrowUp');
    await p.keyboard.press('Tab');
    await p.waitForFunction(() => !document.querySelector('.htmx-request'));
    await Bun.sleep(200);
    expect(lists.length).toBe(2);
    expect(lists[1]).toContain('status=&');
    await p.close();
  });
});
