/**
 * The float64 reference backend: the oracle every other backend is compared against.
 *
 * Design: the simplest code that is obviously correct. No pooling, no fast paths, no fused loops.
 * - Each buffer keeps a typed array of its dtype (bool is a Uint8Array of 0/1; float16 keeps its values,
 *   already rounded to binary16, in a Float64Array and converts to and from bit patterns in write/read).
 * - Every kernel reads its inputs element by element through {@link elementOffset}, the one
 *   strided-index helper (strides may be 0 or negative), does all math on float64 JS numbers, and
 *   stores the result into the output dtype with {@link storeValue}. So float16 results are the exact
 *   float64 result rounded once to binary16: per-op rounding, as a float16 device stores it.
 * - Semantics follow the doc comments in `backend/backend.ts` exactly; where they are silent,
 *   PyTorch's behaviour is used and noted.
 *
 * Speed is irrelevant here; a backend under test is never compared with anything but this file.
 */
import {
  BACKEND_API_VERSION,
  type Backend,
  type BackendCapabilities,
  type BackendMemory,
  type BackendPlugin,
  type BinaryOp,
  type BufferRange,
  type Conv2dParams,
  type DataArray,
  type DataId,
  type DType,
  type FusedActivation,
  type OptimizerStepRequest,
  type OutputBuffer,
  type Pool2dParams,
  type RandomRequest,
  type ReduceOp,
  type StridedView,
  type UnaryOp,
  type Word2VecStepRequest,
} from '../backend/backend';
import { BackendError, DTypeError, ShapeError, ValueError } from '../errors';
import { fillPhiloxStream } from '../random/philox';
import { applyFusedActivation, erf, floatToInt32, intPow, roundHalfToEven, stableSigmoid } from '../backend/scalar-math';
import { arrayFor, isFloating, itemSize } from '../dtype';
import { float16BitsToFloat32, roundToFloat16, toFloat16Bits } from '../float16';
import { contiguousStrides, elementSpan, sizeOf } from '../shape';
import { stableArgsort } from '../backend/sort-order';
import { word2vecStepRange } from '../backend/word2vec-step';

/** One buffer of the reference backend: a typed array of the buffer's dtype. */
class ReferenceStorage {
  freed = false;
  constructor(
    readonly dtype: DType,
    readonly data: DataArray,
  ) {}
}





/**
 * The storage offset of the element with row-major flat index `flat` in `view`:
 * `offset + Σ index[k] · strides[k]`. The one place where strided indexing happens.
 */
function elementOffset(view: StridedView, flat: number): number {
  let remaining = flat;
  let position = view.offset;
  for (let dim = view.shape.length - 1; dim >= 0; dim--) {
    const extent = view.shape[dim];
    const index = remaining % extent;
    remaining = (remaining - index) / extent;
    position += index * view.strides[dim];
  }
  return position;
}

/** Storage offset of the element at multi-index `index` of `view`. */
function offsetAt(view: StridedView, index: readonly number[]): number {
  let position = view.offset;
  for (let dim = 0; dim < index.length; dim++) position += index[dim] * view.strides[dim];
  return position;
}

/** Row-major multi-index of flat index `flat` in `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  let remaining = flat;
  for (let dim = shape.length - 1; dim >= 0; dim--) {
    index[dim] = remaining % shape[dim];
    remaining = (remaining - index[dim]) / shape[dim];
  }
  return index;
}

/** A zeroed buffer of `size` elements: the boundary array, except float16 which holds its values as float64. */
function storageArrayFor(dtype: DType, size: number): DataArray {
  return dtype === 'float16' ? new Float64Array(size) : arrayFor(dtype, size);
}

/**
 * Convert a float64 result to what `dtype` stores: float32 and float16 round to nearest even, int32
 * wraps as two's complement (arithmetic results are integers already), bool is `value ≠ 0`.
 */
function storeValue(dtype: DType, value: number): number {
  switch (dtype) {
    case 'float32':
      return Math.fround(value);
    case 'float16':
      return roundToFloat16(value);
    case 'float64':
      return value;
    case 'int32':
      return value | 0;
    case 'bool':
      return value !== 0 ? 1 : 0;
  }
}

function applyUnary(op: UnaryOp, x: number): number {
  switch (op) {
    case 'neg':
      return -x;
    case 'abs':
      return Math.abs(x);
    case 'sign':
      return Math.sign(x);
    case 'exp':
      return Math.exp(x);
    case 'log':
      return Math.log(x);
    case 'sqrt':
      return Math.sqrt(x);
    case 'rsqrt':
      return 1 / Math.sqrt(x);
    case 'sin':
      return Math.sin(x);
    case 'cos':
      return Math.cos(x);
    case 'tanh':
      return Math.tanh(x);
    case 'sigmoid':
      return stableSigmoid(x);
    case 'relu':
      return Number.isNaN(x) ? NaN : x > 0 ? x : 0;
    case 'erf':
      return erf(x);
    case 'reciprocal':
      return 1 / x;
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    case 'round':
      return roundHalfToEven(x);
    case 'logicalNot':
      return x === 0 ? 1 : 0;
  }
}

/** The math of one binary op on float64 numbers; `integer` selects wrapping int32 semantics. */
function applyBinary(op: BinaryOp, a: number, b: number, integer: boolean): number {
  switch (op) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return integer ? Math.imul(a, b) : a * b;
    case 'div':
      // Core never sends integer division; truncation is the natural int32 meaning.
      if (integer) return b === 0 ? 0 : Math.trunc(a / b);
      return a / b;
    case 'pow':
      return integer ? intPow(a, b) : Math.pow(a, b);
    case 'maximum':
      return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
    case 'minimum':
      return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b);
    case 'eq':
      return a === b ? 1 : 0;
    case 'ne':
      return a !== b ? 1 : 0;
    case 'lt':
      return a < b ? 1 : 0;
    case 'le':
      return a <= b ? 1 : 0;
    case 'gt':
      return a > b ? 1 : 0;
    case 'ge':
      return a >= b ? 1 : 0;
    case 'logicalAnd':
      return a !== 0 && b !== 0 ? 1 : 0;
    case 'logicalOr':
      return a !== 0 || b !== 0 ? 1 : 0;
  }
}

/** Whether `candidate` replaces `current` as the running extreme of max/argmax (or min/argmin). NaN wins. */
function isNewExtreme(candidate: number, current: number, wantMax: boolean): boolean {
  if (Number.isNaN(current)) return false;
  if (Number.isNaN(candidate)) return true;
  return wantMax ? candidate > current : candidate < current;
}

/**
 * The float64 reference implementation of {@link Backend}.
 * @example
 * const backend = new ReferenceBackend();
 * const x = backend.alloc(3, 'float32');
 * backend.write(x, new Float32Array([1, 2, 3]));
 * const out = backend.alloc(3, 'float32');
 * backend.unary('exp', { id: x, dtype: 'float32', shape: [3], strides: [1], offset: 0 }, { id: out, dtype: 'float32', shape: [3] });
 * await backend.read(out, 'float32', 0, 3); // Float32Array [e, e², e³]
 */
export class ReferenceBackend implements Backend {
  readonly name = 'reference';
  readonly capabilities: BackendCapabilities = {
    dtypes: ['float32', 'int32', 'bool', 'float64', 'float16'],
    syncRead: true,
    stridedInputs: true,
  };

  private readonly live = new Set<ReferenceStorage>();

  // ---- storage ----

  alloc(size: number, dtype: DType): DataId {
    if (!Number.isInteger(size) || size < 0) throw new BackendError(`reference.alloc: size must be a non-negative integer, got ${size}`);
    const storage = new ReferenceStorage(dtype, storageArrayFor(dtype, size));
    this.live.add(storage);
    return storage;
  }

  free(id: DataId): void {
    const storage = this.storage(id, 'free');
    storage.freed = true;
    this.live.delete(storage);
  }

  write(id: DataId, data: DataArray, offset = 0): void {
    const storage = this.storage(id, 'write');
    if (offset < 0 || offset + data.length > storage.data.length) {
      throw new BackendError(
        `reference.write: ${data.length} elements at offset ${offset} do not fit a buffer of ${storage.data.length}`,
      );
    }
    if (storage.dtype === 'float16') {
      if (!(data instanceof Uint16Array)) {
        throw new DTypeError(`reference.write: float16 data must be a Uint16Array of bit patterns, got ${data.constructor.name}`);
      }
      for (let i = 0; i < data.length; i++) storage.data[offset + i] = float16BitsToFloat32(data[i]);
      return;
    }
    for (let i = 0; i < data.length; i++) storage.data[offset + i] = storeValue(storage.dtype, data[i]);
  }

  read(id: DataId, dtype: DType, offset: number, size: number): Promise<DataArray> {
    return Promise.resolve(this.readSync(id, dtype, offset, size));
  }

  readSync(id: DataId, dtype: DType, offset: number, size: number): DataArray {
    const storage = this.storage(id, 'read');
    if (dtype !== storage.dtype) throw new DTypeError(`reference.read: buffer holds ${storage.dtype}, asked for ${dtype}`);
    if (offset < 0 || size < 0 || offset + size > storage.data.length) {
      throw new BackendError(`reference.read: [${offset}, ${offset + size}) is outside a buffer of ${storage.data.length}`);
    }
    const values = storage.data.slice(offset, offset + size);
    return dtype === 'float16' ? toFloat16Bits(values) : values;
  }

  memory(): BackendMemory {
    let bytesInUse = 0;
    for (const storage of this.live) bytesInUse += storage.data.length * itemSize(storage.dtype);
    return { bytesInUse, bytesPooled: 0, buffers: this.live.size };
  }

  // ---- required primitives ----

  unary(op: UnaryOp, x: StridedView, out: OutputBuffer): void {
    const input = this.input(x, 'unary');
    const output = this.output(out, 'unary', x.shape);
    for (let i = 0; i < output.length; i++) {
      output[i] = storeValue(out.dtype, applyUnary(op, input[elementOffset(x, i)]));
    }
  }

  binary(op: BinaryOp, a: StridedView, b: StridedView, out: OutputBuffer): void {
    const left = this.input(a, 'binary');
    const right = this.input(b, 'binary');
    const output = this.output(out, 'binary', a.shape);
    this.expectShape('binary', b.shape, a.shape);
    const integer = a.dtype === 'int32';
    for (let i = 0; i < output.length; i++) {
      const value = applyBinary(op, left[elementOffset(a, i)], right[elementOffset(b, i)], integer);
      output[i] = storeValue(out.dtype, value);
    }
  }

  where(cond: StridedView, a: StridedView, b: StridedView, out: OutputBuffer): void {
    const condition = this.input(cond, 'where');
    const whenTrue = this.input(a, 'where');
    const whenFalse = this.input(b, 'where');
    const output = this.output(out, 'where', cond.shape);
    for (let i = 0; i < output.length; i++) {
      const value = condition[elementOffset(cond, i)] !== 0 ? whenTrue[elementOffset(a, i)] : whenFalse[elementOffset(b, i)];
      output[i] = storeValue(out.dtype, value);
    }
  }

  cast(x: StridedView, out: OutputBuffer): void {
    const input = this.input(x, 'cast');
    const output = this.output(out, 'cast', x.shape);
    for (let i = 0; i < output.length; i++) {
      const value = input[elementOffset(x, i)];
      if (out.dtype === 'int32' && isFloating(x.dtype)) output[i] = floatToInt32(value);
      else output[i] = storeValue(out.dtype, value);
    }
  }

  reduce(op: ReduceOp, x: StridedView, axes: readonly number[], out: OutputBuffer): void {
    const input = this.input(x, 'reduce');
    const keptAxes = x.shape.map((_, dim) => dim).filter((dim) => !axes.includes(dim));
    const keptShape = keptAxes.map((dim) => x.shape[dim]);
    const reducedShape = axes.map((dim) => x.shape[dim]);
    const output = this.output(out, 'reduce', keptShape);
    const reducedSize = sizeOf(reducedShape);
    if ((op === 'argmax' || op === 'argmin') && axes.length !== 1) {
      throw new ValueError(`reference.reduce: ${op} takes exactly one axis, got [${axes.join(', ')}]`);
    }
    const integer = x.dtype === 'int32';
    const index = new Array<number>(x.shape.length).fill(0);
    for (let outFlat = 0; outFlat < output.length; outFlat++) {
      const keptIndex = unravel(outFlat, keptShape);
      keptAxes.forEach((dim, k) => (index[dim] = keptIndex[k]));
      let accumulator = op === 'prod' ? 1 : op === 'sum' ? 0 : NaN;
      let bestPosition = 0;
      for (let r = 0; r < reducedSize; r++) {
        const reducedIndex = unravel(r, reducedShape);
        axes.forEach((dim, k) => (index[dim] = reducedIndex[k]));
        const value = input[offsetAt(x, index)];
        switch (op) {
          case 'sum':
            accumulator += value; // exact for int32 inputs (|sum| < 2⁵³); wrapped on store
            break;
          case 'prod':
            accumulator = integer ? Math.imul(accumulator, value) : accumulator * value;
            break;
          case 'max':
          case 'min':
          case 'argmax':
          case 'argmin':
            if (r === 0 || isNewExtreme(value, accumulator, op === 'max' || op === 'argmax')) {
              accumulator = value;
              bestPosition = r;
            }
            break;
        }
      }
      const result = op === 'argmax' || op === 'argmin' ? bestPosition : accumulator;
      output[outFlat] = storeValue(out.dtype, result);
    }
  }

  matmul(a: StridedView, b: StridedView, out: OutputBuffer): void {
    this.product('matmul', a, b, null, 'none', out);
  }

  matmulBiasActivation(a: StridedView, b: StridedView, bias: StridedView | null, activation: FusedActivation, out: OutputBuffer): void {
    this.product('matmulBiasActivation', a, b, bias, activation, out);
  }

  /** `activation(a · b + bias)` in float64, rounded once to the output dtype. */
  private product(op: string, a: StridedView, b: StridedView, bias: StridedView | null, activation: FusedActivation, out: OutputBuffer): void {
    const left = this.input(a, op);
    const right = this.input(b, op);
    const [batch, rows, inner] = a.shape;
    const columns = b.shape[2];
    if (a.shape.length !== 3 || b.shape.length !== 3 || b.shape[0] !== batch || b.shape[1] !== inner) {
      throw new ShapeError(`reference.${op}: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] do not chain`);
    }
    if (bias) this.expectShape(op, bias.shape, [columns]);
    const shift = bias ? this.input(bias, op) : null;
    const output = this.output(out, op, [batch, rows, columns]);
    for (let n = 0; n < batch; n++) {
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < columns; j++) {
          let total = 0;
          for (let k = 0; k < inner; k++) {
            total += left[offsetAt(a, [n, i, k])] * right[offsetAt(b, [n, k, j])];
          }
          if (shift) total += shift[offsetAt(bias!, [j])];
          output[(n * rows + i) * columns + j] = storeValue(out.dtype, applyFusedActivation(activation, total));
        }
      }
    }
  }

  assign(dst: StridedView, src: StridedView): void {
    const source = this.input(src, 'assign');
    const target = this.input(dst, 'assign');
    this.expectShape('assign', src.shape, dst.shape);
    const size = sizeOf(dst.shape);
    for (let i = 0; i < size; i++) target[elementOffset(dst, i)] = storeValue(dst.dtype, source[elementOffset(src, i)]);
  }

  gather(x: StridedView, axis: number, index: StridedView, out: OutputBuffer): void {
    const input = this.input(x, 'gather');
    const indices = this.input(index, 'gather');
    const output = this.output(out, 'gather', index.shape);
    for (let i = 0; i < output.length; i++) {
      const position = unravel(i, index.shape);
      const selected = indices[elementOffset(index, i)];
      if (selected < 0 || selected >= x.shape[axis]) {
        throw new RangeError(`reference.gather: index ${selected} is out of range for axis ${axis} of size ${x.shape[axis]}`);
      }
      position[axis] = selected;
      output[i] = storeValue(out.dtype, input[offsetAt(x, position)]);
    }
  }

  scatterAdd(target: OutputBuffer, axis: number, index: StridedView, src: StridedView): void {
    const output = this.output(target, 'scatterAdd', target.shape);
    const indices = this.input(index, 'scatterAdd');
    const source = this.input(src, 'scatterAdd');
    this.expectShape('scatterAdd', src.shape, index.shape);
    // Accumulate in float64 (exact for int32) and store once, so the oracle has no ordering error.
    const totals: number[] = [];
    for (let i = 0; i < output.length; i++) totals.push(output[i]);
    const targetView: StridedView = {
      id: target.id,
      dtype: target.dtype,
      shape: target.shape,
      strides: contiguousStrides(target.shape),
      offset: 0,
    };
    const size = sizeOf(index.shape);
    for (let i = 0; i < size; i++) {
      const position = unravel(i, index.shape);
      const selected = indices[elementOffset(index, i)];
      if (selected < 0 || selected >= target.shape[axis]) {
        throw new RangeError(`reference.scatterAdd: index ${selected} is out of range for axis ${axis} of size ${target.shape[axis]}`);
      }
      position[axis] = selected;
      totals[offsetAt(targetView, position)] += source[elementOffset(src, i)];
    }
    for (let i = 0; i < output.length; i++) output[i] = storeValue(target.dtype, totals[i]);
  }

  cumsum(x: StridedView, axis: number, out: OutputBuffer): void {
    const input = this.input(x, 'cumsum');
    const output = this.output(out, 'cumsum', x.shape);
    forEachLine(x, axis, input, (values, outPosition) => {
      let total = 0;
      values.forEach((value, k) => {
        total += value;
        output[outPosition(k)] = storeValue(out.dtype, total);
      });
    });
  }

  fill(out: OutputBuffer, value: number): void {
    const output = this.output(out, 'fill', out.shape);
    output.fill(storeValue(out.dtype, value));
  }

  arange(out: OutputBuffer, start: number, step: number): void {
    const output = this.output(out, 'arange', out.shape);
    for (let i = 0; i < output.length; i++) output[i] = storeValue(out.dtype, start + i * step);
  }

  random(out: OutputBuffer, request: RandomRequest): void {
    const output = this.output(out, 'random', out.shape);
    if (out.dtype === 'bool' || out.dtype === 'float16') {
      throw new DTypeError(`reference.random: ${out.dtype} outputs are not supported (core draws float16 as float32 and casts)`);
    }
    fillPhiloxStream(output as Float32Array | Float64Array | Int32Array, request);
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  dispose(): void {
    for (const storage of this.live) storage.freed = true;
    this.live.clear();
  }

  // ---- optional kernels ----

  softmax(x: StridedView, axis: number, out: OutputBuffer): void {
    this.softmaxLike(x, axis, out, false);
  }

  logSoftmax(x: StridedView, axis: number, out: OutputBuffer): void {
    this.softmaxLike(x, axis, out, true);
  }

  layerNorm(
    x: StridedView,
    weight: StridedView | null,
    bias: StridedView | null,
    normalizedSize: number,
    eps: number,
    out: OutputBuffer,
    mean: OutputBuffer,
    rstd: OutputBuffer,
  ): void {
    const input = this.input(x, 'layerNorm');
    const scale = weight ? this.input(weight, 'layerNorm') : null;
    const shift = bias ? this.input(bias, 'layerNorm') : null;
    const output = this.output(out, 'layerNorm', x.shape);
    const size = sizeOf(x.shape);
    const rows = normalizedSize === 0 ? 0 : size / normalizedSize;
    const means = this.output(mean, 'layerNorm', [rows]);
    const rstds = this.output(rstd, 'layerNorm', [rows]);
    for (let row = 0; row < rows; row++) {
      const values: number[] = [];
      for (let j = 0; j < normalizedSize; j++) values.push(input[elementOffset(x, row * normalizedSize + j)]);
      let total = 0;
      for (const value of values) total += value;
      const rowMean = total / normalizedSize;
      let squares = 0;
      for (const value of values) squares += (value - rowMean) * (value - rowMean);
      const rowRstd = 1 / Math.sqrt(squares / normalizedSize + eps);
      for (let j = 0; j < normalizedSize; j++) {
        let value = (values[j] - rowMean) * rowRstd;
        if (scale && weight) value *= scale[elementOffset(weight, j)];
        if (shift && bias) value += shift[elementOffset(bias, j)];
        output[row * normalizedSize + j] = storeValue(out.dtype, value);
      }
      means[row] = storeValue(mean.dtype, rowMean);
      rstds[row] = storeValue(rstd.dtype, rowRstd);
    }
  }

  conv2d(x: StridedView, weight: StridedView, bias: StridedView | null, params: Conv2dParams, out: OutputBuffer): void {
    const input = this.input(x, 'conv2d');
    const kernel = this.input(weight, 'conv2d');
    const shift = bias ? this.input(bias, 'conv2d') : null;
    const [batch, channels, height, width] = x.shape;
    const [outChannels, groupChannels, kernelHeight, kernelWidth] = weight.shape;
    const [, , outHeight, outWidth] = out.shape;
    const output = this.output(out, 'conv2d', [batch, outChannels, outHeight, outWidth]);
    const groups = params.groups;
    if (channels !== groupChannels * groups || outChannels % groups !== 0) {
      throw new ShapeError(`reference.conv2d: ${channels} input channels, weight [${weight.shape.join(', ')}], groups ${groups} do not fit`);
    }
    const outPerGroup = outChannels / groups;
    for (let n = 0; n < batch; n++) {
      for (let o = 0; o < outChannels; o++) {
        const group = Math.floor(o / outPerGroup);
        for (let oh = 0; oh < outHeight; oh++) {
          for (let ow = 0; ow < outWidth; ow++) {
            let total = shift && bias ? shift[offsetAt(bias, [o])] : 0;
            for (let c = 0; c < groupChannels; c++) {
              const inChannel = group * groupChannels + c;
              for (let kh = 0; kh < kernelHeight; kh++) {
                const h = oh * params.stride[0] - params.padding[0] + kh * params.dilation[0];
                if (h < 0 || h >= height) continue;
                for (let kw = 0; kw < kernelWidth; kw++) {
                  const w = ow * params.stride[1] - params.padding[1] + kw * params.dilation[1];
                  if (w < 0 || w >= width) continue;
                  total += input[offsetAt(x, [n, inChannel, h, w])] * kernel[offsetAt(weight, [o, c, kh, kw])];
                }
              }
            }
            output[((n * outChannels + o) * outHeight + oh) * outWidth + ow] = storeValue(out.dtype, total);
          }
        }
      }
    }
  }

  maxPool2d(x: StridedView, params: Pool2dParams, out: OutputBuffer, indices: OutputBuffer): void {
    this.pool2d(x, params, out, indices, 'max');
  }

  avgPool2d(x: StridedView, params: Pool2dParams, out: OutputBuffer): void {
    this.pool2d(x, params, out, null, 'avg');
  }

  /** PyTorch 1.13's single-tensor SGD / Adam(W) step, element by element in float64 (see backend.ts). */
  optimizerStep(request: OptimizerStepRequest): void {
    const { dtype, size } = request;
    if (dtype !== 'float32' && dtype !== 'float64') throw new DTypeError(`reference.optimizerStep: float32 or float64 only, got ${dtype}`);
    const gradient = this.input(request.grad, 'optimizerStep');
    this.expectShape('optimizerStep', [sizeOf(request.grad.shape)], [size]);
    const range = (target: BufferRange) => this.range(target, dtype, size);
    const param = range(request.param);
    // Each state value is stored (rounded to the dtype) before it is used, as PyTorch's in-place ops do.
    const store = (array: DataArray, index: number, value: number): number => (array[index] = storeValue(dtype, value));
    if (request.kind === 'sgd') {
      const buffer = request.momentumBuffer ? range(request.momentumBuffer) : null;
      for (let i = 0; i < size; i++) {
        const p = request.param.offset + i;
        let g = gradient[elementOffset(request.grad, i)];
        if (request.maximize) g = -g;
        if (request.weightDecay !== 0) g += request.weightDecay * param[p];
        if (buffer && request.momentumBuffer) {
          const b = request.momentumBuffer.offset + i;
          const velocity = store(buffer, b, request.firstStep ? g : request.momentum * buffer[b] + (1 - request.dampening) * g);
          g = request.nesterov ? g + request.momentum * velocity : velocity;
        }
        store(param, p, param[p] - request.lr * g);
      }
      return;
    }
    const expAvg = range(request.expAvg);
    const expAvgSq = range(request.expAvgSq);
    const maxExpAvgSq = request.maxExpAvgSq ? range(request.maxExpAvgSq) : null;
    const { beta1, beta2, lr, weightDecay } = request;
    for (let i = 0; i < size; i++) {
      const p = request.param.offset + i;
      let g = gradient[elementOffset(request.grad, i)];
      if (request.maximize) g = -g;
      let theta = param[p];
      if (weightDecay !== 0 && request.decoupled) theta = store(param, p, theta * (1 - lr * weightDecay));
      else if (weightDecay !== 0) g += weightDecay * theta;
      const m = store(expAvg, request.expAvg.offset + i, beta1 * expAvg[request.expAvg.offset + i] + (1 - beta1) * g);
      let v = store(expAvgSq, request.expAvgSq.offset + i, beta2 * expAvgSq[request.expAvgSq.offset + i] + (1 - beta2) * g * g);
      if (maxExpAvgSq && request.maxExpAvgSq) {
        const at = request.maxExpAvgSq.offset + i;
        v = store(maxExpAvgSq, at, Math.max(maxExpAvgSq[at], v));
      }
      const denominator = Math.sqrt(v) / request.biasCorrection2Sqrt + request.eps;
      store(param, p, theta - (lr / request.biasCorrection1) * (m / denominator));
    }
  }

  argsort(x: StridedView, axis: number, descending: boolean, out: OutputBuffer): void {
    const input = this.input(x, 'argsort');
    const output = this.output(out, 'argsort', x.shape);
    forEachLine(x, axis, input, (values, outPosition) => {
      stableArgsort(values, descending).forEach((source, k) => (output[outPosition(k)] = source));
    });
  }

  /** word2vec's in-place batch, in example order with float64 arithmetic (core's shared loop); float16 takes the composite. */
  word2vecStep(request: Word2VecStepRequest): boolean {
    const { dtype, dim } = request;
    if (dtype !== 'float32' && dtype !== 'float64') return false;
    const matrix = (range: BufferRange, rows: number) => this.range(range, dtype, rows * dim) as Float32Array | Float64Array;
    const ints = (view: StridedView) => this.input(view, 'word2vecStep');
    const loss = request.loss ? (this.output(request.loss, 'word2vecStep', [request.examples]) as Float32Array | Float64Array) : null;
    const arrays = {
      dim, meanInputs: request.meanInputs, alpha: request.alpha, loss,
      input: matrix(request.input, request.inputRows), inputOffset: request.input.offset,
      output: matrix(request.output, request.outputRows), outputOffset: request.output.offset,
      inputOffsets: ints(request.inputOffsets), inputIndex: ints(request.inputIndex),
      targetOffsets: ints(request.targetOffsets), targetIndex: ints(request.targetIndex), targetLabel: ints(request.targetLabel),
    };
    word2vecStepRange(arrays, 0, request.examples, dtype === 'float64' ? new Float64Array(2 * dim) : new Float32Array(2 * dim));
    return true;
  }

  // ---- helpers ----

  private softmaxLike(x: StridedView, axis: number, out: OutputBuffer, logarithm: boolean): void {
    const input = this.input(x, logarithm ? 'logSoftmax' : 'softmax');
    const output = this.output(out, logarithm ? 'logSoftmax' : 'softmax', x.shape);
    forEachLine(x, axis, input, (values, outPosition) => {
      let maximum = -Infinity;
      for (const value of values) maximum = Number.isNaN(value) || Number.isNaN(maximum) ? NaN : Math.max(maximum, value);
      let total = 0;
      for (const value of values) total += Math.exp(value - maximum);
      values.forEach((value, k) => {
        const result = logarithm ? value - maximum - Math.log(total) : Math.exp(value - maximum) / total;
        output[outPosition(k)] = storeValue(out.dtype, result);
      });
    });
  }

  private pool2d(x: StridedView, params: Pool2dParams, out: OutputBuffer, indices: OutputBuffer | null, kind: 'max' | 'avg'): void {
    const input = this.input(x, kind === 'max' ? 'maxPool2d' : 'avgPool2d');
    const [batch, channels, height, width] = x.shape;
    const [, , outHeight, outWidth] = out.shape;
    const output = this.output(out, 'pool2d', [batch, channels, outHeight, outWidth]);
    const indexOutput = indices ? this.output(indices, 'maxPool2d', [batch, channels, outHeight, outWidth]) : null;
    const [kernelHeight, kernelWidth] = params.kernelSize;
    for (let n = 0; n < batch; n++) {
      for (let c = 0; c < channels; c++) {
        for (let oh = 0; oh < outHeight; oh++) {
          for (let ow = 0; ow < outWidth; ow++) {
            let best = -Infinity;
            let bestIndex = -1;
            let total = 0;
            let paddedCount = 0;
            let validCount = 0;
            for (let kh = 0; kh < kernelHeight; kh++) {
              const h = oh * params.stride[0] - params.padding[0] + kh * params.dilation[0];
              for (let kw = 0; kw < kernelWidth; kw++) {
                const w = ow * params.stride[1] - params.padding[1] + kw * params.dilation[1];
                // PyTorch counts window cells inside the padded input (not past it, as in ceil mode).
                if (h < height + params.padding[0] && w < width + params.padding[1]) paddedCount++;
                if (h < 0 || h >= height || w < 0 || w >= width) continue;
                const value = input[offsetAt(x, [n, c, h, w])];
                validCount++;
                total += value;
                if (bestIndex === -1 || isNewExtreme(value, best, true)) {
                  best = value;
                  bestIndex = h * width + w;
                }
              }
            }
            const outPosition = ((n * channels + c) * outHeight + oh) * outWidth + ow;
            if (kind === 'max') {
              output[outPosition] = storeValue(out.dtype, best);
              if (indexOutput && indices) indexOutput[outPosition] = storeValue(indices.dtype, bestIndex);
            } else {
              const divisor = params.divisorOverride ?? (params.countIncludePad ? paddedCount : validCount);
              output[outPosition] = storeValue(out.dtype, total / divisor);
            }
          }
        }
      }
    }
  }

  /** The typed array behind an in-place range of `size` elements, after checking its dtype and bounds. */
  private range(target: BufferRange, dtype: DType, size: number): DataArray {
    const storage = this.storage(target.id, 'optimizerStep');
    if (storage.dtype !== dtype) throw new DTypeError(`reference.optimizerStep: the request says ${dtype}, a buffer holds ${storage.dtype}`);
    if (target.offset < 0 || target.offset + size > storage.data.length) {
      throw new BackendError(`reference.optimizerStep: [${target.offset}, ${target.offset + size}) is outside a buffer of ${storage.data.length}`);
    }
    return storage.data;
  }

  private storage(id: DataId, op: string): ReferenceStorage {
    if (!(id instanceof ReferenceStorage)) throw new BackendError(`reference.${op}: not a reference buffer`);
    if (id.freed) throw new BackendError(`reference.${op}: buffer used after free`);
    return id;
  }

  /** The typed array behind a view, after checking the view stays inside it. */
  private input(view: StridedView, op: string): DataArray {
    const storage = this.storage(view.id, op);
    if (storage.dtype !== view.dtype) throw new DTypeError(`reference.${op}: view says ${view.dtype}, buffer holds ${storage.dtype}`);
    if (view.shape.length !== view.strides.length) {
      throw new ShapeError(`reference.${op}: shape [${view.shape.join(', ')}] and strides [${view.strides.join(', ')}] differ in rank`);
    }
    if (sizeOf(view.shape) > 0) {
      const [low, high] = elementSpan(view);
      if (low < 0 || high >= storage.data.length) {
        throw new BackendError(`reference.${op}: view reaches [${low}, ${high}] outside a buffer of ${storage.data.length}`);
      }
    }
    return storage.data;
  }

  /** The typed array of an output buffer, after checking it holds `shape`. */
  private output(out: OutputBuffer, op: string, shape: readonly number[]): DataArray {
    const storage = this.storage(out.id, op);
    if (storage.dtype !== out.dtype) throw new DTypeError(`reference.${op}: output says ${out.dtype}, buffer holds ${storage.dtype}`);
    this.expectShape(op, out.shape, shape);
    if (storage.data.length < sizeOf(shape)) {
      throw new BackendError(`reference.${op}: output buffer of ${storage.data.length} is smaller than [${shape.join(', ')}]`);
    }
    return storage.data;
  }

  private expectShape(op: string, actual: readonly number[], expected: readonly number[]): void {
    if (actual.length !== expected.length || actual.some((extent, dim) => extent !== expected[dim])) {
      throw new ShapeError(`reference.${op}: shape [${actual.join(', ')}] should be [${expected.join(', ')}]`);
    }
  }
}


/**
 * The reference backend as a plugin (priority −1, so it is never picked as the default).
 * @example
 * import { registerBackend } from '@tessera/core';
 * import { referencePlugin } from '@tessera/core/testing';
 * registerBackend(referencePlugin);
 * const x = tensor([1, 2, 3], { dtype: 'float64', device: 'reference' });
 */
export const referencePlugin: BackendPlugin = {
  name: 'reference',
  apiVersion: BACKEND_API_VERSION,
  priority: -1,
  create: () => new ReferenceBackend(),
};

/**
 * Visit every line of `x` along `axis` (in row-major order of the other dims): its values, and where
 * its k-th element goes in a contiguous output of `x`'s shape.
 */
function forEachLine(x: StridedView, axis: number, input: ArrayLike<number>, visit: (values: number[], outPosition: (k: number) => number) => void): void {
  const outStrides = contiguousStrides(x.shape);
  const length = x.shape[axis];
  const lineShape = x.shape.map((extent, dim) => (dim === axis ? 1 : extent));
  const lines = length === 0 ? 0 : sizeOf(lineShape);
  for (let line = 0; line < lines; line++) {
    const position = unravel(line, lineShape);
    const values: number[] = [];
    for (let k = 0; k < length; k++) {
      position[axis] = k;
      values.push(input[offsetAt(x, position)]);
    }
    let base = 0;
    for (let dim = 0; dim < position.length; dim++) if (dim !== axis) base += position[dim] * outStrides[dim];
    visit(values, (k) => base + k * outStrides[axis]);
  }
}
