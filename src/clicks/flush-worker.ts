/**
 * The click flush worker: a thread of its own with its own SQLite connection
 * (WAL lets the server thread keep reading while this one writes), so
 * enriching clicks and writing them never takes time from the thread that
 * answers redirects. It speaks a tiny protocol with worker-writer.ts:
 *   init {dataDir, secret} → ready | failed
 *   write {id, packed}     → written {id, heap} | failed {id, message}  (packClicks format; heap: this thread's JS heap bytes)
 *   close                  → closed
 * Listed as a second entrypoint in scripts/build.ts so the compiled binary
 * carries it.
 */
import { heapSize } from 'bun:jsc';
import { openDatabase, type DbHandle } from '../db/client.ts';
import type { RawClick } from './clicks.types.ts';
import { createClicksRepo } from './clicks.repo.ts';
import { loadCountryLookup } from './geoip-file.ts';
import { createEnricher } from './visitor.ts';
import { unpackClicks } from './worker-writer.ts';

declare const self: Worker;

type Message = { type: 'init'; dataDir: string; secret: string } | { type: 'write'; id: number; packed: string } | { type: 'close' };

let handle: DbHandle | null = null;
let write: ((clicks: RawClick[]) => Promise<void>) | null = null;

self.onmessage = async (event: MessageEvent<Message>) => {
  const msg = event.data;
  if (msg.type === 'init') {
    try {
      handle = openDatabase(msg.dataDir, { foreignKeys: false });
      const repo = createClicksRepo(handle.db);
      const enrich = createEnricher({ secret: msg.secret, country: await loadCountryLookup() });
      write = (clicks) => repo.writeBatch(clicks.map(enrich));
      self.postMessage({ type: 'ready' });
    } catch (e) {
      self.postMessage({ type: 'failed', id: -1, message: String(e) });
    }
  } else if (msg.type === 'write') {
    try {
      if (!write) throw new Error('flush worker not initialised');
      await write(unpackClicks(msg.packed));
      self.postMessage({ type: 'written', id: msg.id, heap: heapSize() });
    } catch (e) {
      self.postMessage({ type: 'failed', id: msg.id, message: String(e) });
    }
  } else if (msg.type === 'close') {
    handle?.close();
    handle = null;
    write = null;
    self.postMessage({ type: 'closed' });
  }
};
