/**
 * Click storage. The flusher's batch write uses raw prepared statements (it
 * is the busiest writer) and folds each batch into per-key increments, so a
 * batch of N clicks costs N row inserts plus one upsert per distinct rollup
 * key and one counter update per link.
 */
import type { Db } from '../db/client.ts';
import type { EnrichedClick } from './clicks.types.ts';

export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function createClicksRepo(db: Db) {
  const sqlite = db.$client;
  const insertClick = sqlite.prepare(
    `INSERT INTO clicks (link_id, clicked_at, referrer_domain, country_code, device_type, os, browser, is_bot, source, visitor_hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertVisitor = sqlite.prepare('INSERT OR IGNORE INTO link_visitors (link_id, visitor_hash) VALUES (?, ?)');
  const upsertRollup = sqlite.prepare(
    `INSERT INTO click_rollups (link_id, day, dim, value, clicks) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (link_id, dim, day, value) DO UPDATE SET clicks = clicks + excluded.clicks`,
  );
  const bumpLink = sqlite.prepare(
    `UPDATE links SET total_clicks = total_clicks + ?, unique_clicks = unique_clicks + ?,
       last_clicked_at = max(coalesce(last_clicked_at, 0), ?) WHERE id = ?`,
  );

  const writeBatch = sqlite.transaction((batch: EnrichedClick[]) => {
    const rollups = new Map<string, number>();
    const counters = new Map<number, { total: number; unique: number; last: number }>();
    const add = (linkId: number, day: string, dim: string, value: string | null) => {
      const key = `${linkId}\u0001${day}\u0001${dim}\u0001${value ?? ''}`;
      rollups.set(key, (rollups.get(key) ?? 0) + 1);
    };
    for (const c of batch) {
      insertClick.run(c.linkId, c.at, c.referrerDomain, c.countryCode, c.deviceType, c.os, c.browser, c.isBot ? 1 : 0, c.source, c.visitorHash);
      const day = dayOf(c.at);
      if (c.isBot) {
        add(c.linkId, day, 'bots', '');
        continue;
      }
      const unique = c.visitorHash !== null && insertVisitor.run(c.linkId, c.visitorHash).changes > 0;
      add(c.linkId, day, 'total', '');
      if (unique) add(c.linkId, day, 'unique', '');
      add(c.linkId, day, 'country', c.countryCode);
      add(c.linkId, day, 'device', c.deviceType);
      add(c.linkId, day, 'os', c.os);
      add(c.linkId, day, 'browser', c.browser);
      add(c.linkId, day, 'referrer', c.referrerDomain);
      add(c.linkId, day, 'source', c.source);
      const ctr = counters.get(c.linkId) ?? { total: 0, unique: 0, last: 0 };
      ctr.total++;
      if (unique) ctr.unique++;
      ctr.last = Math.max(ctr.last, c.at);
      counters.set(c.linkId, ctr);
    }
    for (const [key, n] of rollups) {
      const [linkId, day, dim, value] = key.split('\u0001');
      upsertRollup.run(Number(linkId), day!, dim!, value!, n);
    }
    for (const [linkId, c] of counters) bumpLink.run(c.total, c.unique, c.last, linkId);
  });

  return {
    /** Writes a batch of clicks, their rollups and link counters in one transaction. */
    async writeBatch(batch: EnrichedClick[]): Promise<void> {
      if (batch.length) writeBatch(batch);
    },
  };
}
export type ClicksRepo = ReturnType<typeof createClicksRepo>;
