/**
 * Applies drizzle-kit's migrations from copies embedded in the program, so a
 * compiled binary in an empty folder needs no drizzle/ directory. Each new
 * migration must be imported below; test/unit/migrations.test.ts fails when
 * drizzle/meta/_journal.json lists one that is not.
 *
 * Applied migrations are recorded by tag in _migrations, each applied in its
 * own transaction.
 */
import type { Database } from 'bun:sqlite';
import journal from '../../drizzle/meta/_journal.json';
import m0000 from '../../drizzle/0000_init.sql' with { type: 'text' };
import m0001 from '../../drizzle/0001_rollups_by_value.sql' with { type: 'text' };
import m0002 from '../../drizzle/0002_rollups_clustered.sql' with { type: 'text' };
import m0003 from '../../drizzle/0003_link_counters.sql' with { type: 'text' };
import m0004 from '../../drizzle/0004_click_profiles.sql' with { type: 'text' };
import m0005 from '../../drizzle/0005_clicks_by_day.sql' with { type: 'text' };
import m0006 from '../../drizzle/0006_links_deleted.sql' with { type: 'text' };
import m0007 from '../../drizzle/0007_qr_codes_by_link.sql' with { type: 'text' };
import m0008 from '../../drizzle/0008_links_live_indexes.sql' with { type: 'text' };
import m0009 from '../../drizzle/0009_links_live_created.sql' with { type: 'text' };
import m0010 from '../../drizzle/0010_user_link_counts.sql' with { type: 'text' };
import m0011 from '../../drizzle/0011_live_link_total.sql' with { type: 'text' };
import m0012 from '../../drizzle/0012_forget_creator_addresses.sql' with { type: 'text' };
import m0013 from '../../drizzle/0013_deleted_rows_to_erase.sql' with { type: 'text' };

export const EMBEDDED_MIGRATIONS: Record<string, string> = {
  '0000_init': m0000,
  '0001_rollups_by_value': m0001,
  '0002_rollups_clustered': m0002,
  '0003_link_counters': m0003,
  '0004_click_profiles': m0004,
  '0005_clicks_by_day': m0005,
  '0006_links_deleted': m0006,
  '0007_qr_codes_by_link': m0007,
  '0008_links_live_indexes': m0008,
  '0009_links_live_created': m0009,
  '0010_user_link_counts': m0010,
  '0011_live_link_total': m0011,
  '0012_forget_creator_addresses': m0012,
  '0013_deleted_rows_to_erase': m0013,
};

/** The tags recorded in _migrations (none before the first migration). */
export const appliedMigrations = (sqlite: Database) => {
  const hasTable = sqlite.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'").get() !== null;
  return hasTable ? sqlite.query<{ tag: string }, []>('SELECT tag FROM _migrations').all().map((r) => r.tag) : [];
};

/** The migrations this program would apply to the database (none: it is up to date). */
export function pendingMigrations(sqlite: Database): string[] {
  const done = new Set(appliedMigrations(sqlite));
  return journal.entries.map((e) => e.tag).filter((tag) => !done.has(tag));
}

/** Thrown for a database whose schema is newer than this program: it would run on tables it does not know. */
export class NewerSchemaError extends Error {}

/** @throws NewerSchemaError */
export function checkSchemaKnown(tags: readonly string[], what: string): void {
  const unknown = tags.find((tag) => !(tag in EMBEDDED_MIGRATIONS));
  if (unknown !== undefined) {
    throw new NewerSchemaError(`${what} was made by a newer shrinkray (migration ${unknown}); run that version, or restore a backup made by this one`);
  }
}

/** @throws NewerSchemaError (a database migrated by a newer version; nothing is changed) */
export function migrate(sqlite: Database): string[] {
  checkSchemaKnown(appliedMigrations(sqlite), 'the database');
  sqlite.exec(
    'CREATE TABLE IF NOT EXISTS _migrations (tag TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)',
  );
  const done = new Set(appliedMigrations(sqlite));
  const appliedNow: string[] = [];
  for (const entry of journal.entries) {
    if (done.has(entry.tag)) continue;
    const text = EMBEDDED_MIGRATIONS[entry.tag];
    if (text === undefined) throw new Error(`migration ${entry.tag} is not embedded in src/db/migrate.ts`);
    const statements = text.split('--> statement-breakpoint').map((s) => s.trim()).filter(Boolean);
    sqlite.transaction(() => {
      for (const statement of statements) sqlite.exec(statement);
      sqlite.query('INSERT INTO _migrations (tag, applied_at) VALUES (?, ?)').run(entry.tag, Date.now());
    })();
    appliedNow.push(entry.tag);
  }
  return appliedNow;
}
