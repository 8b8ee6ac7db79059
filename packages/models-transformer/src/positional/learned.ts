/**
 * Positions as learned vectors: a table with one row per position (BERT's and GPT-2's position embeddings).
 */
import { arange, formatShape, isFloating, tidy, zeros, DTypeError, ShapeError, type Tensor } from '@tessera/core';
import { F, Module, init, parameter, type FactoryOptions } from '@tessera/nn';
import { expectPositiveInteger, expectTensor } from '../validation';
import { checkOffset, type PositionOffsetOptions } from './sinusoidal';

/**
 * A trainable table `weight` `[maxLen, dim]` (initialised N(0, 1) as `nn.Embedding`); `forward` returns
 * the rows of positions `offset … offset+T−1`, `[T, dim]`, which broadcasts when added to `[B, T, dim]`
 * or `[T, dim]` token embeddings. T is given as a number, or read from a tensor: int32 token ids
 * `[B, T]` or `[T]` (the sequence is the last dim), or float embeddings `[B, T, dim]` or `[T, dim]`
 * (the sequence is dim −2). `offset` is the number of tokens already cached when decoding step by step.
 * The key is `weight`, so a PyTorch `nn.Embedding(maxLen, dim)` state dict loads unchanged.
 * @example
 * const positions = new LearnedPositionalEmbedding(1024, 64);
 * const x = tokens.forward(ids).add(positions.forward(ids));        // ids [B, T] → [B, T, 64]
 * const step = positions.forward(1, { offset: cachedLength });       // [1, 64] for the next token
 */
export class LearnedPositionalEmbedding extends Module {
  readonly weight: Tensor;

  constructor(
    readonly maxLen: number,
    readonly dim: number,
    options: FactoryOptions = {},
  ) {
    super();
    expectPositiveInteger('LearnedPositionalEmbedding', 'maxLen', maxLen);
    expectPositiveInteger('LearnedPositionalEmbedding', 'dim', dim);
    this.weight = parameter(zeros([maxLen, dim], { dtype: options.dtype ?? 'float32', device: options.device }));
    this.resetParameters();
  }

  /** Re-draw the table from N(0, 1). @example positions.resetParameters() */
  resetParameters(): void {
    init.normal(this.weight);
  }

  /**
   * The embeddings of positions `offset … offset+T−1`, `[T, dim]`.
   * @example
   * positions.forward(5);                 // positions 0…4
   * positions.forward(ids, { offset: 3 }); // ids [B, T]: positions 3…T+2
   */
  forward(input: number | Tensor, options: PositionOffsetOptions = {}): Tensor {
    const where = 'LearnedPositionalEmbedding.forward';
    const length = typeof input === 'number' ? input : sequenceLength(where, input, this.dim);
    if (!Number.isInteger(length) || length < 0) throw new ShapeError(`${where}: the sequence length must be a non-negative integer, got ${length}`);
    const offset = checkOffset(where, options.offset ?? 0, length, this.maxLen);
    if (typeof input !== 'number') this.checkInputDevice(input, this.weight);
    return tidy(() => F.embedding(arange(offset, offset + length, 1, { dtype: 'int32', device: this.weight.device }), this.weight));
  }

  override extraRepr(): string {
    return `maxLen=${this.maxLen}, dim=${this.dim}`;
  }
}

/** T of ids `[B, T]` / `[T]` (int32) or embeddings `[B, T, dim]` / `[T, dim]` (float). */
function sequenceLength(where: string, input: Tensor, dim: number): number {
  expectTensor(where, 'input', input);
  if (input.dtype === 'int32') {
    if (input.ndim !== 1 && input.ndim !== 2) {
      throw new ShapeError(`${where}: int32 token ids must be [batch, length] or [length], got shape ${formatShape(input.shape)}`);
    }
    return input.shape[input.ndim - 1];
  }
  if (!isFloating(input.dtype)) {
    throw new DTypeError(`${where}: input must be int32 token ids or float embeddings (or a length as a number), got ${input.dtype}`);
  }
  if ((input.ndim !== 2 && input.ndim !== 3) || input.shape[input.ndim - 1] !== dim) {
    throw new ShapeError(`${where}: float embeddings must be [batch, length, ${dim}] or [length, ${dim}], got shape ${formatShape(input.shape)}`);
  }
  return input.shape[input.ndim - 2];
}
