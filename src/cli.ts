/**
 * The command line, over the same services the server uses (buildServices),
 * so a user or key made here is exactly what the dashboard would make.
 *
 * Nothing here touches process state: output goes through the given Io and
 * every command returns its exit code, which lets tests run the CLI
 * in-process and leaves signals and process.exit to main.ts.
 * Exit codes: 0 done, 1 the command failed (one line on stderr), 2 usage.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ApiKey, Plan } from './accounts/accounts.types.ts';
import { generatePassword } from './accounts/secrets.ts';
import { parseCommand, USAGE, UsageError, type Command } from './command-line.ts';
import type { Config } from './config.ts';
import pkg from '../package.json' with { type: 'json' };
import { backupDatabase, mustExist, restoreDatabase } from './db/backup.ts';
import { CHECKPOINT_PAGES, DB_FILE, openMigrated, type DbHandle } from './db/client.ts';
import { explainOpenFailure } from './db/connection.ts';
import { DataDirBusy, lockDataDir, lockStart, type ServerLock } from './db/server-lock.ts';
import { isDomainError } from './errors.ts';
import { listen, type Listening } from './listen.ts';
import { buildServices, type Services } from './services.ts';

export { parseCommand, USAGE, UsageError, type Command } from './command-line.ts';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

/** Runs a one-shot command (everything but serve) and returns its exit code. */
export async function runCommand(command: Exclude<Command, { name: 'serve' }>, config: Config, io: Io): Promise<number> {
  try {
    switch (command.name) {
      case 'help':
        io.out(USAGE);
        return 0;
      case 'healthcheck':
        return await healthcheck(config, io);
      case 'version':
        io.out(`shrinkray ${pkg.version}`);
        return 0;
      case 'backup': {
        const { source, target } = backupDatabase(config.dataDir, command.file);
        io.out(`Backed up ${source} to ${target}.`);
        return 0;
      }
      case 'restore': {
        // before the data folder is made for the start lock: a mistyped file name leaves nothing behind
        mustExist(resolve(command.file), `no file at ${resolve(command.file)}`);
        // after a server or a command that is updating the database, not refused as if it were a server
        const start = await opening(config.dataDir, () => lockStart(config.dataDir));
        let restored: ReturnType<typeof restoreDatabase>;
        try {
          restored = restoreDatabase(config.dataDir, command.file);
        } finally {
          start.release();
        }
        const { source, target, kept } = restored;
        io.out(`Restored ${source} to ${target}.`);
        if (kept) io.out(`The database it replaced is kept as ${kept} (delete it once the restore is checked).`);
        return 0;
      }
      default: {
        // a command about an existing user cannot succeed on a new database: run from the wrong folder, it would
        // leave an empty one there. user create and plan set may begin one (provisioning before the first start),
        // and say where, so that one run from the wrong folder is noticed
        const database = join(resolve(config.dataDir), DB_FILE);
        const existed = existsSync(database);
        if (!existed && (command.name.startsWith('key-') || command.name === 'user-password' || command.name === 'user-transfer')) {
          mustExist(database, `no database at ${database}: run the command in the server's folder, or set DATA_DIR (or --data-dir) to its data folder`);
        }
        try {
          return await withServices(config, (services) => runServiceCommand(command, services, io));
        } finally {
          // said whether the command then succeeded or not (a failed one from the wrong folder leaves it too);
          // on stderr, so that what scripts read from stdout stays as it was
          if (!existed && existsSync(database)) io.err(`Created a new database at ${database} (a server started with this data folder will use it).`);
        }
      }
    }
  } catch (e) {
    io.err(`error: ${isDomainError(e) ? e.message : (e as Error)?.message ?? String(e)}`);
    return 1;
  }
}

/** Parses and runs any command line except serve; the in-process entry for tests. */
export async function runCli(args: string[], config: Config, io: Io): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`error: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.name === 'serve') throw new Error('runCli does not serve; use startServer');
  return runCommand(command, config, io);
}

/**
 * A command runs beside a running server by design, but must not migrate
 * the database under it: that server's statements were prepared for the old
 * schema (it would answer 500s and lose clicks). The command opens the
 * database holding the start lock (server-lock.ts), so it waits for a server
 * or another command of this version that is updating it; with migrations
 * still pending it takes the DATA_DIR lock too while it applies them, which
 * it finds taken only by a server of an older version (one of this version
 * holds the start lock until it is done). A server of a version from before
 * the lock takes none, and the migrations' own connection refuses to share
 * the file with it (openMigrated). Both locks are let go once the database is
 * open: a server may start while the command runs.
 */
async function withServices(config: Config, fn: (services: Services) => Promise<number>): Promise<number> {
  let lock: ServerLock | null = null;
  const takeLock = () => {
    try {
      lock = lockDataDir(config.dataDir);
    } catch (e) {
      if (!(e instanceof DataDirBusy)) throw e;
      throw new Error(`the database in ${config.dataDir} needs updating for this version while a shrinkray server is using it; stop the server (or restart it with this version) and run the command again`);
    }
  };
  let handle: DbHandle;
  const start = await opening(config.dataDir, () => lockStart(config.dataDir));
  try {
    handle = await opening(config.dataDir, () => openMigrated(config.dataDir, {}, takeLock));
  } finally {
    (lock as ServerLock | null)?.release();
    start.release();
  }
  try {
    return await fn(await opening(config.dataDir, () => buildServices(config, handle)));
  } finally {
    handle.close();
  }
}

/** Runs a step that opens the data folder, its failure told in words an operator can act on. */
async function opening<T>(dataDir: string, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    throw explainOpenFailure(e, dataDir);
  }
}

async function runServiceCommand(command: Extract<Command, { name: 'user-create' | 'user-password' | 'user-transfer' | 'key-create' | 'key-list' | 'key-revoke' | 'plan-set' }>, services: Services, io: Io): Promise<number> {
  switch (command.name) {
    case 'user-create': {
      const role = command.admin ? 'admin' : 'member';
      // without --password, one is generated and shown once, as at first start: a password typed on the
      // command line stays in the shell's history and shows in the process list while the command runs
      const generated = command.password === undefined ? generatePassword() : null;
      const user = await services.users.create({ email: command.email, password: command.password ?? generated!, plan: command.plan, role, mustChangePassword: generated !== null });
      const plan = await services.plans.get(user.planId);
      io.out(`Created user ${user.email} (id ${user.id}, role ${user.role}, plan ${plan.name}).`);
      if (generated !== null) {
        io.out('Their password (they choose their own at the first sign-in). It is shown only this once:');
        io.out(generated);
      }
      return 0;
    }
    case 'user-password': {
      // the way back in for an admin who lost the password printed at first start
      const user = await services.users.getByEmail(command.email);
      const generated = command.password === undefined ? (await services.users.resetPassword(user.id)).password : null;
      if (command.password !== undefined) await services.users.setPassword(user.id, command.password);
      await services.sessions.endAllFor(user.id);
      if (!user.isActive) io.out(`Note: ${user.email} is deactivated; an admin can reactivate the account under Users.`);
      if (generated === null) {
        io.out(`Set the password of ${user.email} and signed them out everywhere.`);
        return 0;
      }
      io.out(`New password for ${user.email} (signed out everywhere; they choose their own at the next sign-in). It is shown only this once:`);
      io.out(generated);
      return 0;
    }
    case 'user-transfer': {
      // the operator's own command, as user password: no admin account acts, so none is checked
      const [from, to] = [await services.users.getByEmail(command.from), await services.users.getByEmail(command.to)];
      const done = await services.transfers.transfer(from.id, to.id);
      const { links, deletedLinks, qrCodes } = done.moved;
      const deleted = deletedLinks > 0 ? ` (${deletedLinks} of them deleted)` : '';
      io.out(`Transferred ${plural(links + deletedLinks, 'link')}${deleted} and ${plural(qrCodes, 'QR code')} from ${done.from.email} to ${done.to.email}; ${done.from.email} keeps their API keys.`);
      if (done.usage.over > 0) {
        io.out(`Note: ${done.to.email} is now ${done.usage.over} over the link limit of their plan (${done.toPlan.name}, ${plural(done.usage.limit ?? 0, 'link')}): new links are refused until they delete some.`);
      }
      return 0;
    }
    case 'key-create': {
      const user = await services.users.getByEmail(command.email);
      const { key, record } = await services.keys.create(user.id, command.keyName);
      io.out(`Created API key ${quotedName(record.name)} (id ${record.id}) for ${user.email}. It is shown only this once:`);
      io.out(key);
      return 0;
    }
    case 'key-list': {
      const user = await services.users.getByEmail(command.email);
      const keys = await services.keys.list(user.id);
      const active = keys.filter((k) => k.revokedAt === null).length;
      io.out(`${user.email} has ${keys.length === 0 ? 'no API keys' : `${keys.length} API key${keys.length === 1 ? '' : 's'}, ${active} active`}${user.isActive ? '' : ' (the account is deactivated: its keys are refused until it is reactivated)'}.`);
      for (const k of keys) io.out(formatKey(k));
      return 0;
    }
    case 'key-revoke': {
      const user = await services.users.getByEmail(command.email);
      if (command.keyId === 'all') {
        const n = await services.keys.revokeAll(user.id);
        io.out(n === 0 ? `${user.email} has no active API key; nothing revoked.` : `Revoked ${n} API key${n === 1 ? '' : 's'} of ${user.email}.`);
        return 0;
      }
      const key = await services.keys.revoke(user.id, command.keyId);
      io.out(`Revoked API key ${quotedName(key.name)} (id ${key.id}) of ${user.email}.`);
      return 0;
    }
    case 'plan-set': {
      io.out(formatPlan(await services.plans.update(command.plan, command.patch)));
      return 0;
    }
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const utc = (ms: number | null) => (ms === null ? 'never' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`);

/**
 * A key's name as a terminal shows it: quoted, with controls and format characters escaped (\u202e):
 * a member names their own keys, and a right-to-left override would turn the rest of the line around.
 */
const quotedName = (name: string) =>
  JSON.stringify(name).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => {
    const n = c.codePointAt(0)!;
    return n > 0xffff ? `\\u{${n.toString(16)}}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });

/** One line of key list: the name last, as it may hold spaces. */
function formatKey(k: ApiKey): string {
  const status = k.revokedAt === null ? 'active ' : 'revoked';
  return `  id ${k.id}  ${status}  created ${utc(k.createdAt)}  last used ${utc(k.lastUsedAt)}  ${quotedName(k.name)}`;
}

export function formatPlan(p: Plan): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  return [
    `plan ${p.name}`,
    `  rate limit    ${p.rateLimitPerMinute} API requests/min per key`,
    `  api access    ${yes(p.apiAccess)}`,
    `  max links     ${p.maxLinks === null ? 'unlimited' : p.maxLinks}`,
    `  custom alias  ${yes(p.customAlias)}`,
    `  password      ${yes(p.password)}`,
    `  expiry        ${yes(p.expiry)}`,
    `  qr colors     ${yes(p.qrColors)}`,
  ].join('\n');
}

/** For container HEALTHCHECKs on images without curl: GET /healthz on this machine. */
async function healthcheck(config: Config, io: Io): Promise<number> {
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${config.port}/healthz`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000), redirect: 'manual' });
    // another program on the port (this server then failed to start: "PORT ... is free") may answer 200 too
    const body = (await res.json().catch(() => null)) as { status?: unknown } | null;
    if (res.status === 200 && body?.status === 'ok') return 0;
    if (res.status === 200) io.err(`unhealthy: ${url} answered 200, but not as shrinkray does: is another program using port ${config.port}?`);
    else io.err(`unhealthy: ${url} answered ${res.status}`);
  } catch (e) {
    io.err(`unhealthy: ${url}: ${(e as Error).message}`);
  }
  return 1;
}

export interface RunningServer {
  port: number;
  url: string;
  services: Services;
  /** Stops accepting, lets in-flight requests end, writes every queued click, closes the database. */
  stop(): Promise<void>;
}

const GRACE_MS = 5000;

export async function startServer(config: Config, io: Io): Promise<RunningServer> {
  // before anything touches the database: a second server, or two first starts, must not get further.
  // The start lock first (a command or a server of this version updating the database: wait for it),
  // kept until the migrations are done (server-lock.ts)
  const start = await opening(config.dataDir, () => lockStart(config.dataDir));
  let lock: ServerLock;
  let handle: DbHandle;
  let services: Services;
  try {
    lock = await opening(config.dataDir, () => lockDataDir(config.dataDir));
    try {
      handle = await opening(config.dataDir, () => openMigrated(config.dataDir, { walAutocheckpoint: CHECKPOINT_PAGES.server }));
    } catch (e) {
      lock.release();
      throw e;
    }
  } finally {
    start.release();
  }
  try {
    // their first writes (settings, plans, the first admin): a read-only file is found here
    services = await opening(config.dataDir, () => buildServices(config, handle, { clickWriter: 'worker' }));
    const admin = await opening(config.dataDir, () => services.users.ensureInitialAdmin());
    // printed before listening: if the port turns out to be taken, the only copy must not be lost
    if (admin) io.out(credentialsBox(admin));
  } catch (e) {
    handle.close();
    lock.release();
    throw e;
  }
  let listening: Listening;
  try {
    listening = listen(services, { port: config.port, host: config.host, maxBodyBytes: config.maxBodyBytes });
  } catch (e) {
    await release({ handle, services, lock });
    throw e;
  }
  const { server } = listening;
  const port = server.port ?? config.port;
  // PORT=0 leaves the default BASE_URL at port 0; shortUrl reads config.baseUrl on each call
  if (config.port === 0 && config.baseUrl === 'http://localhost:0') config.baseUrl = `http://localhost:${port}`;
  try {
    // listening already: redirects are answered (their clicks queue) while the app is built; an app that
    // cannot be built or a click writer that cannot start still fails the start
    await listening.app;
    await services.startClickWriter();
  } catch (e) {
    await release({ handle, services, server, lock });
    throw e;
  }
  services.recorder.start();
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  // the one startup line is shown at every level but silent: operators and scripts look for the port in it
  if (config.logLevel !== 'silent') io.out(`shrinkray listening on ${url} (BASE_URL ${config.baseUrl}, version ${pkg.version}, data ${resolve(config.dataDir)})`);

  let stopping: Promise<void> | undefined;
  return {
    port,
    url,
    services,
    stop: () => (stopping ??= release({ handle, services, server, lock }, GRACE_MS)),
  };
}

/**
 * Every way out of a started server, in the one safe order: stop listening
 * (first letting in-flight requests end for up to graceMs; a keep-alive
 * client must not hold the shutdown open forever), then write the queued
 * clicks and close the click writer, and only then close the database they
 * are written to.
 */
async function release(
  parts: { handle: DbHandle; services: Services; lock: ServerLock; server?: { stop(closeActiveConnections?: boolean): Promise<void> } },
  graceMs = 0,
): Promise<void> {
  const { handle, services, server, lock } = parts;
  // nested so that a step that throws still lets the queued clicks be written and the DATA_DIR be freed
  try {
    if (server) {
      if (graceMs > 0) await Promise.race([server.stop(false), Bun.sleep(graceMs)]);
      await server.stop(true);
    }
  } finally {
    try {
      await services.shutdown();
    } finally {
      try {
        handle.close();
      } finally {
        lock.release();
      }
    }
  }
}

function credentialsBox(admin: { email: string; password: string }): string {
  const lines = [
    'First start: an administrator account was created.',
    '',
    `  email:     ${admin.email}`,
    `  password:  ${admin.password}`,
    '',
    'This password is shown only once: sign in and change it at /dashboard.',
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const bar = '+' + '-'.repeat(width + 2) + '+';
  return [bar, ...lines.map((l) => `| ${l.padEnd(width)} |`), bar].join('\n');
}
