/**
 * An open-addressing hash table keyed by a pair of non-negative int32s (two token ids), returning a
 * slot number the caller uses to index its own parallel value arrays. BPE's hot loops (encoding
 * merges, training pair counts) look pairs up millions of times; a `Map` would need a composite key
 * that is a heap number or a string.
 * @example
 * const pairs = new PairMap(); pairs.set(5, 7, 1); pairs.get(5, 7); // 1
 */
export class PairMap {
  private keysLeft: Int32Array;
  private keysRight: Int32Array;
  /** Slot → insertion index (dense, 0…size-1), -1 when empty. */
  private slotIndex: Int32Array;
  private mask: number;
  /** Number of pairs stored; indices handed out are 0…size-1 in insertion order. */
  size = 0;

  constructor(expectedSize = 1024) {
    let capacity = 16;
    while (capacity < expectedSize * 2) capacity *= 2;
    this.keysLeft = new Int32Array(capacity);
    this.keysRight = new Int32Array(capacity);
    this.slotIndex = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  private static hash(left: number, right: number): number {
    return (Math.imul(left, 0x9e3779b1) ^ Math.imul(right + 0x7f4a7c15, 0x85ebca77)) >>> 0;
  }

  /**
   * The dense index of `(left, right)`, or -1 when absent.
   * @example
   * const pairs = new PairMap(); pairs.insert(1, 2); pairs.get(1, 2); // 0
   */
  get(left: number, right: number): number {
    let slot = PairMap.hash(left, right) & this.mask;
    for (;;) {
      const index = this.slotIndex[slot]!;
      if (index < 0) return -1;
      if (this.keysLeft[slot] === left && this.keysRight[slot] === right) return index;
      slot = (slot + 1) & this.mask;
    }
  }

  /**
   * The dense index of `(left, right)`, inserting the pair (with the next index) when absent.
   * @example
   * new PairMap().insert(5, 7); // 0
   */
  insert(left: number, right: number): number {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    let slot = PairMap.hash(left, right) & this.mask;
    for (;;) {
      const index = this.slotIndex[slot]!;
      if (index < 0) {
        this.keysLeft[slot] = left;
        this.keysRight[slot] = right;
        this.slotIndex[slot] = this.size;
        return this.size++;
      }
      if (this.keysLeft[slot] === left && this.keysRight[slot] === right) return index;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const { keysLeft, keysRight, slotIndex } = this;
    const capacity = (this.mask + 1) * 2;
    this.keysLeft = new Int32Array(capacity);
    this.keysRight = new Int32Array(capacity);
    this.slotIndex = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    for (let old = 0; old < slotIndex.length; old++) {
      const index = slotIndex[old]!;
      if (index < 0) continue;
      let slot = PairMap.hash(keysLeft[old]!, keysRight[old]!) & this.mask;
      while (this.slotIndex[slot]! >= 0) slot = (slot + 1) & this.mask;
      this.keysLeft[slot] = keysLeft[old]!;
      this.keysRight[slot] = keysRight[old]!;
      this.slotIndex[slot] = index;
    }
  }
}

/**
 * A growable Int32Array (for per-pair values indexed by `PairMap` indices).
 * @example
 * const counts = new IntVector(); counts.set(3, 10); counts.get(3); // 10
 */
export class IntVector {
  data: Int32Array;
  constructor(capacity = 1024, private readonly fillValue = 0) {
    this.data = new Int32Array(capacity).fill(fillValue);
  }
  get(index: number): number {
    return index < this.data.length ? this.data[index]! : this.fillValue;
  }
  set(index: number, value: number): void {
    if (index >= this.data.length) this.reserve(index + 1);
    this.data[index] = value;
  }
  reserve(size: number): void {
    if (size <= this.data.length) return;
    let capacity = this.data.length * 2;
    while (capacity < size) capacity *= 2;
    const data = new Int32Array(capacity).fill(this.fillValue);
    data.set(this.data);
    this.data = data;
  }
}
