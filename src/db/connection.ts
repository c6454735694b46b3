/**
 * Opens the SQLite connection with the PRAGMAs the appliance relies on:
 * WAL so redirects keep reading while the click flusher writes, foreign keys
 * for cascades, a busy timeout so the CLI and a running server can share the
 * file, and synchronous=NORMAL (durable across process crashes in WAL mode;
 * only an OS crash can lose the last transactions).
 *
 * Apart from client.ts (which puts drizzle on top) because the click flush
 * worker needs only the connection: drizzle and the schema cost its thread
 * ~10 MB of memory it would never use.
 */
import { Database } from 'bun:sqlite';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

export const DB_FILE = 'shrinkray.db';

/** How long a statement waits for another connection's write lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * When the server runs the click flush worker: ~40 MB of WAL between
 * checkpoints, done by the worker, off the request thread; the request
 * thread's connection checkpoints only past four times that, as a backstop
 * should the worker be gone.
 */
export const CHECKPOINT_PAGES = { flusher: 10_000, server: 40_000 };

/**
 * Bytes the WAL file is cut back to when it restarts: above the ~160 MB the request thread's connection
 * lets it reach before its backstop checkpoint (CHECKPOINT_PAGES.server), so that steady writes never cut
 * it (a limit of 64 MB cut and regrew the file at every restart under a stream of creates: p99 198-256 ms
 * against 121-139 ms, and 10 % fewer creates, bench:create), only what a long reader let it grow to.
 */
export const WAL_SIZE_LIMIT = 192 * 1024 * 1024;

/**
 * The click flush worker's connection (bench/flush.ts opens the same). Its page
 * cache is 2 MB: a batch dirties pages all over several indexes, which a bigger
 * cache only holds longer (bench:flush: 22 µs a click with 2 MB as with 8),
 * and every MB of it is resident.
 */
export const FLUSHER_OPTIONS: OpenOptions = { foreignKeys: false, walAutocheckpoint: CHECKPOINT_PAGES.flusher, cacheKb: 2000 };

export interface OpenOptions {
  /**
   * Off only for the click flush worker's connection: everything it inserts
   * references a link that existed when it was clicked, and links are never
   * removed (deletion is soft), so the check would only cost a parent lookup
   * per row — ~20% of a click batch's write time with random links.
   */
  foreignKeys?: boolean;
  /**
   * WAL pages before a commit on this connection checkpoints (SQLite's
   * default is 1,000 ≈ 4 MB). The click flusher rewrites the same rollup and
   * counter pages batch after batch; checkpointing less often copies each
   * page back once instead of every few batches.
   */
  walAutocheckpoint?: number;
  /** SQLite's page cache for this connection, in KB (8 MB unless given). */
  cacheKb?: number;
}

export function openConnection(dataDir: string, options: OpenOptions = {}): Database {
  // owner-only, as it holds password hashes and the secret behind visitor hashes; SQLite gives the
  // -wal and -shm files the database file's mode
  const sqlite = new Database(privateFileIn(dataDir, DB_FILE), { create: true, strict: true });
  // first: setting the journal mode takes a lock, and without a busy timeout it fails at once
  // ("database is locked") while another process holds one, e.g. a CLI command checkpointing on close
  sqlite.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.exec('PRAGMA journal_mode = WAL');
  sqlite.exec('PRAGMA synchronous = NORMAL');
  sqlite.exec(`PRAGMA foreign_keys = ${options.foreignKeys === false ? 'OFF' : 'ON'}`);
  sqlite.exec('PRAGMA temp_store = MEMORY');
  // 8 MB by default; hot lookups are served from the redirect cache, and the OS page cache holds the
  // rest of the file (the click flush worker's connection takes 2 MB: FLUSHER_OPTIONS)
  sqlite.exec(`PRAGMA cache_size = -${options.cacheKb ?? 8000}`);
  if (options.walAutocheckpoint !== undefined) sqlite.exec(`PRAGMA wal_autocheckpoint = ${Math.trunc(options.walAutocheckpoint)}`);
  // a reader held open for a while (a backup of a large database, a sqlite3 shell) lets the WAL grow past
  // its checkpoints, and SQLite keeps the file at its largest: cut back to this once the log restarts
  sqlite.exec(`PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT}`);
  // what is deleted is overwritten, not left readable in free space: a link's clicks erased with it,
  // raw clicks past CLICK_RETENTION_DAYS, ended sessions (a 200,000-row purge measured no slower)
  sqlite.exec('PRAGMA secure_delete = ON');
  return sqlite;
}

export class DatabaseInUse extends Error {}

/**
 * A connection no other may share, for changes the database's other users
 * cannot survive (migrations, a restore): another process holding it open
 * is refused with DatabaseInUse, idle or not. The DATA_DIR lock
 * (server-lock.ts) says the same of this version's servers, but a server
 * from before it took none: migrated under it, it failed its writes and
 * lost its clicks. Locking mode is set before the first access, so the
 * connection takes the file's exclusive lock (no shared memory in WAL mode)
 * and holds it until closed.
 * @throws DatabaseInUse
 */
export function openAlone(dataDir: string, doing: string): Database {
  const sqlite = new Database(privateFileIn(dataDir, DB_FILE), { create: true, strict: true });
  try {
    sqlite.exec('PRAGMA locking_mode = EXCLUSIVE');
    sqlite.exec('BEGIN EXCLUSIVE');
    sqlite.exec('COMMIT');
    sqlite.exec('PRAGMA foreign_keys = ON');
    return sqlite;
  } catch (e) {
    sqlite.close();
    if ((e as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new DatabaseInUse(`cannot ${doing} while another program has ${join(dataDir, DB_FILE)} open (a shrinkray server of an older version, or a sqlite3 shell?); stop it first`);
    }
    throw e;
  }
}

/** Creates an empty file readable by its owner only (an existing one is left as it is). */
export function createPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
}

/** DATA_DIR/name, the folder (0700) and the file (0600) created if missing; returns the path. */
export function privateFileIn(dataDir: string, name: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, name);
  // only when missing: an existing file may be read-only to us, and SQLite reports that better
  if (!existsSync(file)) createPrivateFile(file);
  return file;
}

export function closeConnection(sqlite: Database): void {
  try {
    sqlite.exec('PRAGMA optimize');
  } catch {
    // closing anyway
  }
  sqlite.close();
}

/**
 * What the operator can do about a failure to open or update the database: SQLite's own words name
 * no file ("file is not a database", "attempt to write a readonly database") and Node's name a system
 * call ("EEXIST: file already exists, mkdir"). Anything else is returned as it was.
 */
export function explainOpenFailure(e: unknown, dataDir: string): unknown {
  if (!(e instanceof Error) || e instanceof DatabaseInUse) return e;
  const code = (e as { code?: string }).code ?? '';
  const file = join(dataDir, DB_FILE);
  const reason = e.message;
  const who = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
  let told: string | null = null;
  if ((code === 'EEXIST' || code === 'ENOTDIR') && (e as NodeJS.ErrnoException).syscall === 'mkdir') {
    told = `DATA_DIR ${dataDir} is not a folder (a file, or a link to nothing, is in its place); point DATA_DIR at a folder`;
  } else if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM') {
    told = `cannot write in the data folder ${dataDir} (${reason}): the folder and the files in it must be writable by the user shrinkray runs as${who}, on a file system mounted read-write`;
  } else if (code === 'SQLITE_NOTADB') {
    told = `${file} is not a SQLite database (${reason}): check that DATA_DIR is the right folder; to start afresh move the file aside, or put a backup in its place with \`shrinkray restore FILE\``;
  } else if (code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT')) {
    told = `${file} is damaged (${reason}): put a backup in its place with \`shrinkray restore FILE\``;
  } else if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    told = `the disk holding ${dataDir} is full (${reason}): free some space and try again; nothing was half-written`;
  } else if (code.startsWith('SQLITE_IOERR') || code === 'EIO' || code === 'EFBIG') {
    told = `cannot read or write ${file} (${reason}): a full disk, a file size limit (ulimit -f) or failing storage`;
  }
  if (told === null) return e;
  const explained = new Error(told, { cause: e });
  return explained;
}
