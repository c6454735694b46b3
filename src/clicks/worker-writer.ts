/**
 * The server's click writer: hands each chunk of raw clicks to the flush
 * worker and resolves when the worker has committed it (or rejects, and the
 * recorder keeps the chunk to retry). Posting a chunk costs this thread one
 * structured clone; the enrichment and every SQLite write happen there.
 */
import type { RawClick } from './clicks.types.ts';

type Reply = { type: 'ready' } | { type: 'written'; id: number; heap: number } | { type: 'failed'; id: number; message: string } | { type: 'closed' };

// Tabs and newlines separate fields and clicks; header values may carry tabs, so they become spaces.
const clean = (s: string | null) => (s === null ? '\u0000' : s.includes('\t') || s.includes('\n') ? s.replace(/[\t\n]/g, ' ') : s);

/**
 * One string per chunk instead of an array of objects: the structured clone
 * of thousands of small objects cost the request thread ~10% of a redirect,
 * a single string is copied in one go. \u0000 stands for null.
 */
export function packClicks(clicks: RawClick[]): string {
  let out = '';
  for (const c of clicks) out += `${c.linkId}\t${c.at}\t${clean(c.ip)}\t${clean(c.userAgent)}\t${clean(c.referrer)}\t${c.source}\n`;
  return out;
}

export function unpackClicks(packed: string): RawClick[] {
  const nul = (s: string | undefined) => (s === undefined || s === '\u0000' ? null : s);
  const clicks: RawClick[] = [];
  for (const line of packed.split('\n')) {
    if (!line) continue;
    const [linkId, at, ip, ua, ref, source] = line.split('\t');
    clicks.push({ linkId: Number(linkId), at: Number(at), ip: nul(ip), userAgent: nul(ua), referrer: nul(ref), source: source === 'qr' ? 'qr' : 'link' });
  }
  return clicks;
}

export interface ClickWriter {
  write(clicks: RawClick[]): Promise<void>;
  close(): Promise<void>;
  /** JS heap bytes of the thread that writes, when that is not this one (as of its last write) */
  readonly heapBytes?: number;
}

/**
 * From source, the worker sits next to this file. In the compiled binary all
 * code is one bundle whose import.meta.url is the binary itself at the root
 * of Bun's embedded file system, and scripts/build.ts embeds the worker under
 * the entrypoints' common root (src/), i.e. at clicks/flush-worker.ts.
 */
function workerUrl(): string {
  const compiled = import.meta.url.includes('/$bunfs/') || import.meta.url.includes('~BUN');
  return new URL(compiled ? './clicks/flush-worker.ts' : './flush-worker.ts', import.meta.url).href;
}

export async function createWorkerWriter(opts: { dataDir: string; secret: string }): Promise<ClickWriter> {
  const worker = new Worker(workerUrl());
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let seq = 0;
  let heapBytes = 0;
  let closing: Promise<void> | null = null;
  let onReady!: { resolve: () => void; reject: (e: Error) => void };
  let onClosed: (() => void) | null = null;
  const ready = new Promise<void>((resolve, reject) => (onReady = { resolve, reject }));

  worker.onmessage = (event: MessageEvent<Reply>) => {
    const r = event.data;
    if (r.type === 'ready') onReady.resolve();
    else if (r.type === 'closed') onClosed?.();
    else if (r.type === 'failed' && r.id === -1) onReady.reject(new Error(`click writer failed to start: ${r.message}`));
    else {
      const p = pending.get(r.id);
      pending.delete(r.id);
      if (r.type === 'written') {
        heapBytes = r.heap;
        p?.resolve();
      }
      else p?.reject(new Error(r.message));
    }
  };
  worker.onerror = (event) => {
    const error = new Error(`click writer crashed: ${event.message}`);
    onReady.reject(error);
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.postMessage({ type: 'init', dataDir: opts.dataDir, secret: opts.secret });
  await ready;

  return {
    get heapBytes() {
      return heapBytes;
    },
    write(clicks) {
      return new Promise<void>((resolve, reject) => {
        const id = ++seq;
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'write', id, packed: packClicks(clicks) });
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        onClosed = resolve;
        worker.postMessage({ type: 'close' });
        setTimeout(resolve, 5000).unref?.(); // never hang a shutdown on a wedged worker
      }).then(() => worker.terminate());
      return closing;
    },
  };
}
