/**
 * Backup and restore of the whole database, for the CLI.
 *
 * A backup is VACUUM INTO: a consistent snapshot from one read transaction,
 * safe beside a running server (WAL lets it keep writing), in one file with
 * no -wal beside it. A restore must not run beside a server (it would keep
 * writing into the file it has open), so it takes the server's DATA_DIR lock
 * for its whole length. Copying a backup over shrinkray.db by hand is the
 * mistake it exists to prevent: a -wal left from the old database is then
 * replayed onto the new one ("database disk image is malformed").
 */
import { Database } from 'bun:sqlite';
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createPrivateFile, DB_FILE, openAlone, openConnection } from './connection.ts';
import { checkSchemaKnown } from './migrate.ts';
import { DataDirBusy, lockDataDir } from './server-lock.ts';

const SIDE_FILES = ['-wal', '-shm'];

/**
 * Throws `missing` when nothing is at `path`, and says so when something may be but this user
 * cannot look (existsSync answers false for both: a backup job run as another user than the
 * server's, whose data folder is owner-only, was told there was no database).
 */
export function mustExist(path: string, missing: string): void {
  try {
    statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new Error(`cannot read ${path}: permission denied (run this as the user the server runs as, or as one who may read its data folder)`);
    }
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new Error(missing);
    throw e;
  }
}

/** Writes a snapshot of DATA_DIR's database to `file` (a new file). Returns both paths. */
export function backupDatabase(dataDir: string, file: string): { source: string; target: string } {
  const source = join(dataDir, DB_FILE);
  mustExist(source, `no database at ${source} (set DATA_DIR or --data-dir)`);
  const target = resolve(file);
  if (existsSync(target)) throw new Error(`${target} already exists; choose a new file name`);
  // not created: a mistyped /mnt/bakups/… would put the backup on the wrong disk, unnoticed
  mustExist(dirname(target), `no folder ${dirname(target)}; create it first`);
  // written under another name and renamed when complete: a backup interrupted by a signal (Ctrl-C, a
  // timeout) leaves no half file under the name asked for, which a retry would refuse
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  // deliberately not migrated first: a backup copies what is there
  const db = openConnection(dataDir);
  try {
    // VACUUM INTO fills an empty file: created owner-only first, as the database is
    createPrivateFile(partial);
    vacuumInto(db, partial);
  } finally {
    db.close();
  }
  durable(partial);
  renameSync(partial, target);
  durable(dirname(target));
  return { source, target };
}

/**
 * Puts the database in `file` in place of DATA_DIR's. The database it
 * replaces is not deleted: it is moved aside with its -wal and -shm (so it
 * still opens with its last writes) and its name returned as `kept`.
 * @throws Error when a server runs on DATA_DIR, or `file` is not a sound shrinkray database of this version or older
 */
export function restoreDatabase(dataDir: string, file: string, now = new Date()): { source: string; target: string; kept: string | null } {
  const source = resolve(file);
  mustExist(source, `no file at ${source}`);
  const lock = lockForRestore(dataDir);
  try {
    const target = join(dataDir, DB_FILE);
    // a server of a version from before the DATA_DIR lock takes none: it would go on writing to the file put aside
    if (existsSync(target)) inUseCheck(dataDir);
    const incoming = `${target}.restoring`;
    rmSync(incoming, { force: true }); // left by a restore that died part-way
    createPrivateFile(incoming);
    try {
      // a copy through SQLite, not of the bytes: a backup that was itself copied from a live database
      // brings the writes still in its own -wal, and a damaged one fails here rather than after the swap
      const db = openBackup(source);
      try {
        vacuumInto(db, incoming);
      } catch (e) {
        // SQLite opens any file lazily: a file that is not a database fails here ("file is not a database"), naming none
        throw new Error(`cannot read ${source} as a database: ${(e as Error).message}`);
      } finally {
        db.close();
      }
      checkRestorable(incoming, source);
    } catch (e) {
      rmSync(incoming, { force: true });
      throw e;
    }
    let kept: string | null = null;
    if (existsSync(target)) {
      kept = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
      for (const side of ['', ...SIDE_FILES]) {
        if (existsSync(target + side)) renameSync(target + side, kept + side);
      }
    }
    for (const side of SIDE_FILES) rmSync(target + side, { force: true });
    durable(incoming);
    renameSync(incoming, target);
    durable(dataDir);
    return { source, target, kept };
  } finally {
    lock.release();
  }
}

/** Refuses while another program has the database open; a file that is not a database is open in none (put aside, it is kept). */
function inUseCheck(dataDir: string): void {
  try {
    openAlone(dataDir, 'restore').close();
  } catch (e) {
    if ((e as { code?: string }).code !== 'SQLITE_NOTADB') throw e;
  }
}

function lockForRestore(dataDir: string) {
  try {
    return lockDataDir(dataDir);
  } catch (e) {
    if (e instanceof DataDirBusy) throw new Error(`a shrinkray server is running on ${dataDir}; stop it before restoring`);
    throw e;
  }
}

function openBackup(path: string): Database {
  try {
    return new Database(path, { readonly: true });
  } catch (e) {
    throw new Error(`cannot open ${path} as a database: ${(e as Error).message}`);
  }
}

/** fsync: VACUUM INTO does not, and a power cut must not leave a renamed but empty file (or a lost rename). */
function durable(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function vacuumInto(db: Database, target: string): void {
  try {
    db.query('VACUUM INTO ?').run(target);
  } catch (e) {
    // a half-written or empty target would make a retry answer "already exists"
    rmSync(target, { force: true });
    throw e;
  }
}

function checkRestorable(path: string, source: string): void {
  const db = new Database(path, { readonly: true });
  try {
    const problems = db.query<{ integrity_check: string }, []>('PRAGMA integrity_check').all().map((r) => r.integrity_check);
    if (problems.join() !== 'ok') throw new Error(`${source} fails SQLite's integrity check: ${problems.slice(0, 3).join('; ')}`);
    const tables = new Set(db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name));
    if (!['_migrations', 'users', 'links'].every((t) => tables.has(t))) throw new Error(`${source} is not a shrinkray database`);
    // this version would run on a schema it does not know
    checkSchemaKnown(
      db.query<{ tag: string }, []>('SELECT tag FROM _migrations').all().map((r) => r.tag),
      source,
    );
  } finally {
    db.close();
  }
}
