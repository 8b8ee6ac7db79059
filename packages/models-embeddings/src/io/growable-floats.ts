/**
 * A float32 array that grows while a file of unknown length is read (GloVe files have no header),
 * then is trimmed to its length. Where resizable ArrayBuffers exist (Node 20, current browsers) it
 * grows and shrinks in place — address space is reserved up front and memory committed as it grows —
 * so the peak is the final matrix plus at most one growth step. Elsewhere it grows geometrically by
 * copying (×1.5) and trims with one last copy.
 */

/** Growth factor of each resize. */
const GROWTH = 1.5;
/** Address space reserved for a resizable buffer when the caller has no better bound (4 GiB). */
const DEFAULT_MAX_BYTES = 2 ** 32;

interface ResizableBuffer extends ArrayBuffer {
  resize(byteLength: number): void;
  readonly maxByteLength: number;
}

type ResizableConstructor = new (byteLength: number, options: { maxByteLength: number }) => ResizableBuffer;

/** A Float32Array that grows; `values` is valid up to `length` until the next `reserve`. */
export class GrowableFloats {
  values: Float32Array;
  length = 0;
  private readonly resizable: ResizableBuffer | undefined;

  /** @param maxLength an upper bound on the final length, when one is known (e.g. from the input's size). */
  constructor(initial = 1 << 16, maxLength?: number) {
    const maxBytes = Math.min(DEFAULT_MAX_BYTES, Math.max(initial, maxLength ?? Infinity) * 4);
    this.resizable = tryResizable(initial * 4, maxBytes);
    this.values = this.resizable ? new Float32Array(this.resizable) : new Float32Array(initial);
  }

  /** Make room for `extra` more values. */
  reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.values.length) return;
    const capacity = Math.max(needed, Math.ceil(this.values.length * GROWTH));
    if (this.resizable && capacity * 4 <= this.resizable.maxByteLength) {
      this.resizable.resize(capacity * 4); // the length-tracking view follows
      return;
    }
    const grown = new Float32Array(capacity);
    grown.set(this.values.subarray(0, this.length));
    this.values = grown;
  }

  /** The values, trimmed to `length` (in place when resizable). */
  finish(): Float32Array {
    if (this.resizable && this.values.buffer === this.resizable) {
      this.resizable.resize(this.length * 4);
      return new Float32Array(this.resizable, 0, this.length);
    }
    return this.length === this.values.length ? this.values : this.values.slice(0, this.length);
  }
}

function tryResizable(bytes: number, maxBytes: number): ResizableBuffer | undefined {
  try {
    const buffer = new (ArrayBuffer as unknown as ResizableConstructor)(bytes, { maxByteLength: Math.max(bytes, maxBytes) });
    return typeof buffer.resize === 'function' && buffer.maxByteLength >= bytes ? buffer : undefined;
  } catch {
    return undefined;
  }
}
