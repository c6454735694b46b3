/**
 * The server's click writer: hands each batch of packed clicks to the flush
 * worker and resolves when the worker has committed it (or rejects, and the
 * recorder keeps the batch to retry). Posting a batch copies nothing: its
 * chunks are shared memory, which the worker only reads. The unpacking,
 * enrichment and every SQLite write happen there.
 */
import type { ClickBatch } from './click-batch.ts';

type Reply = { type: 'ready' } | { type: 'written'; id: number; heap: number } | { type: 'failed'; id: number; message: string } | { type: 'closed' };

export interface ClickWriter {
  write(batch: ClickBatch): Promise<void>;
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
    write(batch) {
      return new Promise<void>((resolve, reject) => {
        const id = ++seq;
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'write', id, chunks: batch.chunks });
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
