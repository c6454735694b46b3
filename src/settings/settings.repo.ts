import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { settings } from '../db/schema.ts';

export function createSettingsRepo(db: Db) {
  return {
    /** Returns the stored value, creating it with make() on first use (per-install secrets). */
    async getOrCreate(key: string, make: () => string): Promise<string> {
      db.insert(settings).values({ key, value: make() }).onConflictDoNothing().run();
      return db.select().from(settings).where(eq(settings.key, key)).get()!.value;
    },
  };
}
