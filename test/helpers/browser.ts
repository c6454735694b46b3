/**
 * Browser tests: the real app listening on 127.0.0.1 (a random port) and
 * Debian's Chromium driven by playwright-core. Never downloads a browser.
 * Screenshots go to test/artifacts/ (git-ignored) for people to look at.
 */
import { expect } from 'bun:test';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeTestApp, type TestAppOptions } from './make-test-app.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dir, '..', 'artifacts');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium (CI installs it), or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** The app on a real port; BASE_URL matches it so short URLs are followable. */
export async function serveTestApp(opts: TestAppOptions = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t = await makeTestApp({ ...opts, env: { BASE_URL: base, ...opts.env } });
  t.app.listen({ port, hostname: '127.0.0.1' });
  return {
    ...t,
    base,
    async close() {
      await t.app.stop(true);
      await t.close();
    },
  };
}
export type ServedApp = Awaited<ReturnType<typeof serveTestApp>>;

async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Signs in through the login form. */
export async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/dashboard'));
}

/** Retries until fn() deep-equals expected: htmx swaps (and the announcer's short delay) land after the action returns. */
export async function poll<T>(fn: () => Promise<T>, expected: T, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!Bun.deepEquals(last, expected) && Date.now() < until) {
    await Bun.sleep(50);
    last = await fn();
  }
  expect(last).toEqual(expected);
}
