/**
 * The click queue. The redirect handler only packs the click's raw facts into
 * a line of bytes (click-batch.ts); a timer hands everything queued to the
 * writer every flushMs (which enriches and stores it in one transaction, on
 * this thread or in the flush worker), so no visitor ever waits on the disk.
 *
 * One transaction per tick, however many clicks arrived: a transaction's cost
 * is mostly the pages it dirties, and random links dirty a page or more per
 * click, so large batches are far cheaper per click (1,000 clicks per
 * transaction: ~95 µs a click; 20,000: ~43 µs, random links over 100k). When
 * the writer falls behind, the next tick simply finds a bigger batch. A tick
 * that finds more than maxBatch (10,000) writes it all, batch after batch, so
 * while the writer keeps up a crash loses at most what was queued since the
 * last tick's write began.
 *
 * stop() drains everything (called on SIGTERM/SIGINT). A failed write puts
 * its clicks back at the front of the queue to be retried, never dropped;
 * only past maxQueue are new clicks dropped (and counted) instead of
 * exhausting memory.
 */
import { createChunkPacker, type ClickBatch, type ClickChunk } from './click-batch.ts';
import type { RawClick } from './clicks.types.ts';

export interface RecorderDeps {
  /** enriches and stores one batch atomically; a rejection means nothing of it was stored */
  write: (batch: ClickBatch) => Promise<void>;
  flushMs: number;
  /** most clicks written in one transaction */
  maxBatch?: number;
  /** clicks per packed chunk (chunks are joined as they fill, so a flush never packs much at once) */
  chunkSize?: number;
  /** past this many queued clicks new ones are dropped (and counted) */
  maxQueue?: number;
  onFlush?: (info: { clicks: number; ms: number }) => void;
  onError?: (error: unknown) => void;
  /** a click was dropped because the queue was full */
  onDrop?: () => void;
}

/** Clicks waiting past which new ones are dropped (and counted), unless a recorder is given its own bound. */
export const DEFAULT_MAX_QUEUE = 250_000;

export function createClickRecorder(deps: RecorderDeps) {
  // Past ~10,000 clicks a transaction gets little cheaper per click (bench:flush with a year of history:
  // 22-24 µs a click in batches of 10,000, 22 in batches of 20,000), while the flush worker's heap, which
  // holds a whole batch as objects at once, and so the process's peak memory, grow with it (docs/performance.md)
  const maxBatch = deps.maxBatch ?? 10_000;
  const chunkSize = deps.chunkSize ?? 1000;
  // ~150 bytes a queued click: ~40 MB at most
  const maxQueue = deps.maxQueue ?? DEFAULT_MAX_QUEUE;
  let chunks: ClickChunk[] = [];
  const packer = createChunkPacker();
  let queued = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  let inFlight: Promise<boolean> | null = null;
  let dropped = 0;
  let written = 0;
  // clicks ever queued: the queue is first in, first out, so those queued before a moment are all
  // written once `written` reaches what this was then
  let enqueued = 0;

  function seal(): void {
    const chunk = packer.seal();
    if (chunk) chunks.push(chunk);
  }

  /** Removes up to maxBatch clicks (whole chunks, at least one) from the front of the queue. */
  function take(): ClickChunk[] {
    seal();
    let n = 0;
    let i = 0;
    while (i < chunks.length && (i === 0 || n + chunks[i]!.count <= maxBatch)) n += chunks[i++]!.count;
    const taken = chunks.slice(0, i);
    chunks = chunks.slice(i);
    queued -= n;
    return taken;
  }

  /**
   * Writes everything queued when called, batch after batch when it is more
   * than maxBatch; what arrives meanwhile waits for the next tick. False when a
   * write failed. Leaving a remainder for the next tick would make the next
   * batch bigger, but under a load past maxBatch clicks a tick the queue would
   * then lag ever further behind, and a crash (kill -9) would lose the lag too.
   */
  async function drain(): Promise<boolean> {
    let left = queued;
    while (left > 0) {
      const taken = take();
      if (!taken.length) return true;
      const batch: ClickBatch = { chunks: taken.map((c) => c.bytes), count: taken.reduce((n, c) => n + c.count, 0) };
      const started = performance.now();
      try {
        await deps.write(batch);
      } catch (e) {
        chunks = taken.concat(chunks);
        queued += batch.count;
        deps.onError?.(e);
        return false;
      }
      written += batch.count;
      left -= batch.count;
      deps.onFlush?.({ clicks: batch.count, ms: performance.now() - started });
    }
    return true;
  }

  function flush(): Promise<boolean> {
    inFlight ??= drain().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  return {
    record(click: RawClick): void {
      if (queued >= maxQueue) {
        dropped++;
        deps.onDrop?.();
        return;
      }
      packer.add(click);
      queued++;
      enqueued++;
      if (packer.count >= chunkSize) seal();
    },
    start(): void {
      timer ??= setInterval(() => void flush(), deps.flushMs);
    },
    /**
     * Writes every click queued before the call: joins a write in flight, then
     * writes batches until those are all written (stopping early only if a
     * write fails: they stay queued for the next tick).
     */
    async flush(): Promise<void> {
      const mark = enqueued;
      if (inFlight) await inFlight;
      while (written < mark && (await flush()));
    },
    /** Stops the timer and writes every queued click (stopping early only if a write fails). */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      if (inFlight) await inFlight;
      while (queued > 0 && (await flush()));
    },
    get depth() {
      return queued;
    },
    get stats() {
      return { written, dropped, depth: queued };
    },
  };
}
export type ClickRecorder = ReturnType<typeof createClickRecorder>;
