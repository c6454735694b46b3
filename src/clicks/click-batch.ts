/**
 * Clicks on their way from the request thread to the database travel as
 * UTF-8 text: one line per click, tab-separated, written into a byte buffer
 * when the click is recorded. Every 1,000 clicks the lines are sealed into a
 * chunk of shared memory (a SharedArrayBuffer), and a second's worth of chunks
 * reaches the flush worker without being copied.
 *
 * Both earlier forms stalled the request thread once a second: thousands of
 * click objects took milliseconds to serialise, and even as strings a
 * second's ~3 MB took 2–26 ms to copy through postMessage on this machine
 * (measured alone), which was the redirects' p99. Shared chunks post in
 * ~0.1 ms, and stay with the recorder, unchanged, for a retry if the write
 * fails.
 */
import type { RawClick } from './clicks.types.ts';

/** Packed clicks, in order: each chunk is UTF-8 lines over its own SharedArrayBuffer. */
export interface ClickBatch {
  chunks: Uint8Array[];
  count: number;
}

export interface ClickChunk {
  bytes: Uint8Array;
  count: number;
}

// Tabs and newlines separate fields and clicks; header values may carry them, so they become spaces.
// Kept to what is read of them (the parser reads 500 characters of a User-Agent, the referrer gives its host):
// whole 16 KB headers held in the queue let a redirect flood grow memory past a gigabyte.
const MAX_HEADER_KEPT = 1024;
const clean = (s: string | null) => {
  if (s === null) return '\u0000';
  const kept = s.length > MAX_HEADER_KEPT ? s.slice(0, MAX_HEADER_KEPT) : s;
  return kept.includes('\t') || kept.includes('\n') ? kept.replace(/[\t\n]/g, ' ') : kept;
};
const nul = (s: string | undefined) => (s === undefined || s === '\u0000' ? null : s);

/** One click as one line (\u0000 stands for null). */
export function packClick(c: RawClick): string {
  return `${c.linkId}\t${c.at}\t${clean(c.ip)}\t${clean(c.userAgent)}\t${clean(c.referrer)}\t${c.source}${c.viaApi ? '\tapi' : ''}\n`;
}

/**
 * Collects packed clicks in one reusable buffer; seal() copies them into a
 * chunk of shared memory of exactly their size.
 */
export function createChunkPacker(initialBytes = 256 * 1024) {
  let scratch = Buffer.alloc(initialBytes);
  let used = 0;
  let count = 0;
  return {
    add(click: RawClick): void {
      const line = packClick(click);
      // at most 3 bytes of UTF-8 per UTF-16 unit
      if (used + line.length * 3 > scratch.length) {
        let size = scratch.length * 2;
        while (used + line.length * 3 > size) size *= 2;
        const bigger = Buffer.alloc(size);
        scratch.copy(bigger, 0, 0, used);
        scratch = bigger;
      }
      used += scratch.write(line, used);
      count++;
    },
    /** The clicks added since the last seal, as a chunk; null when there are none. */
    seal(): ClickChunk | null {
      if (!count) return null;
      const bytes = new Uint8Array(new SharedArrayBuffer(used));
      bytes.set(scratch.subarray(0, used));
      const chunk = { bytes, count };
      used = count = 0;
      return chunk;
    },
    get count() {
      return count;
    },
  };
}

/** Packs clicks into chunks of at most perChunk (benchmarks and tests; the recorder packs as clicks come). */
export function packChunks(clicks: RawClick[], perChunk = 1000): Uint8Array[] {
  const packer = createChunkPacker();
  const chunks: Uint8Array[] = [];
  for (const c of clicks) {
    packer.add(c);
    if (packer.count >= perChunk) chunks.push(packer.seal()!.bytes);
  }
  const last = packer.seal();
  if (last) chunks.push(last.bytes);
  return chunks;
}

export function unpackClicks(chunks: Uint8Array[]): RawClick[] {
  const clicks: RawClick[] = [];
  for (const chunk of chunks) {
    const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
    for (const line of text.split('\n')) {
      if (!line) continue;
      const [linkId, at, ip, ua, ref, source, via] = line.split('\t');
      const click: RawClick = { linkId: Number(linkId), at: Number(at), ip: nul(ip), userAgent: nul(ua), referrer: nul(ref), source: source === 'qr' ? 'qr' : 'link' };
      if (via === 'api') click.viaApi = true;
      clicks.push(click);
    }
  }
  return clicks;
}
