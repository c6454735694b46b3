/**
 * The command line against a real temp DATA_DIR. Most cases run runCli
 * in-process (fast, same code path as the binary); the cases about argv,
 * the environment and exit codes run `bun src/main.ts` as a subprocess,
 * because that is where main.ts does its work.
 */
import { Database } from 'bun:sqlite';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type Io } from '../../src/cli.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { openConnection } from '../../src/db/connection.ts';
import { lockDataDir } from '../../src/db/server-lock.ts';
import { EMBEDDED_MIGRATIONS, migrate } from '../../src/db/migrate.ts';
import { buildServices } from '../../src/services.ts';
import { cleanEnv, lastLine, ROOT, runProcess, startServer, type ServerProcess } from '../helpers/binary.ts';

let dir = '';
let config: Config;
const servers: ServerProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shrinkray-cli-'));
  config = loadConfig({ DATA_DIR: join(dir, 'data'), OG_FETCH: 'false', LOG_LEVEL: 'silent' });
});

afterAll(async () => {
  for (const s of servers) await s.stop('SIGKILL', 2000);
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await runCli(args, config, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** main.ts in a subprocess, with a clean environment plus `env` */
const main = (args: string[], env: Record<string, string> = {}) =>
  runProcess([process.execPath, join(ROOT, 'src/main.ts'), ...args], { cwd: dir, env: cleanEnv({ DATA_DIR: join(dir, 'data'), ...env }) });

async function withServices<T>(fn: (s: Awaited<ReturnType<typeof buildServices>>) => Promise<T>): Promise<T> {
  const handle = openDatabase(config.dataDir);
  try {
    migrate(handle.sqlite);
    return await fn(await buildServices(config, handle, { fetchMeta: async () => null }));
  } finally {
    handle.close();
  }
}

describe('user create', () => {
  test('creates a user on the given plan', async () => {
    const r = await cli('user', 'create', '--email', 'Ann@Example.com', '--password', 'correct horse battery', '--plan', 'pro');
    // the first command in this folder began its database, and says so (on stderr: stdout stays the result)
    expect(r).toMatchObject({ code: 0, stderr: `Created a new database at ${join(config.dataDir, 'shrinkray.db')} (a server started with this data folder will use it).` });
    expect(r.stdout).toContain('ann@example.com');
    const user = await withServices((s) => s.users.getByEmail('ann@example.com'));
    expect(user.role).toBe('member');
  });

  test('--admin makes an admin, on the enterprise plan unless --plan says otherwise (as the first start\'s admin)', async () => {
    const r = await cli('user', 'create', '--email', 'boss@example.com', '--password', 'correct horse battery', '--admin');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('role admin, plan enterprise');
    const boss = await withServices(async (s) => {
      const u = await s.users.getByEmail('boss@example.com');
      return { role: u.role, plan: (await s.plans.get(u.planId)).name };
    });
    expect(boss).toEqual({ role: 'admin', plan: 'enterprise' });
    expect((await cli('user', 'create', '--email', 'small-boss@example.com', '--password', 'correct horse battery', '--admin', '--plan', 'free')).stdout).toContain('role admin, plan free');
    expect((await cli('user', 'create', '--email', 'member@example.com', '--password', 'correct horse battery')).stdout).toContain('role member, plan free');
  });

  test('without --password, a generated one is printed once, works, and must be changed at the first sign-in; an empty one is a usage error', async () => {
    const r = await cli('user', 'create', '--email', 'nopw@example.com');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual([expect.stringContaining('Created user nopw@example.com'), 'Their password (they choose their own at the first sign-in). It is shown only this once:']);
    const password = lines[2]!;
    expect(password).toMatch(/^\S{12,}$/);
    expect(await withServices(async (s) => (await s.users.authenticate('nopw@example.com', password)).user.mustChangePassword)).toBe(true);
    // given, it is the user's own: nothing printed, nothing to change
    const given = await cli('user', 'create', '--email', 'ownpw@example.com', '--password', 'correct horse battery');
    expect(given.stdout).not.toContain('shown only this once');
    expect(await withServices(async (s) => (await s.users.authenticate('ownpw@example.com', 'correct horse battery')).user.mustChangePassword)).toBe(false);
    const empty = await cli('user', 'create', '--email', 'emptypw@example.com', '--password', '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('user create: --password needs a value (leave it out to generate one)');
  });

  test('a duplicate email fails with exit 1 and a one-line message', async () => {
    const r = await cli('user', 'create', '--email', 'ann@example.com', '--password', 'another password');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: A user with this email already exists.');
  });

  test('domain validation (short password, unknown plan) is exit 1', async () => {
    expect((await cli('user', 'create', '--email', 'c@example.com', '--password', 'short')).code).toBe(1);
    const r = await cli('user', 'create', '--email', 'c@example.com', '--password', 'long enough pw', '--plan', 'gold');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('gold');
  });

  test('a missing --email or an unknown option is a usage error, exit 2', async () => {
    const missing = await cli('user', 'create', '--password', 'correct horse battery');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--email is required');
    expect(missing.stderr).toContain('Usage: shrinkray');
    expect((await cli('user', 'create', '--email', 'x@example.com', '--password', 'pw123456', '--bogus')).code).toBe(2);
  });
});

describe('user password', () => {
  test('sets the given password, the old one stops working, and every session of the user ends', async () => {
    expect((await cli('user', 'create', '--email', 'lost@example.com', '--password', 'the first password', '--admin')).code).toBe(0);
    const token = await withServices(async (s) => (await s.sessions.login('lost@example.com', 'the first password')).token);
    const r = await cli('user', 'password', '--email', 'Lost@Example.com', '--password', 'a brand new password');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('lost@example.com');
    await withServices(async (s) => {
      expect((await s.users.authenticate('lost@example.com', 'a brand new password')).user.mustChangePassword).toBe(false);
      expect(await s.users.authenticate('lost@example.com', 'the first password').catch(() => 'refused')).toBe('refused');
      expect(await s.sessions.resume(token)).toBeNull();
    });
  });

  test('without --password prints a generated one alone on the last line, to be changed at the next sign-in', async () => {
    const r = await cli('user', 'password', '--email', 'lost@example.com');
    expect(r.code).toBe(0);
    const generated = lastLine(r.stdout);
    expect(generated.length).toBeGreaterThanOrEqual(12);
    expect((await withServices((s) => s.users.authenticate('lost@example.com', generated))).user.mustChangePassword).toBe(true);
  });

  test('an unknown email or a short password is exit 1; a missing --email or an empty --password is a usage error', async () => {
    expect((await cli('user', 'password', '--email', 'nobody@example.com')).code).toBe(1);
    const short = await cli('user', 'password', '--email', 'lost@example.com', '--password', 'short');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('8');
    expect((await cli('user', 'password')).code).toBe(2);
    expect((await cli('user', 'password', '--email', 'lost@example.com', '--password=')).code).toBe(2);
  });
});

describe('user transfer', () => {
  test('gives every link (deleted ones too) and QR code of one user to another, keeps the API keys, and says when it passes the limit', async () => {
    for (const [email, plan] of [['leaver@example.com', 'pro'], ['heir@example.com', 'free']]) {
      expect((await cli('user', 'create', '--email', email!, '--password', 'correct horse battery', '--plan', plan!)).code).toBe(0);
    }
    expect((await cli('key', 'create', '--email', 'leaver@example.com')).code).toBe(0);
    const ids = await withServices(async (s) => {
      const actor = await s.users.actorFor(await s.users.getByEmail('leaver@example.com'));
      const made = [];
      for (let i = 0; i < 3; i++) made.push((await s.links.create(actor, { destination: `https://example.com/${i}`, metadata: 'none' })).link.id);
      await s.links.remove(actor, made[2]!);
      await s.qr.create(actor, { name: 'q', type: 'text', content: 'c', errorCorrection: 'M' });
      await s.plans.update('free', { maxLinks: 1 });
      return made;
    });
    const r = await cli('user', 'transfer', '--from', 'Leaver@Example.com', '--to', 'heir@example.com');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      'Transferred 3 links (1 of them deleted) and 1 QR code from leaver@example.com to heir@example.com; leaver@example.com keeps their API keys.\n' +
        'Note: heir@example.com is now 1 over the link limit of their plan (free, 1 link): new links are refused until they delete some.',
    );
    await withServices(async (s) => {
      const heir = await s.users.getByEmail('heir@example.com');
      const leaver = await s.users.getByEmail('leaver@example.com');
      const owners = ids.map((id) => (s.db.sqlite.query('SELECT user_id FROM links WHERE id = ?').get(id) as { user_id: number }).user_id);
      expect(owners).toEqual([heir.id, heir.id, heir.id]);
      expect((s.db.sqlite.query('SELECT count(*) AS n FROM qr_codes WHERE user_id = ?').get(heir.id) as { n: number }).n).toBe(1);
      expect((await s.keys.list(leaver.id)).length).toBe(1);
      expect((await s.keys.list(heir.id)).length).toBe(0);
      await s.plans.update('free', { maxLinks: 100 });
    });
  });

  test('to the same user, a deactivated one or an unknown email is exit 1 and moves nothing; a missing option is a usage error', async () => {
    const self = await cli('user', 'transfer', '--from', 'heir@example.com', '--to', 'heir@example.com');
    expect(self).toMatchObject({ code: 1, stderr: 'error: Choose another user: links cannot be transferred to their own owner.' });
    await withServices(async (s) => void (await s.users.update((await s.users.getByEmail('leaver@example.com')).id, { isActive: false })));
    const inactive = await cli('user', 'transfer', '--from', 'heir@example.com', '--to', 'leaver@example.com');
    expect(inactive).toMatchObject({ code: 1, stderr: 'error: That user is deactivated: choose an active user.' });
    expect((await cli('user', 'transfer', '--from', 'heir@example.com', '--to', 'nobody@example.com')).code).toBe(1);
    expect((await cli('user', 'transfer', '--from', 'heir@example.com')).code).toBe(2);
    expect((await cli('user', 'transfer', '--to', 'heir@example.com', '--to', 'x@example.com', '--from', 'a@example.com')).code).toBe(2);
    const kept = await withServices(async (s) => (s.db.sqlite.query('SELECT count(*) AS n FROM links WHERE user_id = ?').get((await s.users.getByEmail('heir@example.com')).id) as { n: number }).n);
    expect(kept).toBe(3);
  });
});

describe('key create', () => {
  test('prints the key alone on the last line, and that key authenticates', async () => {
    const r = await cli('key', 'create', '--email', 'ann@example.com', '--name', 'ci');
    expect(r.code).toBe(0);
    const key = lastLine(r.stdout);
    expect(key).toMatch(/^sr_\S+$/);
    const { actor, key: record } = await withServices((s) => s.keys.authenticate(key));
    expect(actor.user.email).toBe('ann@example.com');
    expect(actor.plan.name).toBe('pro');
    expect(record.name).toBe('ci');
  });

  test('an unknown email is exit 1', async () => {
    const r = await cli('key', 'create', '--email', 'nobody@example.com');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nobody@example.com');
  });

  test('a deactivated user gets no key (it could never authenticate), exit 1', async () => {
    await cli('user', 'create', '--email', 'gone@example.com', '--password', 'correct horse battery');
    await withServices(async (s) => s.users.update((await s.users.getByEmail('gone@example.com')).id, { isActive: false }));
    const r = await cli('key', 'create', '--email', 'gone@example.com');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('gone@example.com is deactivated');
    expect(r.stdout).toBe('');
    expect(await withServices(async (s) => s.keys.list((await s.users.getByEmail('gone@example.com')).id))).toEqual([]);
  });

  test('through main.ts the key is still the last line of stdout', async () => {
    const r = await main(['key', 'create', '--email', 'ann@example.com']);
    expect(r.code).toBe(0);
    expect(lastLine(r.stdout)).toMatch(/^sr_[A-Za-z0-9_-]+$/);
  });
});

describe('key list and key revoke', () => {
  const api = (key: string) => withServices((s) => s.keys.authenticate(key).then(() => 'works', () => 'refused'));

  test('key list shows every key of the user (id, status, dates, name), never the key itself', async () => {
    await cli('user', 'create', '--email', 'kim@example.com', '--password', 'correct horse battery', '--plan', 'pro');
    const laptop = lastLine((await cli('key', 'create', '--email', 'kim@example.com', '--name', 'my laptop')).stdout);
    lastLine((await cli('key', 'create', '--email', 'kim@example.com', '--name', 'ci')).stdout);
    const r = await cli('key', 'list', '--email', 'Kim@Example.com');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('kim@example.com has 2 API keys, 2 active.');
    expect(lines[1]).toMatch(/^  id \d+  active   created \d{4}-\d\d-\d\d \d\d:\d\d UTC  last used never  "ci"$/);
    expect(lines[2]).toMatch(/^  id \d+  active   created .+ UTC  last used never  "my laptop"$/);
    expect(r.stdout).not.toContain(laptop.slice(3, 10));
    expect((await cli('key', 'list', '--email', 'nobody@example.com')).code).toBe(1);
    // a name that would turn the terminal line around is shown with its controls escaped
    await cli('user', 'create', '--email', 'rtl@example.com', '--password', 'correct horse battery', '--plan', 'pro');
    const made = await cli('key', 'create', '--email', 'rtl@example.com', '--name', 'build \u202egpj.exe');
    expect(made.stdout).toContain('Created API key "build \\u202egpj.exe"');
    const listed = (await cli('key', 'list', '--email', 'rtl@example.com')).stdout;
    expect([listed.includes('"build \\u202egpj.exe"'), listed.includes('\u202e')]).toEqual([true, false]);
  });

  test('key revoke --id revokes that key only; --all every active one; the keys are then refused', async () => {
    await cli('user', 'create', '--email', 'lee@example.com', '--password', 'correct horse battery', '--plan', 'pro');
    const keys = [];
    for (const name of ['a', 'b', 'c']) keys.push(lastLine((await cli('key', 'create', '--email', 'lee@example.com', '--name', name)).stdout));
    const id = /\(id (\d+)\)/.exec((await cli('key', 'create', '--email', 'lee@example.com', '--name', 'd')).stdout)![1]!;
    const one = await cli('key', 'revoke', '--email', 'lee@example.com', '--id', id);
    expect([one.code, one.stdout]).toEqual([0, `Revoked API key "d" (id ${id}) of lee@example.com.`]);
    const again = await cli('key', 'revoke', '--email', 'lee@example.com', '--id', id);
    expect([again.code, again.stderr]).toEqual([1, 'error: API key not found.']);
    // another user's key id is not found under this email
    const kimKey = /id (\d+)/.exec((await cli('key', 'list', '--email', 'kim@example.com')).stdout.split('\n')[1]!)![1]!;
    expect((await cli('key', 'revoke', '--email', 'lee@example.com', '--id', kimKey)).code).toBe(1);
    expect([await api(keys[0]!), await api(keys[2]!)]).toEqual(['works', 'works']);
    const all = await cli('key', 'revoke', '--email', 'lee@example.com', '--all');
    expect([all.code, all.stdout]).toEqual([0, 'Revoked 3 API keys of lee@example.com.']);
    expect(await Promise.all(keys.map(api))).toEqual(['refused', 'refused', 'refused']);
    expect((await cli('key', 'revoke', '--email', 'lee@example.com', '--all')).stdout).toBe('lee@example.com has no active API key; nothing revoked.');
    expect((await cli('key', 'list', '--email', 'lee@example.com')).stdout.split('\n')[0]).toBe('lee@example.com has 4 API keys, 0 active.');
    expect((await cli('key', 'list', '--email', 'kim@example.com')).stdout.split('\n')[0]).toBe('kim@example.com has 2 API keys, 2 active.');
  });

  test('key revoke needs exactly one of --id and --all (exit 2)', async () => {
    for (const args of [[], ['--id', '1', '--all'], ['--id', 'x'], ['--id', '1.5']]) {
      const r = await cli('key', 'revoke', '--email', 'lee@example.com', ...args);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
    }
    expect((await cli('key', 'revoke', '--email', 'lee@example.com')).stderr.split('\n')[0]).toBe('error: key revoke: give either --id ID (from key list) or --all');
  });
});

describe('plan set', () => {
  test('reads whole numbers as the dashboard does (1e3 is 1000) and refuses a repeated option instead of taking the last', async () => {
    const before = await withServices((s) => s.plans.getByName('pro'));
    const r = await cli('plan', 'set', 'pro', '--rate-limit', '1e3', '--max-links', '20000.0');
    expect(r.code).toBe(0);
    expect(await withServices((s) => s.plans.getByName('pro'))).toMatchObject({ rateLimitPerMinute: 1000, maxLinks: 20_000 });
    const twice = await cli('plan', 'set', 'pro', '--rate-limit', '60', '--rate-limit', '70');
    expect([twice.code, twice.stderr.split('\n')[0]]).toEqual([2, 'error: plan set: --rate-limit is given 2 times ("60", "70"); give it once']);
    const bools = await cli('plan', 'set', 'pro', '--api-access', 'true', '--expiry', 'false', '--api-access=false');
    expect([bools.code, bools.stderr.split('\n')[0]]).toEqual([2, 'error: plan set: --api-access is given 2 times ("true", "false"); give it once']);
    expect((await cli('user', 'create', '--email', 'x@example.com', '--password', 'correct horse battery', '--admin', '--admin')).stderr.split('\n')[0]).toBe('error: user create: --admin is given 2 times; give it once');
    expect(await withServices((s) => s.plans.getByName('pro'))).toMatchObject({ rateLimitPerMinute: 1000, apiAccess: true });
    await withServices((s) => s.plans.update('pro', before));
  });

  test('changes limits and prints the resulting plan', async () => {
    const r = await cli('plan', 'set', 'free', '--rate-limit', '30', '--max-links', 'unlimited', '--api-access', 'true', '--qr-colors', 'true');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('plan free');
    expect(r.stdout).toContain('unlimited');
    const plan = await withServices((s) => s.plans.getByName('free'));
    expect(plan).toMatchObject({ rateLimitPerMinute: 30, maxLinks: null, apiAccess: true, qrColors: true, customAlias: false });
    expect((await cli('plan', 'set', 'free', '--max-links', '100')).code).toBe(0);
    expect((await withServices((s) => s.plans.getByName('free'))).maxLinks).toBe(100);
  });

  test('rejects junk values with exit 2 and changes nothing', async () => {
    for (const args of [
      ['--rate-limit', 'abc'],
      ['--rate-limit', '1.5'],
      ['--max-links', 'lots'],
      ['--api-access', 'yes'],
      [],
    ]) {
      const r = await cli('plan', 'set', 'free', ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('Usage: shrinkray');
    }
    expect((await cli('plan', 'set', '--rate-limit', '5')).code).toBe(2);
    expect((await withServices((s) => s.plans.getByName('free'))).rateLimitPerMinute).toBe(30);
  });

  test('an unknown plan or an out-of-range number is exit 1', async () => {
    const unknown = await cli('plan', 'set', 'platinum', '--rate-limit', '5');
    expect([unknown.code, unknown.stderr]).toEqual([1, 'error: Plan "platinum" does not exist (plans: free, pro, enterprise).']);
    expect((await cli('plan', 'set', 'free', '--rate-limit', '0')).code).toBe(1);
    // a negative number is a value, judged as one (parseArgs took it for an option: "argument is ambiguous")
    const negative = await cli('plan', 'set', 'free', '--rate-limit', '-5');
    expect([negative.code, negative.stderr.split('\n')[0]]).toEqual([2, 'error: plan set: --rate-limit must be a whole number, got "-5"']);
  });

  test('a command group without its command, or with a misspelt one, names the commands it has', async () => {
    for (const [args, message] of [
      [['user'], 'error: user: which one? user create, user password, user transfer'],
      [['user', '--email', 'a@b.c'], 'error: user: which one? user create, user password, user transfer'],
      [['key', 'make'], 'error: key: unknown command "make"; key create, key list, key revoke'],
      [['plan', 'sett', 'free'], 'error: plan: unknown command "sett"; plan set'],
    ] as const) {
      const r = await cli(...args);
      expect([args.join(' '), r.code, r.stderr.split('\n')[0]]).toEqual([args.join(' '), 2, message]);
    }
  });
});

describe('backup', () => {
  test('writes a readable copy and refuses to overwrite it', async () => {
    const file = join(dir, 'backups', 'one.db');
    // a folder that is not there is a mistyped path, not one to make (the copy would land on the wrong disk)
    const missing = await cli('backup', file);
    expect([missing.code, missing.stderr.includes(`no folder ${join(dir, 'backups')}`), existsSync(join(dir, 'backups'))]).toEqual([1, true, false]);
    mkdirSync(join(dir, 'backups'));
    const r = await cli('backup', file);
    expect(r.code).toBe(0);
    const copy = new Database(file, { readonly: true });
    try {
      const users = (await withServices((s) => s.users.list())).length;
      expect(users).toBeGreaterThanOrEqual(3);
      expect(copy.query<{ n: number }, []>('SELECT count(*) AS n FROM users').get()!.n).toBe(users);
    } finally {
      copy.close();
    }
    const again = await cli('backup', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    // password hashes and the visitor-hash secret: the database and its backups are owner-only
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect((statSync(join(config.dataDir, 'shrinkray.db')).mode & 0o777).toString(8)).toBe('600');
  });

  test('run where there is no database, commands about a user say where they looked and leave nothing behind; user create and plan set say they began one', async () => {
    const elsewhere = join(dir, 'wrong-folder', 'data');
    const config = loadConfig({ DATA_DIR: elsewhere });
    for (const args of [['key', 'create', '--email', 'me@example.com'], ['user', 'password', '--email', 'me@example.com'], ['user', 'transfer', '--from', 'me@example.com', '--to', 'you@example.com'], ['restore', join(dir, 'no-such-backup.db')]]) {
      const err: string[] = [];
      expect([args[0], await runCli(args, config, { out: () => {}, err: (l) => err.push(l) })]).toEqual([args[0], 1]);
      expect([args[0], err.join()]).toEqual([args[0], expect.stringMatching(args[0] === 'restore' ? /no file at / : /no database at .*DATA_DIR/)]);
      expect([args[0], existsSync(join(dir, 'wrong-folder'))]).toEqual([args[0], false]);
    }
    for (const [args, code] of [
      [['plan', 'set', 'pro', '--max-links', '5'], 0],
      [['user', 'create', '--email', 'me@example.com', '--password', 'a long passphrase'], 0],
      // failed, but the database stays: said all the same
      [['user', 'create', '--email', 'not-an-email', '--password', 'a long passphrase'], 1],
    ] as const) {
      const err: string[] = [];
      expect([args[1], await runCli([...args], config, { out: () => {}, err: (l) => err.push(l) })]).toEqual([args[1], code]);
      expect([args[1], err.join('\n').includes(`Created a new database at ${join(elsewhere, 'shrinkray.db')}`)]).toEqual([args[1], true]);
      rmSync(join(dir, 'wrong-folder'), { recursive: true, force: true });
    }
    expect(await runCli(['user', 'create', '--email', 'me@example.com', '--password', 'a long passphrase'], config, { out: () => {}, err: () => {} })).toBe(0);
    const again: string[] = [];
    expect(await runCli(['key', 'create', '--email', 'me@example.com'], config, { out: (l) => again.push(l), err: (l) => again.push(l) })).toBe(0);
    expect(again.join('\n')).not.toContain('Created a new database');
  });

  test('with no database there is nothing to back up (exit 1, nothing created)', async () => {
    const empty = loadConfig({ DATA_DIR: join(dir, 'nothing-here') });
    const err: string[] = [];
    expect(await runCli(['backup', join(dir, 'x.db')], empty, { out: () => {}, err: (l) => err.push(l) })).toBe(1);
    expect(err.join()).toContain('no database');
  });

  test('a user who may not read the data folder is told so, not that there is no database', async () => {
    const args = [process.execPath, join(ROOT, 'src/main.ts'), 'backup', join(tmpdir(), `unreadable-${process.pid}.db`)];
    const asRoot = process.getuid?.() === 0;
    // root reads everything: the backup job is run as nobody; anyone else is locked out of the folder
    const cmd = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...args] : args;
    if (!asRoot) chmodSync(config.dataDir, 0);
    try {
      const r = await runProcess(cmd, { cwd: tmpdir(), env: cleanEnv({ DATA_DIR: config.dataDir }) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot read ${join(config.dataDir, 'shrinkray.db')}: permission denied`);
      expect(r.stderr).not.toContain('no database');
    } finally {
      if (!asRoot) chmodSync(config.dataDir, 0o700);
    }
  });

  test('a backup that fails part-way leaves no file behind, so a retry can use the same name', async () => {
    const broken = join(dir, 'broken');
    mkdirSync(broken);
    const db = new Database(join(broken, 'shrinkray.db'), { create: true });
    db.exec('CREATE TABLE t (x TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 200; i++) insert.run('x'.repeat(500));
    db.close();
    // the header stays readable (the database opens), a table page in the middle is garbage
    const fd = openSync(join(broken, 'shrinkray.db'), 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096 * 3);
    closeSync(fd);
    const target = join(dir, 'broken-backup.db');
    const err: string[] = [];
    expect(await runCli(['backup', target], loadConfig({ DATA_DIR: broken }), { out: () => {}, err: (l) => err.push(l) })).toBe(1);
    expect(err.join()).toContain('malformed');
    expect(existsSync(target)).toBe(false);
    expect(existsSync(`${target}.partial`)).toBe(false);
  });

  test('the file is written under another name and renamed when complete: what an interrupted backup leaves does not block the name', async () => {
    const file = join(dir, 'backups', 'interrupted.db');
    // as a backup killed by a signal mid-way leaves it
    await Bun.write(`${file}.partial`, 'half a database');
    expect(await cli('backup', file)).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(`${file}.partial`)).toBe(false);
    const copy = new Database(file, { readonly: true });
    try {
      expect(copy.query<{ integrity_check: string }, []>('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
      expect(copy.query<{ n: number }, []>('SELECT count(*) AS n FROM users').get()!.n).toBeGreaterThan(0);
    } finally {
      copy.close();
    }
  });

  test('needs exactly one FILE', async () => {
    expect((await cli('backup')).code).toBe(2);
    expect((await cli('backup', 'a.db', 'b.db')).code).toBe(2);
  });
});

describe('restore', () => {
  const countLinks = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return db.query<{ n: number }, []>('SELECT count(*) AS n FROM links').get()!.n;
    } finally {
      db.close();
    }
  };
  const withLinks = async (dataDir: string, n: number) => {
    const seeded = await runProcess([process.execPath, join(ROOT, 'test/helpers/seed-links.ts'), dataDir, String(n)], { cwd: dir, env: cleanEnv({}) });
    expect(seeded).toMatchObject({ code: 0, stderr: '' });
  };
  const restoreInto = (dataDir: string, file: string) => {
    const out: string[] = [];
    const err: string[] = [];
    return runCli(['restore', file], loadConfig({ DATA_DIR: dataDir }), { out: (l) => out.push(l), err: (l) => err.push(l) }).then((code) => ({ code, stdout: out.join('\n'), stderr: err.join('\n') }));
  };

  test('puts a backup in place even with the old database\'s -wal left beside it, and keeps the old one', async () => {
    const data = join(dir, 'restore-data');
    await withLinks(data, 3);
    const backupFile = join(dir, 'restore-3.db');
    expect((await runCli(['backup', backupFile], loadConfig({ DATA_DIR: data }), { out: () => {}, err: () => {} }))).toBe(0);
    await withLinks(data, 4); // 7 links now
    // the -wal and -shm a killed server leaves: copied over by hand, the backup would come up "malformed"
    const holder = new Database(join(data, 'shrinkray.db'));
    holder.exec('PRAGMA wal_autocheckpoint = 0');
    holder.exec("UPDATE links SET title = 'only in the wal'");
    const leftovers = ['-wal', '-shm'].map((side) => [side, readFileSync(join(data, 'shrinkray.db' + side))] as const);
    holder.close();
    for (const [side, bytes] of leftovers) writeFileSync(join(data, 'shrinkray.db' + side), bytes);
    const r = await restoreInto(data, backupFile);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Restored');
    expect(countLinks(join(data, 'shrinkray.db'))).toBe(3);
    const kept = /kept as (\S+)/.exec(r.stdout)![1]!;
    expect(countLinks(kept)).toBe(7);
    expect(['-wal', '-shm'].filter((side) => existsSync(join(data, 'shrinkray.db' + side)))).toEqual([]);
    expect((statSync(join(data, 'shrinkray.db')).mode & 0o777).toString(8)).toBe('600');

    // the restored database serves: a server starts on it and the backup's links are there
    const server = await startServer([process.execPath, join(ROOT, 'src/main.ts'), 'serve', '--port', '0', '--data-dir', data], { cwd: dir, env: cleanEnv({ LOG_LEVEL: 'warn' }) });
    servers.push(server);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    // refused while it runs, and nothing is touched
    const busy = await main(['restore', backupFile, '--data-dir', data]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain('stop it before restoring');
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(countLinks(join(data, 'shrinkray.db'))).toBe(3);
  });

  test('a file that is not a sound shrinkray database is refused and the current database stays', async () => {
    const data = join(dir, 'restore-refused');
    await withLinks(data, 2);
    const junk = join(dir, 'junk.db');
    await Bun.write(junk, 'not a database at all, just some text '.repeat(200));
    const other = join(dir, 'other-app.db');
    const db = new Database(other, { create: true });
    db.exec('CREATE TABLE notes (x TEXT)');
    db.close();
    for (const [file, message] of [[junk, `cannot read ${junk} as a database: file is not a database`], [other, 'not a shrinkray database'], [join(dir, 'missing.db'), 'no file at']] as const) {
      const r = await restoreInto(data, file);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(message);
    }
    const newer = join(dir, 'newer.db');
    expect(await runCli(['backup', newer], loadConfig({ DATA_DIR: data }), { out: () => {}, err: () => {} })).toBe(0);
    const n = new Database(newer);
    n.exec("INSERT INTO _migrations (tag, applied_at) VALUES ('9999_from_the_future', 0)");
    n.close();
    const r = await restoreInto(data, newer);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('newer shrinkray');
    expect(countLinks(join(data, 'shrinkray.db'))).toBe(2);
    expect(readdirSync(data).filter((f) => f.includes('restor'))).toEqual([]);
  });

  test('into an empty DATA_DIR it needs nothing to replace', async () => {
    const source = join(dir, 'restore-source');
    await withLinks(source, 1);
    const file = join(dir, 'restore-1.db');
    expect(await runCli(['backup', file], loadConfig({ DATA_DIR: source }), { out: () => {}, err: () => {} })).toBe(0);
    const r = await restoreInto(join(dir, 'restore-fresh'), file);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('kept as');
    expect(countLinks(join(dir, 'restore-fresh', 'shrinkray.db'))).toBe(1);
  });
});

describe('schema versions', () => {
  const seeded = async (name: string) => {
    const dataDir = join(dir, name);
    const conf = loadConfig({ DATA_DIR: dataDir, OG_FETCH: 'false', LOG_LEVEL: 'silent' });
    expect(await runCli(['user', 'create', '--email', `${name}@example.com`, '--password', 'correct horse battery'], conf, { out: () => {}, err: () => {} })).toBe(0);
    return conf;
  };
  const run = async (conf: Config, ...args: string[]) => {
    const err: string[] = [];
    const code = await runCli(args, conf, { out: () => {}, err: (l) => err.push(l) });
    return { code, stderr: err.join('\n') };
  };
  const tags = (conf: Config) => {
    const db = new Database(join(conf.dataDir, 'shrinkray.db'), { readonly: true });
    try {
      return db.query<{ tag: string }, []>('SELECT tag FROM _migrations ORDER BY tag').all().map((r) => r.tag);
    } finally {
      db.close();
    }
  };

  test('a command does not migrate the database under a running server (its statements are for the old schema)', async () => {
    const conf = await seeded('older');
    const all = tags(conf);
    // as a database of the version before the last migration: that migration is pending
    const db = new Database(join(conf.dataDir, 'shrinkray.db'));
    db.query('DELETE FROM _migrations WHERE tag = ?').run(all.at(-1)!);
    db.close();
    const server = lockDataDir(conf.dataDir);
    try {
      const r = await run(conf, 'key', 'create', '--email', 'older@example.com');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('needs updating for this version while a shrinkray server is using it');
      expect(tags(conf)).toEqual(all.slice(0, -1));
    } finally {
      server.release();
    }
  });

  test('a database an older server has open (from before the DATA_DIR lock, it takes none) is not migrated or restored under it; once it is closed, it is', async () => {
    const conf = loadConfig({ DATA_DIR: join(dir, 'lockless'), OG_FETCH: 'false', LOG_LEVEL: 'silent' });
    // the schema of a release that had migrations 0000 and 0001 only, with a link in it
    const old = openConnection(conf.dataDir);
    for (const tag of ['0000_init', '0001_rollups_by_value']) {
      for (const statement of EMBEDDED_MIGRATIONS[tag]!.split('--> statement-breakpoint')) if (statement.trim()) old.exec(statement);
    }
    old.exec('CREATE TABLE _migrations (tag TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
    old.exec("INSERT INTO _migrations VALUES ('0000_init', 0), ('0001_rollups_by_value', 0)");
    old.exec("INSERT INTO links (code, destination) VALUES ('kept', 'https://example.com/kept')");
    const backup = join(dir, 'lockless-backup.db');
    expect((await run(conf, 'backup', backup)).code).toBe(0);
    // that server, running: its connection open and idle
    old.query('SELECT count(*) FROM links').get();
    try {
      const cmd = await run(conf, 'user', 'create', '--email', 'up@example.com', '--password', 'correct horse battery');
      expect(cmd.code).toBe(1);
      expect(cmd.stderr).toContain('cannot update the database for this version while another program has');
      const served = await main(['serve', '--port', '0', '--data-dir', conf.dataDir], { LOG_LEVEL: 'silent' });
      expect(served.code).toBe(1);
      expect(served.stderr).toContain('while another program has');
      const restored = await run(conf, 'restore', backup);
      expect(restored.code).toBe(1);
      expect(restored.stderr).toContain('cannot restore while another program has');
      expect(tags(conf)).toEqual(['0000_init', '0001_rollups_by_value']);
      expect(old.query('SELECT code FROM links').all()).toEqual([{ code: 'kept' }]);
    } finally {
      old.close();
    }
    expect((await run(conf, 'user', 'create', '--email', 'up@example.com', '--password', 'correct horse battery')).code).toBe(0);
    expect(tags(conf)).toEqual(Object.keys(EMBEDDED_MIGRATIONS).sort());
  });

  test('a database migrated by a newer version is refused by every command and by serve, unchanged', async () => {
    const conf = await seeded('newer');
    const db = new Database(join(conf.dataDir, 'shrinkray.db'));
    db.exec("INSERT INTO _migrations (tag, applied_at) VALUES ('9999_from_the_future', 0)");
    db.close();
    const r = await run(conf, 'user', 'create', '--email', 'late@example.com', '--password', 'correct horse battery');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('was made by a newer shrinkray (migration 9999_from_the_future)');
    const served = await main(['serve', '--port', '0', '--data-dir', conf.dataDir], { LOG_LEVEL: 'silent' });
    expect(served.code).toBe(1);
    expect(served.stderr).toContain('newer shrinkray');
  });
});

describe('main.ts', () => {
  test('an unknown command prints the usage and exits 2', async () => {
    const r = await main(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
    expect(r.stderr).toContain('Usage: shrinkray');
  });

  test('--version and version print the version; a lone unknown option is named as one', async () => {
    for (const args of [['--version'], ['version']]) {
      const r = await main(args);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toMatch(/^shrinkray \d+\.\d+\.\d+$/);
    }
    const r = await main(['--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option "--frobnicate"');
  });

  test('a bare --data-dir is a configuration error (exit 2), not a folder named "true"', async () => {
    const r = await main(['user', 'create', '--email', 'bare@example.com', '--password', 'pw123456', '--data-dir']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--data-dir needs a value');
    expect(existsSync(join(dir, 'true'))).toBe(false);
  });

  test('help goes to stdout with exit 0', async () => {
    for (const args of [['help'], ['--help'], ['user', 'create', '--help']]) {
      const r = await main(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage: shrinkray');
    }
  });

  test('help and version answer whatever the configuration; a bare switch given a word that is not a command says what it expects', async () => {
    for (const args of [['--help'], ['help'], ['version'], ['version', '--port', 'abc']]) {
      const r = await main(args, { PORT: 'eighty' });
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 0]);
    }
    const r = await main(['--trust-proxy', 'maybe'], {});
    expect([r.code, r.stderr.trim()]).toEqual([2, 'error: TRUST_PROXY must be true or false, got "maybe"']);
  });

  test('an invalid configuration value exits 2 with the config message', async () => {
    const r = await main(['user', 'create', '--email', 'z@example.com', '--password', 'pw123456'], { PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PORT must be');
  });

  test('a flag beats the environment variable of the same name', async () => {
    // the environment points at another folder and at an impossible port: only the flags can make this work
    const elsewhere = join(dir, 'elsewhere');
    const made = await main(['user', 'create', '--email', 'flag@example.com', '--password', 'pw123456', '--data-dir', elsewhere], { DATA_DIR: join(dir, 'data') });
    expect(made.code).toBe(0);
    const db = new Database(join(elsewhere, 'shrinkray.db'), { readonly: true });
    try {
      expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM users WHERE email = 'flag@example.com'").get()!.n).toBe(1);
    } finally {
      db.close();
    }

    const server = await startServer([process.execPath, join(ROOT, 'src/main.ts'), 'serve', '--port', '0', '--data-dir', elsewhere], {
      cwd: dir,
      env: cleanEnv({ PORT: '99999', DATA_DIR: join(dir, 'data') }),
    });
    servers.push(server);
    expect(server.port).toBeGreaterThan(0);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    // elsewhere had only a member made with the CLI: with no admin to run the dashboard, the first start makes one
    expect(server.output()).toContain('administrator account was created');
    expect(await server.stop('SIGTERM')).toBe(0);
  });

  test('a second server on the same DATA_DIR is refused (its redirect cache would go stale); after the first stops it starts', async () => {
    const shared = join(dir, 'shared');
    const first = await startServer([process.execPath, join(ROOT, 'src/main.ts'), 'serve', '--port', '0', '--data-dir', shared], { cwd: dir, env: cleanEnv({ LOG_LEVEL: 'warn' }) });
    servers.push(first);
    const second = await main(['serve', '--port', '0', '--data-dir', shared], { LOG_LEVEL: 'silent' });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`another shrinkray server is using ${shared}`);
    expect((await fetch(`${first.base}/healthz`)).status).toBe(200);
    expect(await first.stop('SIGTERM')).toBe(0);
    const again = await startServer([process.execPath, join(ROOT, 'src/main.ts'), 'serve', '--port', '0', '--data-dir', shared], { cwd: dir, env: cleanEnv({ LOG_LEVEL: 'warn' }) });
    servers.push(again);
    expect(await again.stop('SIGTERM')).toBe(0);
  });

  test('an address this machine does not have is named in the startup error, exit 1', async () => {
    for (const host of ['192.0.2.1', 'nonexistent.invalid']) {
      const r = await main(['serve', '--port', '0', '--host', host], { LOG_LEVEL: 'silent' });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`HOST=${host} is an address of this machine`);
    }
  });

  test('a taken port is a clear startup error, exit 1', async () => {
    const blocker = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') });
    try {
      const r = await main(['serve', '--port', String(blocker.port)], { LOG_LEVEL: 'silent' });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('cannot start');
    } finally {
      blocker.stop(true);
    }
  });
});
