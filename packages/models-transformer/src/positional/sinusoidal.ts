/**
 * The fixed sine/cosine position code of "Attention Is All You Need" (§3.5).
 */
import { tensor, tidy, ValueError, type Tensor } from '@tessera/core';
import { F, Module, type FactoryOptions } from '@tessera/nn';
import { ownBuffer } from './buffers';
import { expectDType, expectFeatures, expectPositiveInteger, expectProbability, expectRank, expectTensor } from '../validation';

/** Options of {@link SinusoidalPositionalEncoding}. */
export interface SinusoidalPositionalEncodingOptions extends FactoryOptions {
  /** Longest sequence (plus offset) it can encode (default 5000). */
  maxLen?: number;
  /** Dropout probability on the sum, in training mode (default 0). */
  dropout?: number;
  /** Inputs are `[B, T, dModel]` instead of `[T, B, dModel]` (default false). */
  batchFirst?: boolean;
}

/** Options of {@link SinusoidalPositionalEncoding.forward}. */
export interface PositionOffsetOptions {
  /** Position of the first element (default 0): the number of tokens already cached when decoding step by step. */
  offset?: number;
}

/**
 * Adds PE(pos, 2i) = sin(pos / 10000^(2i/dModel)) and PE(pos, 2i+1) = cos(pos / 10000^(2i/dModel)) to
 * its input, then applies dropout. The table `pe` `[maxLen, dModel]` is computed once in float64 and
 * held as a non-persistent buffer: `to()` moves it, `stateDict()` leaves it out (it follows from the
 * configuration, as in PyTorch's `register_buffer(..., persistent=False)`).
 *
 * Input: `[T, B, dModel]` (`[B, T, dModel]` with `batchFirst`) or unbatched `[T, dModel]`.
 * @example
 * const positions = new SinusoidalPositionalEncoding(64, { batchFirst: true });
 * const x = positions.forward(tokenEmbeddings);                  // [B, T, 64] + PE[0…T−1]
 * const next = positions.forward(newTokenEmbedding, { offset: T }); // the next position while decoding
 */
export class SinusoidalPositionalEncoding extends Module {
  readonly maxLen: number;
  readonly dropout: number;
  readonly batchFirst: boolean;

  constructor(
    readonly dModel: number,
    options: SinusoidalPositionalEncodingOptions = {},
  ) {
    super();
    const name = 'SinusoidalPositionalEncoding';
    this.maxLen = options.maxLen ?? 5000;
    this.dropout = options.dropout ?? 0;
    this.batchFirst = options.batchFirst ?? false;
    expectPositiveInteger(name, 'dModel', dModel);
    expectPositiveInteger(name, 'maxLen', this.maxLen);
    expectProbability(name, 'dropout', this.dropout);
    const factory = { dtype: options.dtype ?? 'float32', device: options.device };
    const pe = tidy(() => tensor(sinusoidalTable(this.maxLen, dModel), factory).reshape([this.maxLen, dModel]));
    this.registerBuffer('pe', pe, { persistent: false });
  }

  /** The table `[maxLen, dModel]` (a buffer: do not dispose it). @example positions.pe.shape // [5000, 64] */
  get pe(): Tensor {
    return ownBuffer(this, 'pe');
  }

  /**
   * `input + PE[offset … offset+T−1]`, with dropout in training mode; shaped like `input`.
   * @example
   * positions.forward(randn([10, 2, 64])); // sequence-first: PE broadcast over the batch
   */
  forward(input: Tensor, options: PositionOffsetOptions = {}): Tensor {
    const where = 'SinusoidalPositionalEncoding.forward';
    expectTensor(where, 'input', input);
    const layout = this.batchFirst ? '[batch, length, dModel]' : '[length, batch, dModel]';
    expectRank(where, 'input', input, [2, 3], `(batched ${layout} or unbatched [length, dModel])`);
    expectFeatures(where, 'input', input, this.dModel, 'dModel');
    const pe = this.pe;
    expectDType(where, 'input', input, pe.dtype);
    this.checkInputDevice(input, pe);
    const length = input.shape[input.ndim === 3 && this.batchFirst ? 1 : 0];
    const offset = checkOffset(where, options.offset ?? 0, length, this.maxLen);
    return tidy(() => {
      const rows = pe.narrow(0, offset, length);
      const encoding = input.ndim === 3 && !this.batchFirst ? rows.unsqueeze(1) : rows;
      return F.dropout(input.add(encoding), this.dropout, this.training);
    });
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, maxLen=${this.maxLen}${this.dropout ? `, dropout=${this.dropout}` : ''}${this.batchFirst ? ', batchFirst=true' : ''}`;
  }
}

/**
 * The sinusoidal table, row-major `[maxLen, dModel]`, in float64 (odd dModel: the last column is a sine).
 * The frequencies are computed as PyTorch's tutorial does, exp(−2i·ln(10000)/dModel).
 */
export function sinusoidalTable(maxLen: number, dModel: number): Float64Array {
  const table = new Float64Array(maxLen * dModel);
  for (let i = 0; 2 * i < dModel; i++) {
    const frequency = Math.exp((-2 * i * Math.log(10000)) / dModel);
    for (let pos = 0; pos < maxLen; pos++) {
      const angle = pos * frequency;
      table[pos * dModel + 2 * i] = Math.sin(angle);
      if (2 * i + 1 < dModel) table[pos * dModel + 2 * i + 1] = Math.cos(angle);
    }
  }
  return table;
}

/** Check a position offset: an integer ≥ 0 with offset + length ≤ maxLen. */
export function checkOffset(where: string, offset: number, length: number, maxLen: number): number {
  if (!Number.isInteger(offset) || offset < 0) throw new ValueError(`${where}: offset must be a non-negative integer, got ${offset}`);
  if (offset + length > maxLen) {
    throw new ValueError(
      `${where}: positions ${offset}…${offset + length - 1} (offset ${offset} + length ${length}) exceed maxLen ${maxLen}; build the module with a larger maxLen`,
    );
  }
  return offset;
}
