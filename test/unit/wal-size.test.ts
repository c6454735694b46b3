/**
 * The WAL file does not keep the size a long reader let it grow to: once the
 * reader is gone and the log restarts, it is cut back to WAL_SIZE_LIMIT (it
 * stayed at 241 MB under steady traffic after a 14 s reader, found by an
 * audit of a server left running for months).
 */
import { expect, test } from 'bun:test';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DB_FILE, openConnection, WAL_SIZE_LIMIT } from '../../src/db/connection.ts';

test('a WAL grown past the limit behind a long reader is cut back once the log restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shrinkray-wal-'));
  try {
    grownAndCut(dir);
  } finally {
    // the filler (past the limit): not left behind
    rmSync(dir, { recursive: true, force: true });
  }
});

function grownAndCut(dir: string): void {
  const writer = openConnection(dir);
  const reader = openConnection(dir);
  writer.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, data BLOB)');
  writer.exec('INSERT INTO filler (data) VALUES (zeroblob(1000))');
  // the reader's snapshot keeps every checkpoint from restarting the log
  reader.exec('BEGIN');
  reader.query('SELECT count(*) FROM filler').get();
  const insert = writer.prepare('INSERT INTO filler (data) VALUES (zeroblob(?))');
  for (let i = 0; i < WAL_SIZE_LIMIT / (1024 * 1024) + 24; i++) insert.run(1024 * 1024);
  const wal = () => statSync(join(dir, `${DB_FILE}-wal`)).size;
  expect(wal()).toBeGreaterThan(WAL_SIZE_LIMIT + 16 * 1024 * 1024);
  reader.exec('COMMIT');
  // the next checkpoint copies everything back; the write after it restarts the log, and the file is cut
  writer.query('PRAGMA wal_checkpoint(PASSIVE)').get();
  writer.exec('INSERT INTO filler (data) VALUES (zeroblob(10))');
  writer.query('PRAGMA wal_checkpoint(PASSIVE)').get();
  expect(wal()).toBeLessThanOrEqual(WAL_SIZE_LIMIT);
  insert.finalize();
  reader.close();
  writer.close();
}
