/**
 * The Huffman tree of hierarchical softmax: frequent words get short codes. Word w's path is the
 * internal nodes from the root down (`points`, rows 0 … V−2 of the output matrix) and the branch taken
 * at each (`codes`, 0 or 1); training predicts label 1 − code at each node, so P(w) = Π σ(±h·node)
 * needs log₂ V dot products instead of V.
 *
 * Built exactly as gensim builds it — a binary heap ordered by count alone, Python's `heapq` step for
 * step (the first of the two popped becomes the 0 branch) — because Huffman trees that break ties
 * differently are equally short but group words differently, and the grouping shapes the vectors: on
 * Moby Dick, word2vec.c's two-queue tree gave nearest neighbours that overlapped gensim's by 0.33
 * where two gensim runs overlap by 0.43; the same tree as gensim's gives 0.44.
 */

/** Each word's path in compressed rows: word w uses `points/codes[offsets[w] … offsets[w+1])`. */
export interface HuffmanCodes {
  readonly offsets: Int32Array;
  /** Internal node ids (output rows), root first. */
  readonly points: Int32Array;
  /** The branch (0 or 1) taken at each node. */
  readonly codes: Uint8Array;
}

/**
 * Build the tree from counts sorted most frequent first (as the vocabulary is).
 * @example
 * const tree = huffmanCodes(Float64Array.of(5, 3, 2, 1));
 * tree.codes.subarray(tree.offsets[0], tree.offsets[1]); // the most frequent word: a short code
 */
export function huffmanCodes(counts: Float64Array): HuffmanCodes {
  const size = counts.length;
  if (size < 2) return { offsets: new Int32Array(size + 1), points: new Int32Array(0), codes: new Uint8Array(0) };
  const count = new Float64Array(2 * size - 1);
  count.set(counts);
  const heap = new PythonHeap(count, size);
  const binary = new Uint8Array(2 * size);
  const parent = new Int32Array(2 * size);
  for (let a = 0; a < size - 1; a++) {
    const min1 = heap.pop();
    const min2 = heap.pop();
    const made = size + a;
    count[made] = count[min1] + count[min2];
    parent[min1] = made;
    parent[min2] = made;
    binary[min2] = 1;
    heap.push(made);
  }
  const root = 2 * size - 2;
  const offsets = new Int32Array(size + 1);
  const paths: number[][] = [];
  const branches: number[][] = [];
  for (let w = 0; w < size; w++) {
    const path: number[] = [];
    const branch: number[] = [];
    for (let b = w; b !== root; b = parent[b]) {
      branch.push(binary[b]);
      path.push(parent[b] - size);
    }
    paths.push(path.reverse());
    branches.push(branch.reverse());
    offsets[w + 1] = offsets[w] + path.length;
  }
  return { offsets, points: Int32Array.from(paths.flat()), codes: Uint8Array.from(branches.flat()) };
}

/**
 * A min-heap of node ids keyed by `count[id]` alone, with CPython's `heapq` algorithms (heapify,
 * heappop, heappush: `_siftup` to a leaf then `_siftdown`), so equal counts come out in the same order
 * as in gensim.
 */
class PythonHeap {
  private readonly items: number[];

  constructor(private readonly count: Float64Array, size: number) {
    this.items = Array.from({ length: size }, (_, i) => i);
    for (let i = (size >> 1) - 1; i >= 0; i--) this.siftUp(i);
  }

  pop(): number {
    const last = this.items.pop()!;
    if (this.items.length === 0) return last;
    const top = this.items[0];
    this.items[0] = last;
    this.siftUp(0);
    return top;
  }

  push(item: number): void {
    this.items.push(item);
    this.siftDown(0, this.items.length - 1);
  }

  private siftDown(start: number, position: number): void {
    const { items, count } = this;
    const item = items[position];
    while (position > start) {
      const parentPosition = (position - 1) >> 1;
      if (!(count[item] < count[items[parentPosition]])) break;
      items[position] = items[parentPosition];
      position = parentPosition;
    }
    items[position] = item;
  }

  private siftUp(position: number): void {
    const { items, count } = this;
    const end = items.length, start = position, item = items[position];
    let child = 2 * position + 1;
    while (child < end) {
      const right = child + 1;
      if (right < end && !(count[items[child]] < count[items[right]])) child = right;
      items[position] = items[child];
      position = child;
      child = 2 * position + 1;
    }
    items[position] = item;
    this.siftDown(start, position);
  }
}
