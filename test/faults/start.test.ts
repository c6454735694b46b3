/**
 * Starting wrong, as an operator can: the compiled binary in an empty folder,
 * started together with a command or another start, on a data folder that is
 * not what it should be. What is checked is what the operator sees (exit
 * code, message, the credentials box) and the data folder afterwards.
 *
 * Two programs that meet at the start are made to meet deterministically: the
 * test holds the locks a program of this version holds at that step
 * (server-lock.ts), brings the database up to date as that program would,
 * then lets go.
 */
import { Database } from 'bun:sqlite';
import { afterAll, describe, expect, test } from 'bun:test';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli.ts';
import { loadConfig } from '../../src/config.ts';
import { openAlone } from '../../src/db/connection.ts';
import { EMBEDDED_MIGRATIONS, migrate } from '../../src/db/migrate.ts';
import { lockDataDir, lockStart } from '../../src/db/server-lock.ts';
import { cleanEnv, ensureBinary, runProcess } from '../helpers/binary.ts';

const root = mkdtempSync(join(tmpdir(), 'shrinkray-start-'));
const bin = join(root, 'shrinkray');
copyFileSync(ensureBinary(), bin);
const children: Bun.Subprocess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function folder(name: string): { dir: string; data: string; env: Record<string, string> } {
  const dir = join(root, name);
  mkdirSync(dir);
  return { dir, data: join(dir, 'data'), env: cleanEnv({ PORT: '0', LOG_LEVEL: 'warn' }) };
}

/** A child whose output is collected, for the cases that must not end while a lock is held. */
function spawn(args: string[], cwd: string, env: Record<string, string>) {
  const proc = Bun.spawn([bin, ...args], { cwd, env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
  children.push(proc);
  let out = '';
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) out += new TextDecoder().decode(chunk);
  };
  const read = Promise.all([pump(proc.stdout), pump(proc.stderr)]);
  return {
    proc,
    output: () => out,
    /** whether it ended within ms (it must not, while it waits for the test's lock) */
    endsWithin: (ms: number) => Promise.race([proc.exited.then(() => true), Bun.sleep(ms).then(() => false)]),
    done: async () => ({ code: await proc.exited, output: (await read, out) }),
    until: async (pattern: RegExp, ms: number) => {
      const until = Date.now() + ms;
      while (!pattern.test(out) && proc.exitCode === null && Date.now() < until) await Bun.sleep(20);
      return pattern.test(out);
    },
  };
}

/** What a program of this version does while it holds the start lock: the migrations, alone. */
function migrateAsAPeer(data: string): void {
  const alone = openAlone(data, 'migrate');
  try {
    migrate(alone);
  } finally {
    alone.close();
  }
}

function inspect(data: string) {
  const db = new Database(join(data, 'shrinkray.db'), { readonly: true });
  try {
    return {
      integrity: db.query<{ integrity_check: string }, []>('PRAGMA integrity_check').all().map((r) => r.integrity_check).join(),
      migrations: db.query<{ n: number }, []>('SELECT count(*) AS n FROM _migrations').get()!.n,
      users: db.query<{ email: string; role: string }, []>('SELECT email, role FROM users ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}

const ALL = Object.keys(EMBEDDED_MIGRATIONS).length;
const PASSWORD = 'correct horse battery';

describe('two programs starting together on an empty folder', () => {
  test('a command started while a server is bringing the new database up waits for it, then runs beside it', async () => {
    const { dir, data, env } = folder('server-first');
    // the server: it holds the start lock and the DATA_DIR lock, and is about to migrate
    const start = await lockStart(data);
    const server = lockDataDir(data);
    try {
      const cmd = spawn(['user', 'create', '--email', 'ann@example.com', '--password', PASSWORD], dir, env);
      // before: "needs updating for this version while a shrinkray server is using it" at once
      expect(await cmd.endsWithin(1500)).toBe(false);
      migrateAsAPeer(data);
      start.release();
      const r = await cmd.done();
      expect(r.output).toContain('Created user ann@example.com');
      expect(r.code).toBe(0);
      expect(inspect(data)).toEqual({ integrity: 'ok', migrations: ALL, users: [{ email: 'ann@example.com', role: 'member' }] });
    } finally {
      server.release();
    }
  }, 30_000);

  test('a server started while a command is bringing the new database up waits for it, then starts once, with one admin', async () => {
    const { dir, data, env } = folder('command-first');
    // the command: while it migrates it holds the start lock and the DATA_DIR lock
    const start = await lockStart(data);
    const command = lockDataDir(data);
    const serve = spawn(['serve'], dir, env);
    try {
      // before: "another shrinkray server is using ./data" and exit 1 at once
      expect(await serve.endsWithin(1500)).toBe(false);
      migrateAsAPeer(data);
    } finally {
      command.release();
      start.release();
    }
    expect(await serve.until(/shrinkray listening on/, 15_000)).toBe(true);
    expect(serve.output().match(/First start: an administrator account was created/g)).toHaveLength(1);
    serve.proc.kill('SIGTERM');
    const r = await serve.done();
    expect(r.code).toBe(0);
    expect(inspect(data)).toEqual({ integrity: 'ok', migrations: ALL, users: [{ email: 'admin@localhost.localdomain', role: 'admin' }] });
  }, 30_000);
});

describe('a data folder that is not what it should be', () => {
  test('a lock file that is not a lock (a stray copy, damaged on disk) does not stop every start', async () => {
    const { dir, data, env } = folder('garbage-lock');
    mkdirSync(data);
    writeFileSync(join(data, 'shrinkray.lock'), 'this is not a lock file, just some bytes left here\n'.repeat(4));
    const serve = spawn(['serve'], dir, env);
    // before: "error: cannot start: file is not a database", exit 1, at every start
    expect(await serve.until(/shrinkray listening on/, 15_000)).toBe(true);
    // and it is a lock: a second server is refused
    const second = await runProcess([bin, 'serve'], { cwd: dir, env });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('another shrinkray server is using ./data');
    serve.proc.kill('SIGTERM');
    expect((await serve.done()).code).toBe(0);
    expect(inspect(data).integrity).toBe('ok');
  }, 30_000);

  test('a DATA_DIR that is a file is named as such, for serve and for a command', async () => {
    const { dir, env } = folder('file-not-folder');
    writeFileSync(join(dir, 'data'), 'notes\n');
    writeFileSync(join(dir, 'backup.db'), '');
    for (const args of [['serve'], ['user', 'create', '--email', 'ann@example.com', '--password', PASSWORD], ['restore', 'backup.db']]) {
      const r = await runProcess([bin, ...args], { cwd: dir, env });
      expect(r.code).toBe(1);
      // before: "EEXIST: file already exists, mkdir './data'"
      expect(r.stderr).toContain('DATA_DIR ./data is not a folder');
    }
    expect(readFileSync(join(dir, 'data'), 'utf8')).toBe('notes\n');
  }, 30_000);

  test('a database file that is not SQLite is named, left as it is, and can be replaced with restore', async () => {
    const { dir, data, env } = folder('not-sqlite');
    mkdirSync(data);
    const junk = 'PK\u0003\u0004 an archive, say, copied over the database by mistake '.repeat(20);
    writeFileSync(join(data, 'shrinkray.db'), junk);
    for (const args of [['serve'], ['key', 'create', '--email', 'ann@example.com']]) {
      const r = await runProcess([bin, ...args], { cwd: dir, env });
      expect(r.code).toBe(1);
      // before: "file is not a database", naming no file
      expect(r.stderr).toContain('data/shrinkray.db is not a SQLite database');
      expect(r.stderr).toContain('shrinkray restore FILE');
    }
    expect(readFileSync(join(data, 'shrinkray.db'), 'latin1')).toBe(Buffer.from(junk).toString('latin1'));
    // the way out the message gives: a backup made elsewhere, restored over it (before: "file is not a database")
    const other = folder('not-sqlite-backup');
    expect((await runProcess([bin, 'user', 'create', '--email', 'ann@example.com', '--password', PASSWORD], { cwd: other.dir, env })).code).toBe(0);
    expect((await runProcess([bin, 'backup', join(root, 'ann.db')], { cwd: other.dir, env })).code).toBe(0);
    const restored = await runProcess([bin, 'restore', join(root, 'ann.db')], { cwd: dir, env });
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('The database it replaced is kept as');
    expect(inspect(data)).toMatchObject({ integrity: 'ok', users: [{ email: 'ann@example.com', role: 'member' }] });
    expect((await runProcess([bin, 'key', 'create', '--email', 'ann@example.com'], { cwd: dir, env })).code).toBe(0);
  }, 30_000);
});

describe('healthcheck', () => {
  test('another program answering on the port is not taken for a healthy server', async () => {
    const other = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('<html>it works</html>', { headers: { 'content-type': 'text/html' } }) });
    try {
      const err: string[] = [];
      const config = loadConfig({ PORT: String(other.port), HOST: '127.0.0.1', DATA_DIR: join(root, 'unused') });
      const code = await runCli(['healthcheck'], config, { out: () => {}, err: (l) => err.push(l) });
      // before: exit 0
      expect(code).toBe(1);
      expect(err.join('\n')).toContain(`answered 200, but not as shrinkray does: is another program using port ${other.port}?`);
      expect(existsSync(join(root, 'unused'))).toBe(false);
    } finally {
      other.stop(true);
    }
  });
});
