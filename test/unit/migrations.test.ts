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
    for (const t of ['links', 'clicks', 'click_rollups', 'click_profiles', 'link_counters', 'users', 'api_keys', 'plans', 'qr_codes', 'sessions']) expect(tables).toContain(t);
    expect(db.query('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
  });

  test('an existing database keeps its click history through 0002 (rollups rebuilt), 0003 (counters moved), 0004 and 0005 (raw clicks re-indexed)', () => {
    const db = new Database(':memory:');
    // bring the database to where a previous release left it: migrations 0000 and 0001 only
    db.exec('CREATE TABLE _migrations (tag TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (const tag of ['0000_init', '0001_rollups_by_value']) {
      for (const statement of EMBEDDED_MIGRATIONS[tag]!.split('--> statement-breakpoint')) if (statement.trim()) db.exec(statement);
      db.query('INSERT INTO _migrations VALUES (?, 0)').run(tag);
    }
    db.exec(`INSERT INTO links (id, code, destination, total_clicks, unique_clicks, last_clicked_at) VALUES
      (1, 'clicked', 'https://example.com/a', 7, 3, 1700000000000), (2, 'quiet', 'https://example.com/b', 0, 0, NULL)`);
    db.exec(`INSERT INTO click_rollups (link_id, day, dim, value, clicks) VALUES
      (1, '2026-01-01', 'total', '', 4), (1, '2026-01-02', 'total', '', 3), (1, '2026-01-01', 'country', 'DE', 4)`);
    db.exec(`INSERT INTO clicks (link_id, clicked_at, is_bot, source) VALUES (1, 1767225600000, 0, 'link'), (1, 1767312000000, 0, 'qr')`);

    expect(migrate(db)).toEqual(['0002_rollups_clustered', '0003_link_counters', '0004_click_profiles', '0005_clicks_by_day', '0006_links_deleted', '0007_qr_codes_by_link', '0008_links_live_indexes', '0009_links_live_created', '0010_user_link_counts', '0011_live_link_total', '0012_forget_creator_addresses', '0013_deleted_rows_to_erase']);
    expect(db.query('SELECT link_id, clicked_at, source FROM clicks ORDER BY id').all()).toEqual([
      { link_id: 1, clicked_at: 1767225600000, source: 'link' },
      { link_id: 1, clicked_at: 1767312000000, source: 'qr' },
    ]);
    const clickIndexes = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'clicks' AND sql IS NOT NULL").all();
    expect(clickIndexes.map((r) => r.name)).toEqual(['clicks_day_link_idx']);
    expect(db.query('SELECT * FROM link_counters ORDER BY link_id').all()).toEqual([
      { link_id: 1, total_clicks: 7, unique_clicks: 3, last_clicked_at: 1700000000000 },
    ]);
    expect(db.query("SELECT day, dim, value, clicks FROM click_rollups WHERE link_id = 1 ORDER BY dim, value, day").all()).toEqual([
      { day: '2026-01-01', dim: 'country', value: 'DE', clicks: 4 },
      { day: '2026-01-01', dim: 'total', value: '', clicks: 4 },
      { day: '2026-01-02', dim: 'total', value: '', clicks: 3 },
    ]);
    const linkColumns = db.query<{ name: string }, []>('PRAGMA table_info(links)').all().map((c) => c.name);
    expect(linkColumns).not.toContain('total_clicks');
    expect(db.query<{ n: number }, []>('SELECT count(*) AS n FROM links').get()!.n).toBe(2);
    expect(db.query('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    expect(db.query('PRAGMA foreign_key_check').all()).toEqual([]);
  });
});

test('0012 forgets the creator addresses that ShrtLnk creates stored as labels; nothing else of the link changes', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE _migrations (tag TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  for (const tag of journal.entries.map((e) => e.tag).filter((tag) => tag < '0012')) {
    for (const statement of EMBEDDED_MIGRATIONS[tag]!.split('--> statement-breakpoint')) if (statement.trim()) db.exec(statement);
    db.query('INSERT INTO _migrations VALUES (?, 0)').run(tag);
  }
  db.exec(`INSERT INTO links (id, code, destination, label_user_id, label_user_agent, label_ip) VALUES
    (1, 'webform', 'https://example.com/a', NULL, 'Mozilla/5.0', '2001:db8:beef::42'), (2, 'apione', 'https://example.com/b', 42, 'MyIntegration/1.0', '203.0.113.10')`);
  expect(migrate(db)).toEqual(['0012_forget_creator_addresses', '0013_deleted_rows_to_erase']);
  expect(db.query('SELECT code, label_user_id, label_user_agent, label_ip FROM links ORDER BY id').all()).toEqual([
    { code: 'webform', label_user_id: null, label_user_agent: 'Mozilla/5.0', label_ip: null },
    { code: 'apione', label_user_id: 42, label_user_agent: 'MyIntegration/1.0', label_ip: null },
  ]);
});
