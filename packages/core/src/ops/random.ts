/**
 * Random tensors from the Philox4x32-10 stream (see `random/philox.ts` for the exact definition).
 * One global generator per core; each call consumes ceil(n / 4) blocks, identically on every backend.
 * float16 samples are drawn in float32 and rounded to nearest even (uniform ones that would round to 1
 * become 1 − 2⁻¹¹, keeping [0, 1)), so they are identical on every backend too.
 */
import type { DType, RandomRequest } from '../backend/backend';
import { resolveBackend } from '../backend/registry';
import { checkDType, isFloating } from '../dtype';
import { DTypeError, ValueError } from '../errors';
import { blocksFor } from '../random/philox';
import { checkShape, sizeOf } from '../shape';
import type { Tensor } from '../tensor/tensor';
import type { CreationOptions } from './creation';
import { requireBackendDType, runKernel } from './dispatch';
import { castTo } from './cast';
import { minimum } from './binary';
import { noGrad } from '../autograd/grad-mode';

/**
 * PyTorch's default seed, so an unseeded program is still reproducible.
 * @example
 * manualSeed(DEFAULT_SEED); // back to the start-up stream
 */
export const DEFAULT_SEED = 67280421310721;

const TWO_32 = 4294967296;

/** The generator state: the key (seed) and the next block counter. */
export interface RngState {
  readonly seed: number;
  readonly offset: number;
}

let key: [number, number] = [DEFAULT_SEED % TWO_32, Math.floor(DEFAULT_SEED / TWO_32)];
let seedValue = DEFAULT_SEED;
let blockOffset = 0;

/**
 * Seed the generator: the same seed gives the same numbers on every backend.
 * @example
 * manualSeed(42);
 */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ValueError(`manualSeed: seed must be a non-negative safe integer, got ${seed}`);
  seedValue = seed;
  key = [seed % TWO_32, Math.floor(seed / TWO_32)];
  blockOffset = 0;
}

/**
 * The generator state, for checkpoints.
 * @example
 * const state = getRngState(); … setRngState(state);
 */
export function getRngState(): RngState {
  return { seed: seedValue, offset: blockOffset };
}

/**
 * Restore a state from {@link getRngState}.
 * @example
 * const saved = getRngState(); rand([2]); setRngState(saved); // rand([2]) repeats
 */
export function setRngState(state: RngState): void {
  manualSeed(state.seed);
  blockOffset = state.offset;
}

/** Reserve the blocks for `n` elements and return the request's key and first counter. */
function reserve(n: number): Pick<RandomRequest, 'key' | 'counter'> {
  const counter: [number, number] = [blockOffset % TWO_32, Math.floor(blockOffset / TWO_32)];
  blockOffset += blocksFor(n);
  return { key: [key[0], key[1]], counter };
}

/** The largest float16 below 1 (0x3bff): where float16 uniform samples that would round up to 1 go. */
const FLOAT16_BELOW_ONE = 1 - 2 ** -11;

function draw(op: string, shape: readonly number[], dtype: DType, request: Omit<RandomRequest, 'key' | 'counter'>, options: CreationOptions): Tensor {
  const checked = checkShape(op, shape);
  const backend = resolveBackend(options.device);
  requireBackendDType(op, backend, dtype);
  const full = { ...request, ...reserve(sizeOf(checked)) };
  // float16 samples are the float32 stream rounded to nearest even, so every backend gives the same bits.
  const drawType = dtype === 'float16' ? 'float32' : dtype;
  let out = runKernel(backend, checked, drawType, [], (output) => backend.random(output, full));
  if (drawType !== dtype) {
    const wide = out;
    out = noGrad(() => castTo(wide, dtype));
    wide.dispose();
    if (request.distribution === 'uniform') {
      // Keep [0, 1): values within 2⁻¹² of 1 round up to 1 in half precision.
      const rounded = out;
      out = noGrad(() => minimum(rounded, FLOAT16_BELOW_ONE));
      rounded.dispose();
    }
  }
  if (options.requiresGrad) out.requiresGrad = true;
  return out;
}

function floatType(op: string, options: CreationOptions): DType {
  const dtype = options.dtype ?? 'float32';
  checkDType(op, dtype);
  if (!isFloating(dtype)) throw new DTypeError(`${op}: dtype must be float16, float32 or float64, got ${dtype}`);
  return dtype;
}

/**
 * Uniform samples in [0, 1).
 * @example
 * manualSeed(0); rand([2, 3]);
 */
export function rand(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return draw('rand', shape, floatType('rand', options), { distribution: 'uniform' }, options);
}

/**
 * Standard normal samples (Box–Muller on the Philox stream).
 * @example
 * randn([784, 256]).mul(0.01);
 */
export function randn(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return draw('randn', shape, floatType('randn', options), { distribution: 'normal' }, options);
}

/**
 * Integers uniformly in `[low, high)` (int32 by default).
 * @example
 * randint(0, 10, [5]);
 */
export function randint(low: number, high: number, shape: readonly number[], options: CreationOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low || high - low > TWO_32 - 1) {
    throw new ValueError(`randint: need integers low < high with high − low < 2³², got low ${low}, high ${high}`);
  }
  const dtype = options.dtype ?? 'int32';
  checkDType('randint', dtype);
  return draw('randint', shape, dtype === 'int32' ? 'int32' : dtype, { distribution: 'randint', low, high }, options);
}

/**
 * Raw Philox words as int32 (for hashing, custom distributions, or testing a backend's stream).
 * @example
 * randomBits([4]);
 */
export function randomBits(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return draw('randomBits', shape, 'int32', { distribution: 'bits' }, options);
}
