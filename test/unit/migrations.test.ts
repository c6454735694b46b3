import { Database } from 'bun:sqlite';
import { describe, expect, test } from 'bun:test';
import journal from '../../drizzle/meta/_journal.json';
import { EMBEDDED_MIGRATIONS, migrate } from '../../src/db/migrate.ts';

describe('embedded migrations', () => {
  test('every migration drizzle-kit generated is embedded in the program', () => {
    expect(Object.keys(EMBEDDED_MIGRATIONS).sort()).toEqual(journal.entries.map((e) => e.tag).sort());
  });

  test('apply once on an empty database, then are a no-op', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toEqual(journal.entries.map((e) => e.tag));
    expect(migrate(db)).toEqual([]);
    const tables = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
    for (const t of ['links', 'clicks', 'click_rollups', 'users', 'api_keys', 'plans', 'qr_codes', 'sessions']) expect(tables).toContain(t);
    expect(db.query('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
  });
});
