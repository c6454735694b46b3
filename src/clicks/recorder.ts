/**
 * The click queue. The redirect handler only pushes raw facts onto an array;
 * a timer drains it every flushMs and hands each chunk to the writer (which
 * enriches and stores it in one transaction, on this thread or in the flush
 * worker), so no visitor ever waits on the disk. stop() drains everything
 * (called on SIGTERM/SIGINT). A flush that fails puts its clicks back at the
 * front of the queue to be retried rather than dropping them.
 */
import type { RawClick } from './clicks.types.ts';

export interface RecorderDeps {
  /** enriches and stores one chunk atomically; a rejection means nothing of it was stored */
  write: (batch: RawClick[]) => Promise<void>;
  flushMs: number;
  /** clicks written per transaction */
  chunkSize?: number;
  /** past this many queued clicks new ones are dropped (and counted) instead of exhausting memory */
  maxQueue?: number;
  onFlush?: (info: { clicks: number; ms: number }) => void;
  onError?: (error: unknown) => void;
}

export function createClickRecorder(deps: RecorderDeps) {
  const chunkSize = deps.chunkSize ?? 5000;
  const maxQueue = deps.maxQueue ?? 1_000_000;
  let queue: RawClick[] = [];
  let timer: ReturnType<typeof setInterval> | null = null;
  let inFlight: Promise<void> | null = null;
  let dropped = 0;
  let written = 0;

  async function drain(): Promise<void> {
    while (queue.length) {
      const batch = queue;
      queue = [];
      for (let i = 0; i < batch.length; i += chunkSize) {
        const chunk = batch.slice(i, i + chunkSize);
        const started = performance.now();
        try {
          await deps.write(chunk);
        } catch (e) {
          queue = batch.slice(i).concat(queue);
          deps.onError?.(e);
          return;
        }
        written += chunk.length;
        deps.onFlush?.({ clicks: chunk.length, ms: performance.now() - started });
        if (i + chunkSize < batch.length) await new Promise((r) => setImmediate(r)); // let requests in between chunks
      }
    }
  }

  function flush(): Promise<void> {
    inFlight ??= drain().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  return {
    record(click: RawClick): void {
      if (queue.length >= maxQueue) {
        dropped++;
        return;
      }
      queue.push(click);
    },
    start(): void {
      timer ??= setInterval(() => void flush(), deps.flushMs);
    },
    flush,
    /** Stops the timer and writes every queued click. */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await flush();
      if (queue.length) await flush();
    },
    get depth() {
      return queue.length;
    },
    get stats() {
      return { written, dropped, depth: queue.length };
    },
  };
}
export type ClickRecorder = ReturnType<typeof createClickRecorder>;
