/**
 * A prefix tree over vocabulary pieces by UTF-16 code unit. Walking it from a text position visits
 * exactly the pieces that start there and stops at the longest prefix any piece shares with the text,
 * so a lattice step costs the length of the longest match, not of the longest piece in the vocabulary
 * (one 100,000-character piece no longer makes every position scan 100,000 lengths).
 */
export class PieceTrie {
  /** `parent * 0x10000 + codeUnit` → child node; node 0 is the root. */
  private readonly edges = new Map<number, number>();
  /** Piece id ending at each node, or -1. */
  private ids = new Int32Array(64).fill(-1);
  private nodeCount = 1;

  /**
   * Adds `piece` with `id`; a piece already present keeps its first id.
   * @example
   * const trie = new PieceTrie(); trie.insert('ab', 3);
   */
  insert(piece: string, id: number): void {
    let node = 0;
    for (let i = 0; i < piece.length; i++) {
      const key = node * 0x10000 + piece.charCodeAt(i);
      let child = this.edges.get(key);
      if (child === undefined) {
        child = this.nodeCount++;
        if (child >= this.ids.length) {
          const grown = new Int32Array(this.ids.length * 2).fill(-1);
          grown.set(this.ids);
          this.ids = grown;
        }
        this.edges.set(key, child);
      }
      node = child;
    }
    if (this.ids[node] === -1) this.ids[node] = id;
  }

  /**
   * Calls `visit(length, id)` for every piece that is a prefix of `text.slice(start)`, shortest first.
   * @example
   * trie.forEachPrefix('abc', 0, (length, id) => console.log(length, id)); // 2 3
   */
  forEachPrefix(text: string, start: number, visit: (length: number, id: number) => void): void {
    let node = 0;
    for (let i = start; i < text.length; i++) {
      const child = this.edges.get(node * 0x10000 + text.charCodeAt(i));
      if (child === undefined) return;
      node = child;
      const id = this.ids[node]!;
      if (id !== -1) visit(i + 1 - start, id);
    }
  }
}
