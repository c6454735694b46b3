import { afterEach, describe, expect, test } from 'bun:test';
import type { EnrichedClick, RawClick } from '../../src/clicks/clicks.types.ts';
import { packChunks, unpackClicks } from '../../src/clicks/click-batch.ts';
import { createClickRecorder, type RecorderDeps } from '../../src/clicks/recorder.ts';

const raw = (linkId: number, at = 1_700_000_000_000 + linkId): RawClick => ({
  linkId,
  at,
  ip: '203.0.113.7',
  userAgent: 'Mozilla/5.0',
  referrer: null,
  source: 'link',
});

const enrich = (r: RawClick): EnrichedClick => ({
  linkId: r.linkId,
  at: r.at,
  referrerDomain: null,
  countryCode: null,
  deviceType: 'desktop',
  os: null,
  browser: null,
  isBot: false,
  source: r.source,
  visitorHash: null,
});

/** A recorder over an in-memory "database" that remembers every batch it was given. */
function harness(overrides: Partial<RecorderDeps> = {}) {
  const batches: EnrichedClick[][] = [];
  const flushes: { clicks: number; ms: number }[] = [];
  const errors: unknown[] = [];
  const recorder = createClickRecorder({
    write: async (batch) => {
      batches.push(unpackClicks(batch.chunks).map(enrich));
    },
    flushMs: 60_000,
    onFlush: (info) => flushes.push(info),
    onError: (e) => errors.push(e),
    ...overrides,
  });
  const written = () => batches.flat().map((c) => c.linkId);
  return { recorder, batches, flushes, errors, written };
}

/** harness() whose first write waits until release() is called: a write held in flight. */
function gatedHarness() {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const h = harness({
    write: async (batch) => {
      if (h.batches.length === 0) await gate;
      h.batches.push(unpackClicks(batch.chunks).map(enrich));
    },
  });
  return { ...h, release };
}

let running: ReturnType<typeof createClickRecorder> | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

describe('click recorder', () => {
  test('queues clicks without writing, then writes them in one batch on flush', async () => {
    const h = harness();
    for (let i = 1; i <= 3; i++) h.recorder.record(raw(i));
    expect(h.batches).toHaveLength(0);
    expect(h.recorder.depth).toBe(3);

    await h.recorder.flush();
    expect(h.batches).toHaveLength(1);
    expect(h.written()).toEqual([1, 2, 3]);
    expect(h.recorder.depth).toBe(0);
    expect(h.recorder.stats.written).toBe(3);
    expect(h.flushes.map((f) => f.clicks)).toEqual([3]);
  });

  test('recording only queues: the writer (which enriches) runs at flush time', async () => {
    let writes = 0;
    const h = harness({
      write: async () => {
        writes++;
      },
    });
    h.recorder.record(raw(1));
    expect(writes).toBe(0);
    await h.recorder.flush();
    expect(writes).toBe(1);
  });

  test('everything queued goes in one write, however many chunks it was packed in', async () => {
    const h = harness({ chunkSize: 2 });
    for (let i = 1; i <= 5; i++) h.recorder.record(raw(i));
    await h.recorder.flush();
    expect(h.batches.map((b) => b.length)).toEqual([5]);
    expect(h.written()).toEqual([1, 2, 3, 4, 5]);
  });

  test('below maxBatch, clicks that arrive during a write wait for the next flush (and make it bigger)', async () => {
    const h = gatedHarness();
    h.recorder.record(raw(1));
    const first = h.recorder.flush();
    for (let i = 2; i <= 4; i++) h.recorder.record(raw(i));
    h.release();
    await first;
    expect(h.batches.map((b) => b.length)).toEqual([1]);
    expect(h.recorder.depth).toBe(3);
    await h.recorder.flush();
    expect(h.batches.map((b) => b.length)).toEqual([1, 3]);
  });

  test('flush() writes a backlog past maxBatch to the last click queued before it, in batches of maxBatch, in order', async () => {
    const h = harness({ chunkSize: 1, maxBatch: 2 });
    for (let i = 1; i <= 5; i++) h.recorder.record(raw(i));
    await h.recorder.flush();
    expect(h.batches.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(h.written()).toEqual([1, 2, 3, 4, 5]);
    expect(h.recorder.depth).toBe(0);
  });

  test('a flush with nothing queued writes nothing', async () => {
    const h = harness();
    await h.recorder.flush();
    expect(h.batches).toHaveLength(0);
  });

  test('a failing write puts its clicks back at the front and the next flush writes them', async () => {
    let fail = true;
    const h = harness({
      chunkSize: 2,
      maxBatch: 2,
      write: async (batch) => {
        const clicks = unpackClicks(batch.chunks);
        if (fail && clicks[0]!.linkId === 3) throw new Error('database is locked');
        h.batches.push(clicks.map(enrich));
      },
    });
    for (let i = 1; i <= 5; i++) h.recorder.record(raw(i));
    await h.recorder.flush();
    // the first chunk made it; the failing chunk and everything after it waits
    expect(h.written()).toEqual([1, 2]);
    expect(h.errors).toHaveLength(1);
    expect(h.recorder.depth).toBe(3);

    h.recorder.record(raw(6));
    fail = false;
    await h.recorder.flush();
    expect(h.written()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(h.recorder.depth).toBe(0);
    expect(h.recorder.stats.written).toBe(6);
  });

  test('past maxQueue new clicks are dropped and counted instead of growing memory', async () => {
    let drops = 0;
    const h = harness({ maxQueue: 2, onDrop: () => drops++ });
    for (let i = 1; i <= 5; i++) h.recorder.record(raw(i));
    expect(h.recorder.stats).toEqual({ written: 0, dropped: 3, depth: 2 });
    expect(drops).toBe(3);
    await h.recorder.flush();
    expect(h.written()).toEqual([1, 2]);
    // once drained there is room again
    h.recorder.record(raw(9));
    expect(h.recorder.depth).toBe(1);
  });

  test('flush() called while a write is in flight also writes what was queued after it started', async () => {
    const h = gatedHarness();
    h.recorder.record(raw(1));
    const timerFlush = h.recorder.flush();
    h.recorder.record(raw(2));
    const callerFlush = h.recorder.flush();
    h.release();
    await Promise.all([timerFlush, callerFlush]);
    expect(h.written()).toEqual([1, 2]);
    expect(h.recorder.depth).toBe(0);
  });

  test('concurrent flush calls share one drain', async () => {
    let writes = 0;
    const h = harness({
      write: async () => {
        writes++;
        await Bun.sleep(5);
      },
    });
    h.recorder.record(raw(1));
    await Promise.all([h.recorder.flush(), h.recorder.flush(), h.recorder.flush()]);
    expect(writes).toBe(1);
  });

  test('the timer flushes on its own once started', async () => {
    const h = harness({ flushMs: 10 });
    running = h.recorder;
    h.recorder.start();
    h.recorder.record(raw(1));
    for (let i = 0; i < 50 && h.batches.length === 0; i++) await Bun.sleep(10);
    expect(h.written()).toEqual([1]);
  });

  test('a tick writes everything queued when it fires, past maxBatch too, back to back: none of it waits for the next tick', async () => {
    const batches: { at: number; size: number }[] = [];
    const recorder = createClickRecorder({
      write: async (batch) => {
        batches.push({ at: performance.now(), size: batch.count });
      },
      flushMs: 200,
      chunkSize: 1,
      maxBatch: 2,
    });
    running = recorder;
    for (let i = 1; i <= 5; i++) recorder.record(raw(i));
    recorder.start();
    for (let i = 0; i < 100 && recorder.stats.written < 5; i++) await Bun.sleep(10);
    expect(batches.map((b) => b.size)).toEqual([2, 2, 1]);
    // the click left over past maxBatch was not left for the tick 200 ms later (a kill in between would lose it)
    expect(batches.at(-1)!.at - batches[0]!.at).toBeLessThan(100);
  });

  test('stop() drains everything, including clicks queued while a flush is in flight', async () => {
    const h = gatedHarness();
    h.recorder.start();
    h.recorder.record(raw(1));
    const first = h.recorder.flush(); // in flight, blocked on the gate
    h.recorder.record(raw(2));
    const stopped = h.recorder.stop();
    h.release();
    await Promise.all([first, stopped]);
    expect(h.written()).toEqual([1, 2]);
    expect(h.recorder.depth).toBe(0);
  });

  test('after stop() the timer no longer fires', async () => {
    let writes = 0;
    const recorder = createClickRecorder({
      write: async () => {
        writes++;
      },
      flushMs: 5,
    });
    recorder.start();
    await recorder.stop();
    recorder.record(raw(1));
    await Bun.sleep(30);
    expect(writes).toBe(0);
    expect(recorder.depth).toBe(1);
  });
});

describe('packed clicks', () => {
  test('keep at most 1,024 characters of a User-Agent or Referer (what is read of them), so 16 KB headers cannot swell the queue', () => {
    const click: RawClick = { linkId: 1, at: 5, ip: '198.51.100.1', userAgent: `Mozilla/5.0 ${'x'.repeat(16_000)}`, referrer: `https://ref.example/${'p'.repeat(16_000)}`, source: 'link' };
    const chunks = packChunks([click]);
    expect(chunks.reduce((n, c) => n + c.byteLength, 0)).toBeLessThan(2_200);
    const [back] = unpackClicks(chunks);
    expect(back!.userAgent).toBe(click.userAgent!.slice(0, 1024));
    expect(back!.referrer).toBe(click.referrer!.slice(0, 1024));
    expect(back!.ip).toBe('198.51.100.1');
  });
});
