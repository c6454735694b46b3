/**
 * In-memory map from code to what the redirect needs, in front of SQLite.
 * Unknown codes are cached too (as null) so a flood of random codes does not
 * become a flood of queries. Every write through the links service
 * invalidates its code.
 *
 * Held in bytes, not in JS objects. The Map of code → target object this
 * replaces cost, for 100,000 codes after 400,000 insertions, 82 MB of
 * resident memory and 37 MB of JS heap, and 24–49 µs per insertion once full
 * (taking a Map's oldest key walks past every key deleted before it); as
 * records in ArrayBuffers the same entries take 32 MB and 10 MB, ~1 µs an
 * insertion, and give the collector nothing to trace. A hit builds a fresh
 * target from its record (one object, one string: under a microsecond).
 * Links with a password, UTM, schedules or a bridge/preview page are rare
 * and keep their object, referenced from the record.
 *
 * Bounded by two generations, each an append-only arena with its own
 * open-addressing index: new entries go to the current one; when it is full
 * (half the entry bound, or its byte bound) the previous one is dropped whole
 * and the current one takes its place. That is first-in first-out eviction at
 * the grain of half the cache, with no per-entry bookkeeping. A hit is a plain
 * lookup: an evicted hot code is simply loaded again on its next visit.
 */
import type { RedirectMode, RedirectTarget } from './links.types.ts';

const MODES: readonly RedirectMode[] = ['direct', 'bridge', 'preview'];
const NO_SCHEDULES: RedirectTarget['schedules'] = Object.freeze([]);
// kinds of record
const UNKNOWN = 0; // the code names no link (cached null)
const PLAIN = 1; // a target rebuilt from the record's fields
const OBJECT = 2; // a target kept as its object (password, UTM, schedules, page)
// record layout, from an 8-byte aligned start: f64 id (or object slot) | f64 expiresAt (NaN: none) |
// u8 kind | u8 mode | u8 active | u8 code length | u32 destination bytes | code | destination
const HEADER = 24;
const MAX_CODE = 255;
const INITIAL_BYTES = 64 * 1024;
// arenas hold Float64Array views: their sizes stay multiples of 8
const align8 = (n: number) => Math.ceil(n / 8) * 8;

const encoder = new TextEncoder();
// unknown codes are cached too, so visitors choose keys: a per-process seed and a final mix keep
// them from choosing codes that all land on the same slots
const SEED = (Math.random() * 0x100000000) >>> 0;

/** Codes are short ASCII; anything else (never a real code) is simply not cached. */
function bucketOf(code: string): number {
  if (code.length > MAX_CODE) return -1;
  let h = SEED ^ 0x811c9dc5;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c > 0x7f) return -1;
    h = Math.imul(h ^ c, 0x01000193);
  }
  // murmur3's finaliser: every bit of the code reaches the low bits that pick the slot
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 1; // non-negative, so -1 can mean "not cacheable"
}

const isPlain = (t: RedirectTarget) => t.passwordHash === null && t.utm === null && t.schedules.length === 0 && t.page === null;

class Generation {
  /** per slot: record offset + 1 (0 empty, -1 a removed entry, kept so probes go on past it), then the code's bucket number */
  private index: Int32Array;
  private mask: number;
  private bytes!: Uint8Array;
  private text!: Buffer; // decodes a destination in place, no view allocated per hit
  private f64!: Float64Array;
  private u32!: Uint32Array;
  private readonly maxBytes: number;
  private head = 0;
  // slots taken, removed ones included: a generation with many invalidations turns over sooner, which costs only reloads
  private used = 0;
  private objects: (RedirectTarget | undefined)[] = [];
  live = 0;

  constructor(
    private readonly maxEntries: number,
    maxBytes: number,
  ) {
    let slots = 8;
    while (slots < maxEntries * 2) slots *= 2;
    this.index = new Int32Array(slots * 2);
    this.mask = slots - 1;
    this.maxBytes = align8(maxBytes);
    this.setArena(new Uint8Array(Math.min(INITIAL_BYTES, this.maxBytes)));
  }

  clear(): void {
    // the arena keeps its size: the next generation fills it again
    if (this.used) this.index.fill(0);
    this.head = this.used = this.live = 0;
    this.objects = [];
  }

  /** The slot holding code, or -1. The bucket beside each slot spares reading records that cannot match. */
  find(code: string, bucket: number): number {
    const { index, mask, bytes } = this;
    for (let slot = bucket & mask; ; slot = (slot + 1) & mask) {
      const v = index[slot * 2]!;
      if (v === 0) return -1;
      if (v < 0 || index[slot * 2 + 1] !== bucket) continue;
      const at = v - 1;
      if (bytes[at + 19] !== code.length) continue;
      let i = 0;
      while (i < code.length && bytes[at + HEADER + i] === code.charCodeAt(i)) i++;
      if (i === code.length) return slot;
    }
  }

  read(slot: number): RedirectTarget | null {
    const at = this.index[slot * 2]! - 1;
    const kind = this.bytes[at + 16];
    if (kind === UNKNOWN) return null;
    if (kind === OBJECT) return this.objects[this.f64[at >> 3]!]!; // present: remove() unlinks the slot with it
    const start = at + HEADER + this.bytes[at + 19]!;
    const expiresAt = this.f64[(at + 8) >> 3]!;
    return {
      id: this.f64[at >> 3]!,
      destination: this.text.toString('utf8', start, start + this.u32[(at + 20) >> 2]!),
      redirectMode: MODES[this.bytes[at + 17]!]!,
      passwordHash: null,
      expiresAt: Number.isNaN(expiresAt) ? null : expiresAt,
      isActive: this.bytes[at + 18] === 1,
      utm: null,
      schedules: NO_SCHEDULES,
      page: null,
    };
  }

  remove(code: string, bucket: number): void {
    const slot = this.find(code, bucket);
    if (slot < 0) return;
    const at = this.index[slot * 2]! - 1;
    // a kept object is let go at once: a link edited over and over must not pile up its old versions
    if (this.bytes[at + 16] === OBJECT) this.objects[this.f64[at >> 3]!] = undefined;
    this.index[slot * 2] = -1;
    this.live--;
  }

  /** Adds code (known not to be here); false when this generation is full. */
  add(code: string, bucket: number, target: RedirectTarget | null): boolean {
    if (this.used >= this.maxEntries) return false;
    const mode = target === null ? -1 : MODES.indexOf(target.redirectMode);
    const plain = target !== null && mode >= 0 && isPlain(target);
    // a URL's UTF-8 is at most 3 bytes a UTF-16 unit; the exact length is known once written
    const room = HEADER + code.length + (plain ? target.destination.length * 3 : 0) + 8;
    if (this.head + room > this.bytes.length) {
      if (this.head + room > this.maxBytes && this.head > 0) return false;
      let size = Math.max(this.bytes.length, 8);
      while (size < this.head + room) size *= 2;
      const next = new Uint8Array(align8(Math.min(size, Math.max(this.maxBytes, this.head + room))));
      next.set(this.bytes.subarray(0, this.head));
      this.setArena(next);
    }
    const at = this.head;
    const { bytes, f64, u32 } = this;
    let destBytes = 0;
    if (target === null) {
      bytes[at + 16] = UNKNOWN;
    } else if (plain) {
      bytes[at + 16] = PLAIN;
      f64[at >> 3] = target.id;
      f64[(at + 8) >> 3] = target.expiresAt ?? NaN;
      bytes[at + 17] = mode;
      bytes[at + 18] = target.isActive ? 1 : 0;
      destBytes = encoder.encodeInto(target.destination, bytes.subarray(at + HEADER + code.length)).written;
    } else {
      bytes[at + 16] = OBJECT;
      f64[at >> 3] = this.objects.push(target) - 1;
    }
    bytes[at + 19] = code.length;
    u32[(at + 20) >> 2] = destBytes;
    for (let i = 0; i < code.length; i++) bytes[at + HEADER + i] = code.charCodeAt(i);
    this.head = (at + HEADER + code.length + destBytes + 7) & ~7;

    let slot = bucket & this.mask;
    while (this.index[slot * 2]! > 0) slot = (slot + 1) & this.mask;
    if (this.index[slot * 2] === 0) this.used++;
    this.index[slot * 2] = at + 1;
    this.index[slot * 2 + 1] = bucket;
    this.live++;
    return true;
  }

  private setArena(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.text = Buffer.from(bytes.buffer);
    this.f64 = new Float64Array(bytes.buffer);
    this.u32 = new Uint32Array(bytes.buffer);
  }
}

/**
 * @param maxEntries at most this many codes are held (at least half of them once it has filled)
 * @param maxBytes at most this many bytes of records (each of the two generations gets half)
 */
export function createRedirectCache(maxEntries = 100_000, maxBytes = 32 * 1024 * 1024) {
  const perGeneration = Math.max(1, Math.floor(maxEntries / 2));
  let current = new Generation(perGeneration, maxBytes / 2);
  let previous = new Generation(perGeneration, maxBytes / 2);
  // bumped by every invalidation: a lookup read before one must not be cached after it
  let epoch = 0;

  const remove = (code: string, bucket: number) => {
    current.remove(code, bucket);
    previous.remove(code, bucket);
  };

  return {
    get(code: string): RedirectTarget | null | undefined {
      const bucket = bucketOf(code);
      if (bucket < 0) return undefined;
      let slot = current.find(code, bucket);
      if (slot >= 0) return current.read(slot);
      slot = previous.find(code, bucket);
      return slot >= 0 ? previous.read(slot) : undefined;
    },
    /** What set() is given to tell a read from before an invalidation (a write may land while the read awaits). */
    get epoch() {
      return epoch;
    },
    /** Caches what was read at `readAt` (this.epoch then), unless something was invalidated since. */
    set(code: string, target: RedirectTarget | null, readAt = epoch): void {
      if (readAt !== epoch) return;
      const bucket = bucketOf(code);
      if (bucket < 0) return;
      remove(code, bucket);
      if (current.add(code, bucket, target)) return;
      // full: the oldest half goes, the current half becomes the older one
      const dropped = previous;
      dropped.clear();
      previous = current;
      current = dropped;
      current.add(code, bucket, target);
    },
    invalidate(code: string): void {
      epoch++;
      const bucket = bucketOf(code);
      if (bucket >= 0) remove(code, bucket);
    },
    get size() {
      return current.live + previous.live;
    },
  };
}
export type RedirectCache = ReturnType<typeof createRedirectCache>;
