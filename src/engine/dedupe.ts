/**
 * "Has this registration ID been seen in this send?" for lists of any length.
 *
 * Up to `exactLimit` IDs are kept as they are. Past that, a million IDs of 160 characters
 * would take some 200 MB as strings (and each ID cut from a file keeps the chunk it was read
 * in alive), so the set switches to 64-bit hashes of them in an open-addressing table: 16
 * bytes a slot, a fixed 32 MB for a million.
 */

// LIMITATION: past 20,000 IDs duplicates are found by 64-bit hash; two distinct IDs whose
// hashes collide (about 1 in 30 million for a million IDs) would be sent as one.
const DEFAULT_EXACT_LIMIT = 20_000;

export class DedupeSet {
  private exact: Set<string> | undefined = new Set();
  private hashes: HashTable | undefined;

  constructor(private readonly exactLimit = DEFAULT_EXACT_LIMIT) {}

  /** Adds `id`; false when it was there already. */
  add(id: string): boolean {
    if (this.exact !== undefined) {
      // One lookup instead of has() then add(): the size tells whether it was new.
      const before = this.exact.size;
      if (this.exact.add(id).size === before) return false;
      if (this.exact.size > this.exactLimit) this.switchToHashes();
      return true;
    }
    return (this.hashes as HashTable).add(id);
  }

  private switchToHashes() {
    const table = new HashTable((this.exact as Set<string>).size * 2);
    for (const id of this.exact as Set<string>) table.add(id);
    this.hashes = table;
    this.exact = undefined;
  }
}

/** Open addressing over pairs of 32-bit words; the pair (0, 0) marks an empty slot. */
class HashTable {
  private slots: Uint32Array;
  private size = 0;

  constructor(expected: number) {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    this.slots = new Uint32Array(capacity * 2);
  }

  add(id: string): boolean {
    // Both halves in one pass over the ID: reading its characters is most of the cost.
    let high = 0x811c9dc5;
    let low = 0x9e3779b9;
    for (let index = 0; index < id.length; index++) {
      const code = id.charCodeAt(index);
      high = Math.imul(high ^ code, 0x01000193);
      low = Math.imul(low ^ code, 0x85ebca77);
    }
    high = finalMix(high);
    // Odd, so never 0: (0, 0) stays free to mark an empty slot.
    low = finalMix(low) | 1;
    if (!this.insert(this.slots, high, low)) return false;
    this.size++;
    if (this.size * 2 > this.slots.length / 2) this.grow();
    return true;
  }

  /** Inserts the pair; false when it is there already. */
  private insert(slots: Uint32Array, high: number, low: number): boolean {
    const mask = slots.length / 2 - 1;
    for (let slot = (high ^ low) & mask; ; slot = (slot + 1) & mask) {
      const at = slot * 2;
      const storedHigh = slots[at] as number;
      const storedLow = slots[at + 1] as number;
      if (storedHigh === 0 && storedLow === 0) {
        slots[at] = high;
        slots[at + 1] = low;
        return true;
      }
      if (storedHigh === high && storedLow === low) return false;
    }
  }

  private grow() {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (let at = 0; at < old.length; at += 2) {
      const high = old[at] as number;
      const low = old[at + 1] as number;
      if (high !== 0 || low !== 0) this.insert(this.slots, high, low);
    }
  }
}

/**
 * After FNV-1a's shape over UTF-16 code units (the two halves of a slot use different seeds and
 * multipliers, so a pair of IDs that collides in one half is no likelier to collide in the
 * other), a final mix, so IDs that differ only at the end spread across the table.
 */
function finalMix(value: number): number {
  let hash = value >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}
