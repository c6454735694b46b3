/**
 * The server's click writer: hands each batch of packed clicks to the flush
 * worker and resolves when the worker has committed it (or rejects, and the
 * recorder keeps the batch to retry). Posting a batch copies nothing: its
 * chunks are shared memory, which the worker only reads. The unpacking,
 * enrichment and every SQLite write happen there.
 */
import { inCompiledBinary } from '../compiled.ts';
import type { ClickBatch } from './click-batch.ts';

type Reply = { type: 'ready' } | { type: 'upkeep-failed'; message: string } | { type: 'written'; id: number; heap: number } | { type: 'failed'; id: number; message: string } | { type: 'closed' };

export interface ClickWriter {
  write(batch: ClickBatch): Promise<void>;
  close(): Promise<void>;
  /** JS heap bytes of the thread that writes, when that is not this one (as of its last write) */
  readonly heapBytes?: number;
  /** Why this writer can no longer write (its thread died), else null: a new one must take its place. */
  readonly failed?: Error | null;
}

/**
 * From source, the worker sits next to this file. In the compiled binary all
 * code is one bundle whose import.meta.url is the binary itself at the root
 * of Bun's embedded file system, and scripts/build.ts embeds the worker under
 * the entrypoints' common root (src/), i.e. at clicks/flush-worker.ts.
 */
function workerUrl(): string {
  return new URL(inCompiledBinary(import.meta.url) ? './clicks/flush-worker.ts' : './flush-worker.ts', import.meta.url).href;
}

export interface WorkerWriterOptions {
  dataDir: string;
  secret: string;
  /** CLICK_RETENTION_DAYS (click-upkeep.ts) */
  retentionDays: number;
  spawn?: (url: string) => Worker;
  /** the tables' upkeep failed after a batch (nothing is lost: it is tried again after the next one) */
  onUpkeepError?: (message: string) => void;
}

export async function createWorkerWriter(opts: WorkerWriterOptions): Promise<ClickWriter> {
  const worker = (opts.spawn ?? ((url) => new Worker(url)))(workerUrl());
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
    else if (r.type === 'upkeep-failed') opts.onUpkeepError?.(r.message);
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
  // A thread that dies answers nothing more: every write waiting on it, and every later one, fails at
  // once (the recorder keeps their clicks), instead of waiting forever and wedging flush and shutdown.
  let dead: Error | null = null;
  const die = (error: Error) => {
    dead ??= error;
    onReady.reject(dead);
    for (const p of pending.values()) p.reject(dead);
    pending.clear();
  };
  worker.onerror = (event) => die(new Error(`click writer crashed: ${event.message}`));
  worker.addEventListener('close', () => {
    if (closing) onClosed?.();
    else die(new Error('click writer thread stopped'));
  });
  worker.postMessage({ type: 'init', dataDir: opts.dataDir, secret: opts.secret, retentionDays: opts.retentionDays });
  try {
    await ready;
  } catch (e) {
    worker.terminate(); // a thread that could not start is not left behind
    throw e;
  }

  return {
    get heapBytes() {
      return heapBytes;
    },
    get failed() {
      return dead;
    },
    write(batch) {
      if (dead) return Promise.reject(dead);
      return new Promise<void>((resolve, reject) => {
        const id = ++seq;
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'write', id, chunks: batch.chunks });
      });
    },
    close() {
      if (dead) closing ??= Promise.resolve().then(() => worker.terminate());
      closing ??= new Promise<void>((resolve) => {
        onClosed = resolve;
        worker.postMessage({ type: 'close' });
        setTimeout(resolve, 5000).unref?.(); // never hang a shutdown on a wedged worker
      }).then(() => worker.terminate());
      return closing;
    },
  };
}
