/**
 * Rotary position embeddings (RoFormer, Su et al. 2021) in the rotate-half layout of GPT-NeoX and Llama.
 */
import { cat, formatShape, tensor, tidy, ShapeError, ValueError, type Tensor } from '@tessera/core';
import { Module, type FactoryOptions } from '@tessera/nn';
import { expectDType, expectPositiveInteger, expectTensor } from '../validation';
import { ownBuffer } from './buffers';
import { checkOffset } from './sinusoidal';

/** Options of {@link RotaryEmbedding}. */
export interface RotaryEmbeddingOptions extends FactoryOptions {
  /** θ of the frequencies θ^(−2i/dim) (default 10000). */
  base?: number;
  /** Longest sequence (plus offset) it can rotate (default 2048). */
  maxLen?: number;
}

/** Options of {@link RotaryEmbedding.apply} and {@link RotaryEmbedding.rotate}. */
export interface RotaryApplyOptions {
  /** Position of the first element (default 0): the number of tokens already in the KV cache. */
  offset?: number;
  /** The sequence dim of the inputs (default −2, as in `[B, heads, T, headDim]`; −3 for `[B, T, heads, headDim]`). */
  seqDim?: number;
}

/**
 * Rotary position embeddings: each query and key vector is rotated by angles proportional to its
 * position, so q·k depends on the positions only through their difference.
 *
 * Convention (GPT-NeoX / Llama, "rotate half"): the feature pairs are (x_i, x_{i+dim/2}) for
 * i < dim/2, not adjacent pairs (x_{2i}, x_{2i+1}) as in the RoFormer paper and GPT-J. With
 * inv_freq_i = base^(−2i/dim), angle θ_{p,i} = p·inv_freq_i, and cos, sin the `[maxLen, dim]` tables
 * cat(cos θ, cos θ), cat(sin θ, sin θ):
 * ```text
 * rotate_half(x) = cat(−x[dim/2:], x[:dim/2])
 * x′ = x·cos[p] + rotate_half(x)·sin[p]
 * ```
 * which is exactly Hugging Face Llama's `apply_rotary_pos_emb`, so checkpoints whose q/k projections
 * are laid out for it (Llama, Mistral, GPT-NeoX, Qwen) work unchanged. When the last dim of the input
 * is larger than `dim`, only its first `dim` features are rotated and the rest pass through (GPT-NeoX's
 * partial rotary).
 *
 * `inv_freq` `[dim/2]`, `cos_cached` and `sin_cached` `[maxLen, dim]` are non-persistent buffers
 * (computed in float64, stored in the module's dtype): `to()` moves them, `stateDict()` leaves them out.
 * @example
 * const rope = new RotaryEmbedding(64);
 * const [qRot, kRot] = rope.apply(q, k);                        // q, k [B, heads, T, 64]
 * const [qStep, kStep] = rope.apply(qNew, kNew, { offset: T }); // the next token during cached decoding
 */
export class RotaryEmbedding extends Module {
  readonly base: number;
  readonly maxLen: number;

  constructor(
    readonly dim: number,
    options: RotaryEmbeddingOptions = {},
  ) {
    super();
    const name = 'RotaryEmbedding';
    expectPositiveInteger(name, 'dim (headDim)', dim);
    if (dim % 2 !== 0) throw new ValueError(`${name}: dim (headDim) must be even to rotate pairs of features, got ${dim}`);
    this.base = options.base ?? 10000;
    if (!(this.base > 0) || !Number.isFinite(this.base)) throw new ValueError(`${name}: base must be a positive number, got ${this.base}`);
    this.maxLen = options.maxLen ?? 2048;
    expectPositiveInteger(name, 'maxLen', this.maxLen);
    const factory = { dtype: options.dtype ?? 'float32', device: options.device };
    const half = dim / 2;
    const inverseFrequency = Float64Array.from({ length: half }, (_, i) => 1 / this.base ** ((2 * i) / dim));
    const cos = new Float64Array(this.maxLen * dim);
    const sin = new Float64Array(this.maxLen * dim);
    for (let position = 0; position < this.maxLen; position++) {
      for (let i = 0; i < half; i++) {
        const angle = position * inverseFrequency[i];
        cos[position * dim + i] = cos[position * dim + i + half] = Math.cos(angle);
        sin[position * dim + i] = sin[position * dim + i + half] = Math.sin(angle);
      }
    }
    const table = (values: Float64Array) => tidy(() => tensor(values, factory).reshape([this.maxLen, dim]));
    this.registerBuffer('inv_freq', tensor(inverseFrequency, factory), { persistent: false });
    this.registerBuffer('cos_cached', table(cos), { persistent: false });
    this.registerBuffer('sin_cached', table(sin), { persistent: false });
  }

  /** cos θ `[maxLen, dim]` (a buffer: do not dispose it). @example rope.cos.narrow(0, 0, T) */
  get cos(): Tensor {
    return ownBuffer(this, 'cos_cached');
  }

  /** sin θ `[maxLen, dim]` (a buffer: do not dispose it). */
  get sin(): Tensor {
    return ownBuffer(this, 'sin_cached');
  }

  /**
   * Rotate queries and keys of the same positions (`offset …`); each is `[..., T, ..., features]` with
   * T at `seqDim` and features ≥ dim. Returns `[q′, k′]` shaped like the inputs.
   * @example
   * const [qRot, kRot] = rope.apply(q, k, { offset: cache.length });
   */
  override apply(q: Tensor, k: Tensor, options?: RotaryApplyOptions): [Tensor, Tensor];
  /** Module's `apply(fn)`: call `fn` on this module (it has no submodules). @example rope.apply((m) => m.eval()) */
  override apply(fn: (module: Module) => void): this;
  override apply(q: Tensor | ((module: Module) => void), k?: Tensor, options: RotaryApplyOptions = {}): [Tensor, Tensor] | this {
    // The name is both Module's apply(fn) (walked by a parent's apply) and the rotation.
    if (typeof q === 'function') return super.apply(q);
    const where = 'RotaryEmbedding.apply';
    expectTensor(where, 'q', q);
    expectTensor(where, 'k', k);
    const qLength = q.shape[this.seqAxis(where, 'q', q, options.seqDim)];
    const kLength = k.shape[this.seqAxis(where, 'k', k, options.seqDim)];
    if (qLength !== kLength) {
      throw new ShapeError(
        `${where}: q and k must cover the same positions (the same length along seqDim ${options.seqDim ?? -2}), got shapes ${formatShape(q.shape)} and ${formatShape(k.shape)}; rotate them separately with rotate() and their own offsets`,
      );
    }
    return [this.rotate(q, options, where, 'q'), this.rotate(k, options, where, 'k')];
  }

  /** Same as {@link RotaryEmbedding.apply} (the Module entry point). @example rope.forward(q, k) */
  forward(q: Tensor, k: Tensor, options: RotaryApplyOptions = {}): [Tensor, Tensor] {
    return this.apply(q, k, options);
  }

  /**
   * Rotate one tensor `[..., T, ..., features]` (T at `seqDim`) by the angles of positions `offset …`.
   * @example
   * const kRot = rope.rotate(k, { offset: 0 });
   */
  rotate(x: Tensor, options: RotaryApplyOptions = {}, where = 'RotaryEmbedding.rotate', what = 'x'): Tensor {
    expectTensor(where, what, x);
    const axis = this.seqAxis(where, what, x, options.seqDim);
    const features = x.shape[x.ndim - 1];
    if (features < this.dim) {
      throw new ShapeError(`${where}: ${what} has ${features} features in its last dim (shape ${formatShape(x.shape)}), fewer than the rotary dim ${this.dim}`);
    }
    const cosTable = this.cos;
    expectDType(where, what, x, cosTable.dtype);
    this.checkInputDevice(x, cosTable);
    const length = x.shape[axis];
    const offset = checkOffset(where, options.offset ?? 0, length, this.maxLen);
    return tidy(() => {
      // [T, dim] viewed as [T, 1, …, 1, dim] so it broadcasts over the dims between seqDim and the features.
      const broadcastShape = [length, ...Array<number>(x.ndim - 2 - axis).fill(1), this.dim];
      const cos = cosTable.narrow(0, offset, length).reshape(broadcastShape);
      const sin = this.sin.narrow(0, offset, length).reshape(broadcastShape);
      const rotary = features === this.dim ? x : x.narrow(-1, 0, this.dim);
      const half = this.dim / 2;
      const rotatedHalf = cat([rotary.narrow(-1, half, half).neg(), rotary.narrow(-1, 0, half)], -1);
      const rotated = rotary.mul(cos).add(rotatedHalf.mul(sin));
      return features === this.dim ? rotated : cat([rotated, x.narrow(-1, this.dim, features - this.dim)], -1);
    });
  }

  /** The non-negative index of the sequence dim, which must come before the feature dim. */
  private seqAxis(where: string, what: string, x: Tensor, seqDim = -2): number {
    const axis = seqDim < 0 ? seqDim + x.ndim : seqDim;
    if (!Number.isInteger(seqDim) || axis < 0 || axis >= x.ndim - 1) {
      throw new ShapeError(
        `${where}: seqDim ${seqDim} must name a dim before the last (feature) dim of ${what}, shape ${formatShape(x.shape)}; expected e.g. [batch, heads, length, headDim] with seqDim −2`,
      );
    }
    return axis;
  }

  override extraRepr(): string {
    return `dim=${this.dim}, base=${this.base}, maxLen=${this.maxLen}`;
  }
}
