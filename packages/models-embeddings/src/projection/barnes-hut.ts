/**
 * The Barnes–Hut approximation of t-SNE's repulsive forces in 2-D, as scikit-learn's quad tree does
 * it: cells split at their centre, each holding its points' barycentre and count; a point sees a
 * whole cell as one body at its barycentre when the cell is small from where it stands —
 * max width² / distance² < θ² — and a leaf at distance ≈ 0 (the point itself, or its duplicates)
 * not at all.
 */

/** scikit-learn's duplicate threshold. */
const EPSILON = 1e-6;

/** A 2-D quad tree over points, rebuilt every iteration. Cells live in flat arrays. */
export class QuadTree {
  private capacity = 0;
  private cells = 0;
  private minX: Float64Array<ArrayBuffer> = new Float64Array(0);
  private minY = new Float64Array(0);
  private maxX = new Float64Array(0);
  private maxY = new Float64Array(0);
  private baryX = new Float64Array(0);
  private baryY = new Float64Array(0);
  private size = new Float64Array(0);
  private squaredWidth = new Float64Array(0);
  private leaf = new Uint8Array(0);
  private children = new Int32Array(0);
  private stack = new Int32Array(64);

  /** Build the tree of `n` points (x, y interleaved in `points`). */
  build(points: Float64Array, n: number): void {
    this.cells = 0;
    let [lowX, lowY, highX, highY] = [Infinity, Infinity, -Infinity, -Infinity];
    for (let i = 0; i < n; i++) {
      [lowX, highX] = [Math.min(lowX, points[2 * i]), Math.max(highX, points[2 * i])];
      [lowY, highY] = [Math.min(lowY, points[2 * i + 1]), Math.max(highY, points[2 * i + 1])];
    }
    // scikit-learn widens the upper bounds a little so no point sits on them.
    const widen = (high: number): number => Math.max(high * (1 + 1e-3 * Math.sign(high)), high + 1e-3);
    this.newCell(lowX, lowY, widen(highX), widen(highY));
    for (let i = 0; i < n; i++) this.insert(points[2 * i], points[2 * i + 1]);
  }

  /**
   * The repulsive force on the point at (x, y), unnormalised, added into `force` (2 values), and its
   * share of the normaliser Z = Σ (1 + d²)⁻¹ (returned), with Barnes–Hut angle `theta`.
   */
  repulsion(x: number, y: number, theta: number, force: Float64Array): number {
    const squaredTheta = theta * theta;
    let sumQ = 0;
    let top = 0;
    this.stack[top++] = 0;
    while (top > 0) {
      const cell = this.stack[--top];
      if (this.size[cell] === 0) continue;
      const dx = x - this.baryX[cell];
      const dy = y - this.baryY[cell];
      const squaredDistance = dx * dx + dy * dy;
      const isLeaf = this.leaf[cell] === 1;
      if (isLeaf && squaredDistance <= EPSILON) continue; // itself, or its duplicates
      if (isLeaf || this.squaredWidth[cell] / squaredDistance < squaredTheta) {
        const q = 1 / (1 + squaredDistance);
        const count = this.size[cell];
        sumQ += count * q;
        const pull = count * q * q;
        force[0] += pull * dx;
        force[1] += pull * dy;
        continue;
      }
      if (top + 4 > this.stack.length) {
        const grown = new Int32Array(this.stack.length * 2);
        grown.set(this.stack);
        this.stack = grown;
      }
      for (let c = 3; c >= 0; c--) {
        const child = this.children[4 * cell + c];
        if (child !== -1) this.stack[top++] = child;
      }
    }
    return sumQ;
  }

  private insert(x: number, y: number): void {
    let cell = 0;
    for (;;) {
      if (this.size[cell] === 0) {
        [this.baryX[cell], this.baryY[cell], this.size[cell]] = [x, y, 1];
        return;
      }
      if (this.leaf[cell] === 1) {
        if (Math.abs(x - this.baryX[cell]) <= EPSILON && Math.abs(y - this.baryY[cell]) <= EPSILON) {
          this.size[cell] += 1; // a duplicate stays in the leaf
          return;
        }
        // Split: the leaf's point moves to a child, and the cell becomes internal.
        const child = this.childFor(cell, this.baryX[cell], this.baryY[cell]);
        [this.baryX[child], this.baryY[child], this.size[child]] = [this.baryX[cell], this.baryY[cell], this.size[cell]];
        this.leaf[cell] = 0;
      }
      const count = this.size[cell];
      this.baryX[cell] = (this.baryX[cell] * count + x) / (count + 1);
      this.baryY[cell] = (this.baryY[cell] * count + y) / (count + 1);
      this.size[cell] = count + 1;
      cell = this.childFor(cell, x, y);
    }
  }

  /** The child of `cell` on (x, y)'s side of its centre, made (empty) when missing. */
  private childFor(cell: number, x: number, y: number): number {
    const centreX = (this.minX[cell] + this.maxX[cell]) / 2;
    const centreY = (this.minY[cell] + this.maxY[cell]) / 2;
    const quadrant = (x >= centreX ? 1 : 0) + (y >= centreY ? 2 : 0);
    const existing = this.children[4 * cell + quadrant];
    if (existing !== -1) return existing;
    const child = this.newCell(
      x >= centreX ? centreX : this.minX[cell],
      y >= centreY ? centreY : this.minY[cell],
      x >= centreX ? this.maxX[cell] : centreX,
      y >= centreY ? this.maxY[cell] : centreY,
    );
    this.children[4 * cell + quadrant] = child;
    return child;
  }

  private newCell(minX: number, minY: number, maxX: number, maxY: number): number {
    if (this.cells === this.capacity) this.grow();
    const cell = this.cells++;
    [this.minX[cell], this.minY[cell], this.maxX[cell], this.maxY[cell]] = [minX, minY, maxX, maxY];
    this.squaredWidth[cell] = Math.max((maxX - minX) ** 2, (maxY - minY) ** 2);
    [this.baryX[cell], this.baryY[cell], this.size[cell], this.leaf[cell]] = [0, 0, 0, 1];
    this.children.fill(-1, 4 * cell, 4 * cell + 4);
    return cell;
  }

  private grow(): void {
    const capacity = Math.max(64, this.capacity * 2);
    const float = (old: Float64Array): Float64Array<ArrayBuffer> => {
      const grown = new Float64Array(capacity);
      grown.set(old);
      return grown;
    };
    [this.minX, this.minY, this.maxX, this.maxY] = [float(this.minX), float(this.minY), float(this.maxX), float(this.maxY)];
    [this.baryX, this.baryY, this.size, this.squaredWidth] = [float(this.baryX), float(this.baryY), float(this.size), float(this.squaredWidth)];
    const leaf = new Uint8Array(capacity);
    leaf.set(this.leaf);
    const children = new Int32Array(4 * capacity);
    children.set(this.children);
    [this.leaf, this.children, this.capacity] = [leaf, children, capacity];
  }
}
