/**
 * The (link, visitor) pairs the click writer knows are stored, so that a
 * returning visitor costs no query. Exact: a pair is its link id and its whole
 * visitor hash, never a fingerprint, so a unique visit is never mistaken for
 * a repeat. Held in ArrayBuffers (32 bytes a pair, 4 MB for 100,000) rather
 * than a Set of strings, which took ~100 bytes of JS heap a pair plus the
 * garbage of a key string built for every click.
 */
const RECORD = 32; // f64 link id | u8 length | the visitor hash (ASCII, ≤ 23 bytes)
const MAX_VISITOR = RECORD - 9;

export function createVisitorPairs(maxPairs: number) {
  let slots = 8;
  while (slots < maxPairs * 2) slots *= 2;
  const mask = slots - 1;
  const index = new Int32Array(slots); // record number + 1; 0 empty
  const bytes = new Uint8Array(maxPairs * RECORD);
  const ids = new Float64Array(bytes.buffer);
  let size = 0;

  /** The index slot holding the pair, or the empty one where it would go; -1 when it cannot be held. */
  function slotOf(linkId: number, visitor: string): number {
    if (visitor.length === 0 || visitor.length > MAX_VISITOR) return -1;
    let h = Math.imul(linkId | 0, 0x9e3779b1);
    for (let i = 0; i < visitor.length; i++) {
      const c = visitor.charCodeAt(i);
      if (c > 0x7f) return -1;
      h = Math.imul(h ^ c, 0x01000193);
    }
    for (let slot = (h >>> 0) & mask; ; slot = (slot + 1) & mask) {
      const n = index[slot]!;
      if (n === 0) return slot;
      const at = (n - 1) * RECORD;
      if (ids[at >> 3] !== linkId || bytes[at + 8] !== visitor.length) continue;
      let i = 0;
      while (i < visitor.length && bytes[at + 9 + i] === visitor.charCodeAt(i)) i++;
      if (i === visitor.length) return slot;
    }
  }

  function clear(): void {
    if (size) index.fill(0);
    size = 0;
  }

  return {
    has(linkId: number, visitor: string): boolean {
      const slot = slotOf(linkId, visitor);
      return slot >= 0 && index[slot] !== 0;
    },
    /** Adds the pair; when maxPairs are held everything is forgotten first (the database still knows). */
    add(linkId: number, visitor: string): void {
      let slot = slotOf(linkId, visitor);
      if (slot < 0 || index[slot] !== 0) return;
      if (size >= maxPairs) {
        clear();
        slot = slotOf(linkId, visitor);
      }
      const at = size * RECORD;
      ids[at >> 3] = linkId;
      bytes[at + 8] = visitor.length;
      for (let i = 0; i < visitor.length; i++) bytes[at + 9 + i] = visitor.charCodeAt(i);
      index[slot] = ++size;
    },
    clear,
    get size() {
      return size;
    },
  };
}
export type VisitorPairs = ReturnType<typeof createVisitorPairs>;
