/**
 * Secrets: how they are compared, stored and logged.
 *
 * Timing. Every comparison of a secret against its expected value is
 * constant-time: session CSRF tokens through secrets.ts safeEqual, delete and
 * stats tokens through tokenMatches (SHA-256, then safeEqual), the signed
 * public-form and password-form tokens through crypto.timingSafeEqual. A
 * static check reads src/ for any ===/!== between secret-named values, and
 * behavioural checks send wrong-length tokens everywhere (a naive
 * timingSafeEqual throws on unequal lengths; a crash there would be a 500 and
 * a length oracle). API keys and session tokens are looked up by their
 * SHA-256 in an index: the lookup compares digests of 256-bit random values,
 * which reveals nothing an attacker can steer.
 *
 * At rest. After every kind of secret has been made (API keys from the
 * service and the dashboard, user passwords, generated reset passwords, link
 * passwords, LinkShrink delete and stats tokens, session tokens), neither any
 * table's text nor the raw database and WAL files contain one in clear.
 *
 * In logs. With LOG_LEVEL=debug, requests carrying every secret in headers,
 * query strings, cookies and bodies — accepted and refused — are logged, and
 * no log line (stdout or stderr), /metrics, or CLI output contains one.
 */
import { afterAll, beforeAll, describe, expect, spyOn, test } from 'bun:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { safeEqual, sha256Hex, tokenMatches } from '../../src/accounts/secrets.ts';
import { runCli } from '../../src/cli.ts';
import { loadConfig } from '../../src/config.ts';
import type { TestApp } from '../helpers/make-test-app.ts';
import { ROOT } from '../helpers/binary.ts';
import { dumpTables, securityApp, send, signIn } from './security-kit.ts';

const SRC = join(ROOT, 'src');

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const rel = (p: string) => p.slice(ROOT.length + 1);

describe('constant-time comparison (static)', () => {
  test('safeEqual is crypto.timingSafeEqual (with a length guard), and tokenMatches goes through it', () => {
    const src = readFileSync(join(SRC, 'accounts/secrets.ts'), 'utf8');
    const safeEqualBody = /export function safeEqual[\s\S]*?\n\}/.exec(src)![0];
    expect(safeEqualBody).toContain('timingSafeEqual(ab, bb)');
    expect(safeEqualBody).toMatch(/if \(ab\.length !== bb\.length\)/);
    expect(/export const tokenMatches[\s\S]*?;\n/.exec(src)![0]).toContain('safeEqual(sha256Hex(plain), storedHash)');
  });

  test('the token checks call the constant-time helpers', () => {
    const read = (f: string) => readFileSync(join(SRC, f), 'utf8');
    // session CSRF (every dashboard form)
    expect(read('http/session-auth.ts')).toMatch(/safeEqual\(given, ctx\.csrfToken\)/);
    // LinkShrink delete and stats tokens
    const links = read('links/links.service.ts');
    expect(links).toMatch(/tokenMatches\(token, hashes\?\.deleteTokenHash/);
    expect(links).toMatch(/tokenMatches\(token, hashes\?\.statsTokenHash/);
    // every module that verifies an HMAC compares it with timingSafeEqual
    const macFiles = sourceFiles().filter((f) => /createHmac/.test(readFileSync(f, 'utf8')) && /\bverify\s*\(|\bcheck\s*\(/.test(readFileSync(f, 'utf8')));
    expect(macFiles.length).toBeGreaterThan(0);
    for (const f of macFiles) expect([rel(f), /timingSafeEqual\(/.test(readFileSync(f, 'utf8'))]).toEqual([rel(f), true]);
  });

  test('no ===/!== between secret-named values anywhere in src/ (only against null, literals, types or lengths)', () => {
    const SECRET = /(token|hash|csrf|secret|password|apikey|rawkey|nonce|\bmac\b|digest)/i;
    const HARMLESS = /^(null|undefined|true|false|-?\d+|'[^']*'|"[^"]*"|`[^`]*`)$/;
    const CMP = /([\w$.?[\]()'"]+)\s*(===|!==|==|!=)\s*([\w$.?[\]()'"`-]+)/g;
    const suspicious: string[] = [];
    for (const f of sourceFiles()) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/^\s*(\/\/|\*)/.test(line)) return;
          for (const m of line.matchAll(CMP)) {
            const l = m[1]!.replace(/^[(!]+/, '');
            const r = m[3]!.replace(/[);,]+$/, '');
            if (!SECRET.test(l) && !SECRET.test(r)) continue;
            if (HARMLESS.test(l) || HARMLESS.test(r) || /\.(length|size)$|typeof/.test(l) || /\.(length|size)$/.test(r)) continue;
            suspicious.push(`${rel(f)}:${i + 1}: ${m[0]}`);
          }
        });
    }
    expect(suspicious).toEqual([]);
  });
});

describe('constant-time comparison (behaviour)', () => {
  test('wrong lengths are false, never a throw', () => {
    const stored = sha256Hex('the right token');
    for (const [a, b] of [['', 'x'], ['a', 'ab'], ['é', 'e'], ['x'.repeat(10_000), 'x'], ['\u0000', '']]) expect(safeEqual(a!, b!)).toBe(false);
    expect(safeEqual('same', 'same')).toBe(true);
    expect(tokenMatches('the right token', stored)).toBe(true);
    for (const wrong of ['', 't', 'the right toke', 'the right token ', 'x'.repeat(100_000), '🙂']) expect(tokenMatches(wrong, stored)).toBe(false);
    expect(tokenMatches('the right token', null)).toBe(false);
    expect(tokenMatches('the right token', 'not a hash')).toBe(false);
  });

  let t: TestApp;
  beforeAll(async () => {
    t = await securityApp();
  });
  afterAll(() => t?.close());

  test('over HTTP, wrong-length tokens and keys are refused cleanly (401/403), never a 500', async () => {
    const u = await t.user('pro');
    const made = await send(t, 'POST', '/api/v1/shorten', { headers: u.auth, json: { url: 'https://example.com/x', private_stats: true, password: 'right password' } });
    const { data } = (await made.json()) as { data: { shortUrl: string; deleteToken: string; statsToken: string } };
    const code = data.shortUrl.split('/').at(-1)!;
    const wrongs = ['', 'a', data.deleteToken.slice(0, -1), `${data.deleteToken}0`, 'é'.repeat(48), 'x'.repeat(5000)];
    for (const w of wrongs) {
      expect((await send(t, 'DELETE', `/api/v1/${code}?delete_token=${encodeURIComponent(w)}`)).status).toBe(401);
      expect((await send(t, 'GET', `/api/v1/stats/${code}?token=${encodeURIComponent(w)}`)).status).toBe(401);
      expect((await send(t, 'GET', '/api/v1/links', { headers: { authorization: `Bearer ${u.key.slice(0, -1)}${w}` } })).status).toBe(401);
    }
    const b = await signIn(t, u.email, u.password);
    for (const w of ['', 'a', b.csrf.slice(1), `${b.csrf}a`, 'é'.repeat(b.csrf.length)]) {
      const res = await send(t, 'POST', '/dashboard/keys', { ip: b.ip, headers: { cookie: b.cookie, 'x-csrf-token': encodeURIComponent(w) }, form: { name: 'x' } });
      expect(res.status).toBe(403);
    }
    const locked = await t.services.links.create(await t.services.users.actorFor(u.user), { destination: 'https://example.com/l', password: 'pw', metadata: 'none' });
    const formToken = /name="csrf_token" value="([^"]+)"/.exec(await (await send(t, 'GET', `/${locked.link.code}`)).text())![1]!;
    for (const w of [formToken.slice(0, -1), `${formToken}A`, formToken.replace(/\.[^.]+$/, '.'), '1.a']) {
      expect((await send(t, 'POST', `/${locked.link.code}`, { form: { csrf_token: w, password: 'pw' } })).status).toBe(403);
    }
    // the right ones still work
    expect((await send(t, 'GET', `/api/v1/stats/${code}?token=${data.statsToken}`)).status).toBe(200);
    expect((await send(t, 'DELETE', `/api/v1/${code}?delete_token=${data.deleteToken}`)).status).toBe(200);
  });
});

describe('secrets at rest and in logs', () => {
  let t: TestApp;
  const secrets = new Map<string, string>();
  const logged: string[] = [];
  let restore: () => void = () => {};

  beforeAll(async () => {
    // capture before the app exists: its logger writes through process.stdout/stderr at call time
    const out = spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => (logged.push(String(chunk)), true)) as typeof process.stdout.write);
    const err = spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array) => (logged.push(String(chunk)), true)) as typeof process.stderr.write);
    restore = () => {
      out.mockRestore();
      err.mockRestore();
    };
    t = await securityApp({ env: { LOG_LEVEL: 'debug', ANONYMOUS_LINKS: 'true' } });
    const svc = t.services;
    const u = await t.user('enterprise', 'admin');
    secrets.set('api key', u.key);
    secrets.set('user password', u.password);
    const reset = await svc.users.resetPassword((await t.user('pro')).user.id);
    secrets.set('generated password', reset.password);

    const made = await send(t, 'POST', '/api/v1/shorten', { headers: u.auth, json: { url: 'https://example.com/s', private_stats: true, password: 'link-password-ls' } });
    const { data } = (await made.json()) as { data: { shortUrl: string; deleteToken: string; statsToken: string } };
    secrets.set('delete token', data.deleteToken);
    secrets.set('stats token', data.statsToken);
    secrets.set('LinkShrink link password', 'link-password-ls');
    const code = data.shortUrl.split('/').at(-1)!;
    const anon = await send(t, 'POST', '/api/v1/shorten', { json: { url: 'https://example.com/anon' } });
    secrets.set('anonymous delete token', ((await anon.json()) as { data: { deleteToken: string } }).data.deleteToken);
    const native = await send(t, 'POST', '/api/v1/links', { headers: u.auth, json: { original_url: 'https://example.com/n', password: 'link-password-native' } });
    const nativeCode = ((await native.json()) as { short_code: string }).short_code;
    secrets.set('native link password', 'link-password-native');

    const b = await signIn(t, u.email, u.password);
    secrets.set('session token', b.cookie.split('=')[1]!);
    const keyPage = await send(t, 'POST', '/dashboard/keys', { ip: b.ip, headers: { cookie: b.cookie, accept: 'text/html' }, form: { name: 'from the dashboard', _csrf: b.csrf } });
    const dashKey = /<code id="new-key">([^<]+)<\/code>/.exec(await keyPage.text())?.[1];
    expect(dashKey).toMatch(/^sr_/);
    secrets.set('dashboard api key', dashKey!);

    // every secret through every channel a request has, accepted and refused
    const key = u.key;
    const requests: [string, string, Parameters<typeof send>[3]][] = [
      ['GET', `/api/v1/links?api_key=${key}`, {}],
      ['GET', '/api/v1/links', { headers: { authorization: `Bearer ${key}` } }],
      ['GET', '/api/v1/links', { headers: { 'x-api-key': dashKey! } }],
      ['GET', '/api/v1/links', { headers: { authorization: `Bearer ${key}x` } }],
      ['GET', `/v1/client/short-links?api_key=${key}`, {}],
      ['GET', `/nothing/here?api_key=${key}&token=${data.statsToken}`, {}],
      ['GET', `/api/v1/stats/${code}?token=${data.statsToken}`, {}],
      ['GET', `/api/v1/stats/${code}/export?token=${data.statsToken}&format=csv`, {}],
      ['POST', `/api/v1/verify/${code}`, { json: { password: 'link-password-ls' } }],
      ['POST', `/api/v1/links`, { headers: { authorization: `Bearer ${key}` }, json: { original_url: 'not a url', password: 'link-password-native' } }],
      ['POST', `/${nativeCode}`, { form: { password: 'link-password-native', csrf_token: 'bogus' } }],
      ['POST', '/login', { form: { email: u.email, password: u.password } }],
      ['GET', '/dashboard', { headers: { cookie: b.cookie } }],
      ['GET', `/dashboard/keys?api_key=${key}`, { headers: { cookie: b.cookie } }],
      ['DELETE', `/api/v1/${code}?delete_token=${data.deleteToken}x`, {}],
      ['DELETE', `/api/v1/${code}?delete_token=${data.deleteToken}`, {}],
    ];
    for (const [method, path, init] of requests) await send(t, method, path, init);
    const metrics = await (await send(t, 'GET', '/metrics')).text();
    logged.push(metrics);
    await Bun.sleep(20); // the access log is written after the response (onAfterResponse runs in setImmediate)

    const io = { out: (l: string) => logged.push(l), err: (l: string) => logged.push(l) };
    const config = loadConfig({ DATA_DIR: t.dir, LOG_LEVEL: 'silent' });
    expect(await runCli(['user', 'create', '--email', 'cli@example.com', '--password', 'cli-password-123'], config, io)).toBe(0);
    expect(await runCli(['user', 'create', '--email', 'cli@example.com', '--password', 'cli-password-123'], config, io)).toBe(1);
    secrets.set('CLI password', 'cli-password-123');
  });

  afterAll(async () => {
    restore();
    await t?.close();
  });

  test('the access log was written (the check below is not vacuous)', () => {
    const lines = logged.join('').split('\n').filter((l) => / (info|debug) request /.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(15);
  });

  test('no log line, /metrics or CLI output contains a secret', () => {
    const text = logged.join('\n');
    for (const [name, secret] of secrets) expect([name, text.includes(secret)]).toEqual([name, false]);
  });

  test('no table holds a secret in clear', () => {
    const tables = dumpTables(t);
    expect(tables.size).toBeGreaterThanOrEqual(8);
    for (const [name, secret] of secrets) {
      for (const [table, text] of tables) expect([name, table, text.includes(secret)]).toEqual([name, table, false]);
    }
    // an API key's first 10 characters are kept to tell keys apart; the rest must not be
    for (const name of ['api key', 'dashboard api key']) {
      const rest = secrets.get(name)!.slice(10);
      for (const [table, text] of tables) expect([name, table, text.includes(rest)]).toEqual([name, table, false]);
    }
  });

  test('nor do the raw database and WAL files', () => {
    for (const file of readdirSync(t.dir).filter((f) => f.startsWith('shrinkray.db'))) {
      const bytes = readFileSync(join(t.dir, file));
      for (const [name, secret] of secrets) expect([file, name, bytes.includes(Buffer.from(secret))]).toEqual([file, name, false]);
    }
  });

  test('what is stored instead: bcrypt for passwords, SHA-256 for keys, tokens and sessions', () => {
    const db = t.services.db.sqlite;
    for (const r of db.query<{ h: string }, []>('SELECT password_hash AS h FROM users').all()) expect(r.h).toMatch(/^\$2[aby]\$10\$/);
    for (const r of db.query<{ h: string }, []>('SELECT password_hash AS h FROM links WHERE password_hash IS NOT NULL').all()) expect(r.h).toMatch(/^\$2[aby]\$10\$/);
    for (const r of db.query<{ h: string }, []>('SELECT key_hash AS h FROM api_keys').all()) expect(r.h).toMatch(/^[0-9a-f]{64}$/);
    for (const r of db.query<{ h: string }, []>('SELECT id_hash AS h FROM sessions').all()) expect(r.h).toMatch(/^[0-9a-f]{64}$/);
    const tokens = db.query<{ d: string | null; s: string | null }, []>('SELECT delete_token_hash AS d, stats_token_hash AS s FROM links WHERE delete_token_hash IS NOT NULL').all();
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    for (const r of tokens) for (const h of [r.d, r.s]) if (h !== null) expect(h).toMatch(/^[0-9a-f]{64}$/);
  });
});
