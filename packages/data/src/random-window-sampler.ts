/**
 * RandomWindowSampler: endless batches of random windows of a token stream, the way nanoGPT's
 * `get_batch` feeds a language model — inputs `x` and next-token targets `y = x` shifted by one.
 */
import { ValueError, tensor, type Tensor } from '@tessera/core';
import { SeededRandom, checkSeed, resolveSeed } from './random';

/** Options of {@link RandomWindowSampler}. */
export interface RandomWindowSamplerOptions {
  /** Tokens per window (the model's context length, nanoGPT's `block_size`). */
  blockSize: number;
  /** Windows per batch. */
  batchSize: number;
  /**
   * Seed of the window positions: the same seed gives the same batches on every run and machine. Without it
   * a seed is drawn once from core's global generator, so `manualSeed` still fixes the batches. Give the
   * training and validation samplers different seeds.
   */
  seed?: number;
  /** Backend of the batch tensors (default: the current one). */
  device?: string;
}

/** The position of a {@link RandomWindowSampler}, as returned by `stateDict()`. */
export interface RandomWindowSamplerState {
  /** The sampler's seed (a resumed sampler must have been made with the same one). */
  seed: number;
  /** Batches handed out so far; the next batch is batch number `batchesDrawn`. */
  batchesDrawn: number;
}

/** Token arrays the sampler reads without copying (a `Uint16Array` holds a GPT-2 token file in half the memory). */
export type TokenArray = Int32Array | Uint32Array | Uint16Array | Int16Array | Uint8Array | Int8Array | readonly number[];

const INT32_LIMIT = 2 ** 31;

/**
 * An infinite, seeded source of language-model batches. Batch `k` picks `batchSize` window starts uniformly
 * in `[0, tokens.length − blockSize)` and yields int32 tensors `[x, y]`, both `[batchSize, blockSize]`, with
 * `x[b] = tokens[s_b … s_b + blockSize)` and `y[b] = tokens[s_b + 1 … s_b + blockSize + 1)` — nanoGPT's
 * `get_batch` (which draws with `torch.randint`; here Philox4x32-10 keyed by the seed, stream `k`).
 *
 * Batch `k` depends only on the seed and `k`, never on what came before, so the sampler's whole state is
 * the number of batches drawn: `stateDict()` / `loadStateDict()` resume it exactly (`fit` saves them in its
 * checkpoints). Iterating never ends — use it with `fit`'s `steps` and `evalBatches`, or `break`. Each
 * batch's tensors belong to the caller, who disposes them (`fit` does).
 * @example
 * const tokens = Int32Array.from(tokenizer.encode(text));
 * const train = new RandomWindowSampler(tokens.subarray(0, n90), { blockSize: 256, batchSize: 64, seed: 1337 });
 * const val = new RandomWindowSampler(tokens.subarray(n90), { blockSize: 256, batchSize: 64, seed: 1338 });
 * const [x, y] = train.sample(); // int32 [64, 256] each; y is x shifted left by one token
 */
export class RandomWindowSampler implements Iterable<[Tensor, Tensor]> {
  readonly tokens: TokenArray;
  readonly blockSize: number;
  readonly batchSize: number;
  /** The seed (given, or drawn from core's generator when the sampler was made). */
  readonly seed: number;
  readonly device: string | undefined;
  private drawn = 0;

  constructor(tokens: TokenArray, options: RandomWindowSamplerOptions) {
    const owner = 'RandomWindowSampler';
    if (tokens === null || typeof tokens !== 'object' || typeof (tokens as { length?: unknown }).length !== 'number') {
      throw new ValueError(`${owner}: expected the token ids as an Int32Array, Uint16Array or number[], got ${tokens === null ? 'null' : typeof tokens}`);
    }
    const { blockSize, batchSize } = options ?? ({} as RandomWindowSamplerOptions);
    if (!Number.isInteger(blockSize) || blockSize < 1) throw new ValueError(`${owner}: blockSize must be a positive integer, got ${String(blockSize)}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError(`${owner}: batchSize must be a positive integer, got ${String(batchSize)}`);
    if (tokens.length <= blockSize) {
      throw new ValueError(`${owner}: a window of ${blockSize} tokens and its shifted target need at least ${blockSize + 1} tokens, got ${tokens.length}`);
    }
    checkTokenIds(owner, tokens);
    this.tokens = tokens;
    this.blockSize = blockSize;
    this.batchSize = batchSize;
    this.seed = resolveSeed(options.seed, owner);
    this.device = options.device;
  }

  /** Batches handed out so far (the index of the next batch). */
  get batchesDrawn(): number {
    return this.drawn;
  }

  /**
   * The window starts of batch `index` (pure: the same numbers whatever was drawn before).
   * @example
   * sampler.windowStarts(0); // Int32Array of batchSize starts in [0, tokens.length − blockSize)
   */
  windowStarts(index: number): Int32Array {
    if (!Number.isSafeInteger(index) || index < 0) throw new ValueError(`RandomWindowSampler.windowStarts: index must be a non-negative integer, got ${index}`);
    const bound = this.tokens.length - this.blockSize;
    const random = new SeededRandom(this.seed, index);
    const starts = new Int32Array(this.batchSize);
    for (let b = 0; b < this.batchSize; b++) starts[b] = random.nextInt(bound);
    return starts;
  }

  /**
   * Draw the next batch `[x, y]`: int32 tensors `[batchSize, blockSize]`, `y` being `x` shifted by one token.
   * @example
   * const [x, y] = sampler.sample();
   */
  sample(): [Tensor, Tensor] {
    const starts = this.windowStarts(this.drawn);
    const { tokens, blockSize, batchSize } = this;
    const inputs = new Int32Array(batchSize * blockSize);
    const targets = new Int32Array(batchSize * blockSize);
    for (let b = 0; b < batchSize; b++) {
      const start = starts[b];
      const row = b * blockSize;
      for (let t = 0; t < blockSize; t++) {
        inputs[row + t] = tokens[start + t];
        targets[row + t] = tokens[start + t + 1];
      }
    }
    this.drawn++;
    const shape = [batchSize, blockSize];
    return [tensor(inputs, { dtype: 'int32', shape, device: this.device }), tensor(targets, { dtype: 'int32', shape, device: this.device })];
  }

  /** Endless batches (each `for … of` continues where the last one stopped). */
  *[Symbol.iterator](): Iterator<[Tensor, Tensor]> {
    for (;;) yield this.sample();
  }

  /**
   * The sampler's position, as plain numbers.
   * @example
   * const saved = sampler.stateDict(); // { seed: 1337, batchesDrawn: 500 }
   */
  stateDict(): RandomWindowSamplerState {
    return { seed: this.seed, batchesDrawn: this.drawn };
  }

  /**
   * Continue from a {@link stateDict}: the next batch is the one the saved sampler would have drawn next.
   * @example
   * sampler.loadStateDict(saved);
   */
  loadStateDict(state: RandomWindowSamplerState): void {
    const owner = 'RandomWindowSampler.loadStateDict';
    const { seed, batchesDrawn } = (state ?? {}) as Partial<RandomWindowSamplerState>;
    if (typeof seed !== 'number' || typeof batchesDrawn !== 'number' || !Number.isSafeInteger(batchesDrawn) || batchesDrawn < 0) {
      throw new ValueError(`${owner}: expected { seed, batchesDrawn } as returned by stateDict(), got ${JSON.stringify(state)}`);
    }
    checkSeed(owner, seed);
    if (seed !== this.seed) throw new ValueError(`${owner}: the state was saved by a sampler with seed ${seed}, but this one has seed ${this.seed}`);
    this.drawn = batchesDrawn;
  }
}

/** Token ids must be int32 integers; typed integer arrays narrower than 32 bits always are. */
function checkTokenIds(owner: string, tokens: TokenArray): void {
  if (tokens instanceof Int32Array || tokens instanceof Uint16Array || tokens instanceof Int16Array || tokens instanceof Uint8Array || tokens instanceof Int8Array) return;
  for (let i = 0; i < tokens.length; i++) {
    const id = tokens[i];
    if (!Number.isInteger(id) || id < -INT32_LIMIT || id >= INT32_LIMIT) {
      throw new ValueError(`${owner}: token ${i} is ${id}, expected an integer id that fits int32`);
    }
  }
}
