/**
 * The Backend interface: everything a compute backend must provide to run Tessera.
 *
 * Design (read this before writing a backend):
 * - Core owns shapes, broadcasting, dtype promotion, autograd and memory. A kernel never sees
 *   mismatched shapes: core expands operands (stride 0) and casts them to one dtype first.
 * - Inputs arrive as {@link StridedView}s — a buffer plus shape, strides and offset in elements.
 *   Strides may be 0 (broadcast) or negative (flip). A backend that sets
 *   `capabilities.stridedInputs = false` receives contiguous inputs only (core copies first).
 * - Outputs are always fresh contiguous row-major buffers that core allocated with {@link Backend.alloc}
 *   ({@link OutputBuffer}), except {@link Backend.assign} and {@link Backend.scatterAdd}, which write in place.
 * - The required set is small (about thirty operations counting each unary/binary op); every optional
 *   kernel has a composite in core, so a missing one means slower, never "kernel not registered".
 * - Gradients live in core, written with core ops, so a backend contains no autograd code.
 *
 * @example
 * import { registerBackend, type BackendPlugin } from '@tessera/core';
 * const plugin: BackendPlugin = { name: 'mine', apiVersion: BACKEND_API_VERSION, priority: 1, create: async () => new MyBackend() };
 * registerBackend(plugin);
 */

/**
 * Element types. `float64` and `float16` are optional: a backend lists them in `capabilities.dtypes`
 * when it supports them. float16 is IEEE-754 binary16; at this boundary its data is a `Uint16Array`
 * of bit patterns (see `float16.ts`), and fill values and scalars stay JS numbers that the backend rounds.
 */
export type DType = 'float32' | 'int32' | 'bool' | 'float64' | 'float16';

/**
 * The typed array that holds each dtype's elements on the host (`bool` is one byte, 0 or 1;
 * `float16` is a Uint16Array of binary16 bit patterns).
 */
export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'int32'
      ? Int32Array
      : D extends 'float16'
        ? Uint16Array
        : Uint8Array;

/** Any host array that can hold tensor data at the backend boundary (Uint16Array: float16 bits). */
export type DataArray = Float32Array | Float64Array | Int32Array | Uint8Array | Uint16Array;

/** A backend's handle to one buffer of device memory. Opaque to core. */
export type DataId = object;

/**
 * The interface version of this file; a plugin declares the version it implements.
 * @example
 * const plugin = { name: 'mine', apiVersion: BACKEND_API_VERSION, priority: 0, create };
 */
export const BACKEND_API_VERSION = 1;

/**
 * A strided read-only view into a backend buffer, in elements.
 * Element `[i0, i1, …]` lives at `offset + Σ ik · strides[k]`.
 */
export interface StridedView {
  readonly id: DataId;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** A fresh contiguous, row-major output buffer of `shape` that the kernel fills completely. */
export interface OutputBuffer {
  readonly id: DataId;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/**
 * Element-wise unary ops. Output dtype equals input dtype, except `logicalNot` (→ bool).
 * Core casts integer inputs to float before the float-only ops (exp, log, sqrt, rsqrt, sin, cos,
 * tanh, sigmoid, erf, reciprocal).
 * `sign(0) = 0`, `relu(NaN) = NaN`, `round` rounds half to even (as PyTorch).
 */
export type UnaryOp =
  | 'neg'
  | 'abs'
  | 'sign'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'rsqrt'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'sigmoid'
  | 'relu'
  | 'erf'
  | 'reciprocal'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'logicalNot';

/**
 * All unary op names, for conformance and validation.
 * @example
 * UNARY_OPS.includes('exp'); // true
 */
export const UNARY_OPS: readonly UnaryOp[] = [
  'neg', 'abs', 'sign', 'exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'relu',
  'erf', 'reciprocal', 'floor', 'ceil', 'round', 'logicalNot',
];

/**
 * Element-wise binary ops on two views of the output's shape and one dtype.
 * Arithmetic keeps the dtype (int32 arithmetic wraps as two's complement; core never sends int `div`).
 * `maximum`/`minimum` propagate NaN. Comparisons and logical ops produce `bool`.
 */
export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'logicalAnd'
  | 'logicalOr';

/**
 * All binary op names.
 * @example
 * BINARY_OPS.includes('pow'); // true
 */
export const BINARY_OPS: readonly BinaryOp[] = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr',
];

/**
 * Binary ops whose output is `bool`.
 * @example
 * COMPARISON_OPS.has('lt'); // true
 */
export const COMPARISON_OPS: ReadonlySet<BinaryOp> = new Set<BinaryOp>([
  'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr',
]);

/**
 * Reductions over a set of axes. The output shape is the input shape with `axes` removed
 * (core adds kept dims by reshaping). `sum`/`prod` of int32 stay int32; `max`/`min` propagate NaN.
 * `argmax`/`argmin` take exactly one axis, return int32 indices, and pick the first extreme on ties.
 * Reducing an empty axis: sum → 0, prod → 1; max/min/argmax/argmin of an empty axis are rejected by core.
 */
export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin';

/**
 * All reduce op names.
 * @example
 * REDUCE_OPS.includes('argmax'); // true
 */
export const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'prod', 'max', 'min', 'argmax', 'argmin'];

/**
 * The Philox request for {@link Backend.random}. Element `i` of the output uses 32-bit word
 * `i mod 4` of the Philox4x32-10 block computed with counter `[lo(c), hi(c), 0, 0]`,
 * `c = counter + floor(i / 4)`, and key `key`. See `random/philox.ts` for the exact conversions:
 * - `bits`: the raw word reinterpreted as int32.
 * - `uniform`: `(word >>> 8) · 2⁻²⁴` in [0, 1) (identical in float32 and float64).
 * - `normal`: Box–Muller on the word pair (2j, 2j+1) of each block: `u1 = ((w₂ⱼ >>> 8) + 1) · 2⁻²⁴`,
 *   `u2 = (w₂ⱼ₊₁ >>> 8) · 2⁻²⁴`, element 2j gets `√(−2 ln u1) · cos(2π u2)`, element 2j+1 `… · sin(2π u2)`.
 * - `randint`: `low + mulhi32(word, high − low)` (the high 32 bits of the 64-bit product).
 * Outputs are float32, float64 or int32: core draws float16 samples as float32 and casts them.
 */
export interface RandomRequest {
  readonly distribution: 'bits' | 'uniform' | 'normal' | 'randint';
  /** Philox key words [k0, k1] (uint32 each): the seed. */
  readonly key: readonly [number, number];
  /** First block counter, as [lo, hi] uint32 words of a 64-bit block index. */
  readonly counter: readonly [number, number];
  /** randint bounds, `low ≤ x < high`. */
  readonly low?: number;
  readonly high?: number;
}

/** conv2d options with every field resolved by core. */
export interface Conv2dParams {
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

/** 2-D pooling options with every field resolved by core (output size already computed). */
export interface Pool2dParams {
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** avgPool2d only: whether padded zeros count in the divisor (PyTorch default true). */
  readonly countIncludePad: boolean;
  /** avgPool2d only: a fixed divisor instead of the window size. */
  readonly divisorOverride?: number;
}

/** What a backend can do, read by core to decide how to dispatch. */
export interface BackendCapabilities {
  /** Supported dtypes; must include float32, int32 and bool. */
  readonly dtypes: readonly DType[];
  /** Whether `readSync` works (enables `dataSync()` and friends). */
  readonly syncRead: boolean;
  /** Whether kernels accept arbitrary strided views; when false core makes inputs contiguous first. */
  readonly stridedInputs: boolean;
}

/** Memory accounting for one backend. */
export interface BackendMemory {
  /** Bytes held by live buffers (allocated and not freed). */
  readonly bytesInUse: number;
  /** Bytes kept in the pool for reuse. */
  readonly bytesPooled: number;
  /** Number of live buffers. */
  readonly buffers: number;
}

/**
 * Optional fused kernels. Core checks for each method and falls back to a composite of required
 * primitives when it is absent. Gradients are core's (written from saved outputs), so these are forward
 * only, except the recurrent cells' backward kernels (each optional too: core has their formulas).
 */
export interface OptionalKernels {
  /** Softmax along `axis` of a contiguous input. */
  softmax?(x: StridedView, axis: number, out: OutputBuffer): void;
  /** Log-softmax along `axis` of a contiguous input. */
  logSoftmax?(x: StridedView, axis: number, out: OutputBuffer): void;
  /**
   * Layer normalisation over the trailing `normalizedSize` elements of each row of a contiguous input:
   * `out = (x − mean) · rstd · weight + bias`, `rstd = 1/√(var + eps)` with the biased variance.
   * Also writes each row's mean and rstd (shape `[rows]`, same dtype) for the backward pass.
   */
  layerNorm?(
    x: StridedView,
    weight: StridedView | null,
    bias: StridedView | null,
    normalizedSize: number,
    eps: number,
    out: OutputBuffer,
    mean: OutputBuffer,
    rstd: OutputBuffer,
  ): void;
  /** 2-D convolution (cross-correlation), x `[N, C, H, W]`, weight `[O, C/groups, KH, KW]`, out `[N, O, OH, OW]`. */
  conv2d?(x: StridedView, weight: StridedView, bias: StridedView | null, params: Conv2dParams, out: OutputBuffer): void;
  /**
   * Max pooling, x `[N, C, H, W]` → out `[N, C, OH, OW]`; `indices` (int32, same shape) receives the
   * flat index `h · W + w` of each maximum inside its input plane (PyTorch's convention). Padding is −∞.
   */
  maxPool2d?(x: StridedView, params: Pool2dParams, out: OutputBuffer, indices: OutputBuffer): void;
  /** Average pooling, x `[N, C, H, W]` → out `[N, C, OH, OW]`. */
  avgPool2d?(x: StridedView, params: Pool2dParams, out: OutputBuffer): void;
  /**
   * One fused optimizer step on one parameter, updating the parameter and its state buffers in place
   * (see {@link OptimizerStepRequest} for the exact math). Core calls it for float32 and float64
   * parameters (when the backend lists the dtype) whose in-place buffers are contiguous; everything
   * else runs core's composite.
   */
  optimizerStep?(request: OptimizerStepRequest): void;
  /**
   * `out = activation(a · b + bias)`: the batched product of {@link Backend.matmul} (same operand
   * views, `out` `[B, M, N]`) with a bias added to every row and an activation applied before the
   * result is stored, so the product is written once. `bias` is a contiguous `[N]` view or null.
   * Activations: `none` (identity), `relu` (max(x, 0)), `sigmoid` (1/(1+e⁻ˣ)), `tanh`.
   */
  matmulBiasActivation?(a: StridedView, b: StridedView, bias: StridedView | null, activation: FusedActivation, out: OutputBuffer): void;
  /**
   * The stable sorting permutation along `axis` of a float32/float64/float16/int32 input: `out` (int32,
   * x's shape) holds each line's positions in sorted order — ascending, or descending when asked — with
   * ties in input order and NaN above +∞ (`stableArgsort` of `@tessera/core/backend` is the definition).
   * Core gathers the values from it, so sort, argsort and topk keep their gradients. Without it core runs
   * a bitonic network of compares and `where`s (hundreds of launches for long lines).
   */
  argsort?(x: StridedView, axis: number, descending: boolean, out: OutputBuffer): void;
  /**
   * The elementwise part of one LSTM step, PyTorch's gate order i, f, g, o. `inputGates` and
   * `hiddenGates` are contiguous `[rows, 4H]`, `c` contiguous `[rows, H]` (float32 or float64; core
   * sends nothing else): `z = inputGates + hiddenGates`, `i = σ(zᵢ)`, `f = σ(z_f)`, `g = tanh(z_g)`,
   * `o = σ(z_o)`, `c' = f·c + i·g`, `h' = o·tanh(c')`. Writes `state` `[2, rows, H]` (h' then c') and
   * the activated gates `[rows, 4H]` (i, f, g, o), which {@link lstmCellBackward} reads. Returns false
   * to decline a call it has no faster path for (e.g. a dtype whose composite runs SIMD kernels): core
   * then runs the composite.
   */
  lstmCell?(inputGates: StridedView, hiddenGates: StridedView, c: StridedView, state: OutputBuffer, gates: OutputBuffer): boolean;
  /**
   * The gradient of {@link lstmCell} from its activated `gates` `[rows, 4H]`, `c` and output `state`,
   * all contiguous: given `gradState` `[2, rows, H]` (of h', then of c'), writes `gradGates`
   * `[rows, 4H]` (the gradient of both gate inputs, pre-activation) and `gradC` `[rows, H]`.
   * Without it (or when it returns false) core runs the same formulas as tensor ops.
   */
  lstmCellBackward?(gradState: StridedView, gates: StridedView, c: StridedView, state: StridedView, gradGates: OutputBuffer, gradC: OutputBuffer): boolean;
  /**
   * The elementwise part of one GRU step, PyTorch's gate order r, z, n with the reset gate applied to
   * the hidden projection including its bias. `inputGates`, `hiddenGates` contiguous `[rows, 3H]`,
   * `h` `[rows, H]` (float32 or float64): `r = σ(x_r + h_r)`, `z = σ(x_z + h_z)`,
   * `n = tanh(x_n + r·h_n)`, `out = h' = (1 − z)·n + z·h`. Also writes the activated gates
   * `[rows, 3H]` (r, z, n), which {@link gruCellBackward} reads. Returns false to decline, as {@link lstmCell}.
   */
  gruCell?(inputGates: StridedView, hiddenGates: StridedView, h: StridedView, out: OutputBuffer, gates: OutputBuffer): boolean;
  /**
   * The gradient of {@link gruCell} from its activated `gates` `[rows, 3H]`, `hiddenGates` and `h`, all
   * contiguous: given `grad` `[rows, H]` (of h'), writes `gradInputGates` and `gradHiddenGates`
   * `[rows, 3H]` (pre-activation; they differ only in the n block, scaled by r for the hidden side)
   * and `gradH` `[rows, H]`. Without it (or when it returns false) core runs the same formulas as tensor ops.
   */
  gruCellBackward?(
    grad: StridedView,
    gates: StridedView,
    hiddenGates: StridedView,
    h: StridedView,
    gradInputGates: OutputBuffer,
    gradHiddenGates: OutputBuffer,
    gradH: OutputBuffer,
  ): boolean;
  /**
   * Fused scaled dot-product attention over `BH` independent (batch × head) problems, never holding
   * more than a block of the `[Tq, Tk]` score matrix. `q` `[BH, Tq, E]`, `k` `[BH, Tk, E]`, `v` `[BH, Tk, Ev]`
   * are contiguous, one dtype (float32 or float64). `mask` is null or an additive mask of q's dtype viewed
   * as `[BH, Tq, Tk]` with any strides (0 for broadcast dims; −∞ where a key is hidden).
   * For each problem and query row i:
   * ```text
   * s_ij = scale · q_i·k_j + mask_ij,  and s_ij = −∞ for j > i when params.causal (top-left aligned, as PyTorch)
   * lse_i = log Σ_j exp(s_ij);   out_i = Σ_j exp(s_ij − lse_i) · v_j
   * ```
   * A row whose scores are all −∞ writes out_i = 0 and lse_i = −∞ (no NaN). Writes `out` `[BH, Tq, Ev]`
   * and `logsumexp` `[BH, Tq]` (q's dtype), which {@link attentionBackward} reads. Returns false to
   * decline (core then runs the composite of matmul, softmax and matmul).
   */
  attention?(q: StridedView, k: StridedView, v: StridedView, mask: StridedView | null, params: AttentionParams, out: OutputBuffer, logsumexp: OutputBuffer): boolean;
  /**
   * The gradient of {@link attention} from the saved `out` and `logsumexp`, all inputs as there plus
   * `grad` `[BH, Tq, Ev]` contiguous. With `p_ij = exp(s_ij − lse_i)` (0 in fully masked rows) and
   * `δ_i = Σ_e grad_ie · out_ie`: `gradV = pᵀ·grad`, `ds_ij = p_ij · (grad_i·v_j − δ_i)`,
   * `gradQ = scale · ds·k`, `gradK = scale · dsᵀ·q`. Writes `gradQ`, `gradK`, `gradV` shaped like q, k, v.
   * Returns false to decline (core then runs the same formulas as tensor ops). The mask's gradient (ds) is
   * not asked for: when an additive mask requires grad, and under `createGraph`, core runs the formulas.
   */
  attentionBackward?(
    grad: StridedView,
    q: StridedView,
    k: StridedView,
    v: StridedView,
    mask: StridedView | null,
    out: StridedView,
    logsumexp: StridedView,
    params: AttentionParams,
    gradQ: OutputBuffer,
    gradK: OutputBuffer,
    gradV: OutputBuffer,
  ): boolean;
  /**
   * One batch of word2vec updates (skip-gram or CBOW, negative sampling and/or hierarchical softmax),
   * written in place into both matrices as word2vec.c does; {@link Word2VecStepRequest} gives the
   * exact math. With `threads` 1 the examples run in order (deterministic); with more, a backend may
   * run contiguous blocks of examples concurrently without locks (Hogwild, as word2vec.c's threads).
   * Returns false to decline (e.g. a dtype it has no fast path for): core then runs the composite.
   */
  word2vecStep?(request: Word2VecStepRequest): boolean;
}

/** The scalars of {@link OptionalKernels.attention}: the score scale and the causal flag. */
export interface AttentionParams {
  /** Multiplies q·k (PyTorch's default 1/√E is resolved by core). */
  readonly scale: number;
  /** Hide key j from query i when j > i (PyTorch's `is_causal`, aligned to the top-left corner). */
  readonly causal: boolean;
}

/**
 * What {@link OptionalKernels.word2vecStep} receives: a batch of training examples in compressed rows.
 * Example e has input rows `inputIndex[inputOffsets[e] … inputOffsets[e+1])` of the `input` matrix
 * (word2vec.c's syn0; one context word for skip-gram, the window for CBOW) and targets
 * `targetIndex[targetOffsets[e] … targetOffsets[e+1])` of the `output` matrix with their labels (the
 * centre word with label 1 and the negatives with 0, or the Huffman path's nodes with 1 − code). In
 * example order (each example sees every update before it), with D = `dim`:
 * ```text
 * h ← meanInputs ? mean of the input rows : their sum          (one row: h is that row)
 * e ← 0 (length D)
 * for each target t with label y, in order:
 *   x ← h · output[t];   g ← alpha · (y − σ(x))
 *   loss[e] += softplus(x) − y · x                              (only when loss is not null)
 *   e ← e + g · output[t];   output[t] ← output[t] + g · h
 * for each input row r, in order:  input[r] ← input[r] + e
 * ```
 * An example with no input rows changes nothing (its loss is 0). Core has checked every offset and
 * index, so kernels need not: offsets run from 0 and never decrease, indices lie inside their matrix.
 * @example
 * // skip-gram, one pair (context 4 → centre 7) with two negatives
 * backend.word2vecStep!({ dtype: 'float32', dim: 100, input, inputRows: 5000, output, outputRows: 5000, examples: 1,
 *   inputOffsets, inputIndex, targetOffsets, targetIndex, targetLabel, meanInputs: true, alpha: 0.025, threads: 1, loss: null });
 */
export interface Word2VecStepRequest {
  /** The dtype of both matrices, the labels and the loss (float32 or float64). */
  readonly dtype: DType;
  /** Vector length D. */
  readonly dim: number;
  /** The input vectors, `[inputRows, dim]` contiguous from `input.offset`, updated in place. */
  readonly input: BufferRange;
  readonly inputRows: number;
  /** The output vectors (negative-sampling word vectors and/or Huffman nodes), `[outputRows, dim]`, updated in place. */
  readonly output: BufferRange;
  readonly outputRows: number;
  /** Number of examples E. */
  readonly examples: number;
  /** int32 `[E + 1]`, contiguous. */
  readonly inputOffsets: StridedView;
  /** int32 rows of `input`, contiguous. */
  readonly inputIndex: StridedView;
  /** int32 `[E + 1]`, contiguous. */
  readonly targetOffsets: StridedView;
  /** int32 rows of `output`, contiguous. */
  readonly targetIndex: StridedView;
  /** Each target's label (the matrices' dtype), contiguous. */
  readonly targetLabel: StridedView;
  /** CBOW's `cbow_mean`: average the input rows (true) or sum them. */
  readonly meanInputs: boolean;
  /** The learning rate of this batch. */
  readonly alpha: number;
  /** At most this many threads; 1 runs the examples in order. */
  readonly threads: number;
  /** `[E]` of the dtype: each example's loss Σ softplus(x) − y·x, or null to skip computing it. */
  readonly loss: OutputBuffer | null;
}

/**
 * The activations {@link OptionalKernels.matmulBiasActivation} fuses. Each one's derivative is a
 * function of its output alone (relu: y > 0; sigmoid: y(1 − y); tanh: 1 − y²), so the backward pass
 * needs no pre-activation tensor.
 */
export type FusedActivation = 'none' | 'relu' | 'sigmoid' | 'tanh';

/**
 * The {@link FusedActivation} names, in a fixed order.
 * @example
 * FUSED_ACTIVATIONS.includes('relu'); // true
 */
export const FUSED_ACTIVATIONS: readonly FusedActivation[] = ['none', 'relu', 'sigmoid', 'tanh'];

/**
 * A contiguous run of one buffer starting at element `offset` (the request's `size` elements), read
 * and written in place by {@link OptionalKernels.optimizerStep}. Core never passes two ranges that overlap.
 */
export interface BufferRange {
  readonly id: DataId;
  readonly offset: number;
}

/**
 * SGD with momentum, PyTorch 1.13's single-tensor `torch.optim.SGD` step for element i (every
 * scalar already resolved on the host):
 * ```text
 * g ← maximize ? −grad : grad;   g ← g + weightDecay · θ
 * if momentumBuffer:  b ← firstStep ? g : momentum · b + (1 − dampening) · g
 *                     g ← nesterov ? g + momentum · b : b
 * θ ← θ − lr · g
 * ```
 * @example
 * backend.optimizerStep!({ kind: 'sgd', dtype: 'float32', size: 3, param, grad, momentumBuffer: null,
 *   lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false, firstStep: false });
 */
export interface SgdStepRequest {
  readonly kind: 'sgd';
  /** The dtype of the parameter, the gradient and every state buffer. */
  readonly dtype: DType;
  /** Elements to update (the parameter's size). */
  readonly size: number;
  /** θ, updated in place. */
  readonly param: BufferRange;
  /** The gradient; any strides, shaped like the parameter; element i is its row-major element i. */
  readonly grad: StridedView;
  /** The momentum buffer b, updated in place; null when momentum is 0 (then momentum is not used). */
  readonly momentumBuffer: BufferRange | null;
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  readonly maximize: boolean;
  /** The buffer's first step: b ← g (its old contents are not read). */
  readonly firstStep: boolean;
}

/**
 * Adam and AdamW, PyTorch 1.13's single-tensor `torch.optim.Adam`/`AdamW` step for element i, with the
 * step count t folded on the host into `biasCorrection1 = 1 − β₁ᵗ` and `biasCorrection2Sqrt = √(1 − β₂ᵗ)`:
 * ```text
 * g ← maximize ? −grad : grad
 * decoupled (AdamW): θ ← θ · (1 − lr · weightDecay);   else: g ← g + weightDecay · θ
 * m ← β₁ · m + (1 − β₁) · g;   v ← β₂ · v + (1 − β₂) · g²
 * amsgrad: v̂ ← max(v̂, v), else v̂ = v
 * θ ← θ − (lr / biasCorrection1) · m / (√v̂ / biasCorrection2Sqrt + eps)
 * ```
 * @example
 * backend.optimizerStep!({ kind: 'adam', dtype: 'float32', size: 3, param, grad, expAvg, expAvgSq, maxExpAvgSq: null,
 *   lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: false, maximize: false,
 *   biasCorrection1: 0.1, biasCorrection2Sqrt: Math.sqrt(0.001) });
 */
export interface AdamStepRequest {
  readonly kind: 'adam';
  /** The dtype of the parameter, the gradient and every state buffer. */
  readonly dtype: DType;
  /** Elements to update (the parameter's size). */
  readonly size: number;
  /** θ, updated in place. */
  readonly param: BufferRange;
  /** The gradient; any strides, shaped like the parameter; element i is its row-major element i. */
  readonly grad: StridedView;
  /** m (exp_avg), updated in place. */
  readonly expAvg: BufferRange;
  /** v (exp_avg_sq), updated in place. */
  readonly expAvgSq: BufferRange;
  /** v̂ (max_exp_avg_sq), updated in place; present exactly when `amsgrad`. */
  readonly maxExpAvgSq: BufferRange | null;
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW's decoupled weight decay instead of the L2 term. */
  readonly decoupled: boolean;
  readonly amsgrad: boolean;
  readonly maximize: boolean;
  /** 1 − β₁ᵗ for the step count t (t ≥ 1). */
  readonly biasCorrection1: number;
  /** √(1 − β₂ᵗ). */
  readonly biasCorrection2Sqrt: number;
}

/** What {@link OptionalKernels.optimizerStep} receives: one parameter's SGD or Adam step. */
export type OptimizerStepRequest = SgdStepRequest | AdamStepRequest;

/** Names of the optional kernels. */
export type OptionalKernelName = keyof OptionalKernels;

/**
 * The optional kernel names, in a fixed order.
 * @example
 * OPTIONAL_KERNELS.filter((name) => backend[name] !== undefined); // what a backend fuses
 */
export const OPTIONAL_KERNELS: readonly OptionalKernelName[] = [
  'softmax', 'logSoftmax', 'layerNorm', 'conv2d', 'maxPool2d', 'avgPool2d', 'optimizerStep', 'matmulBiasActivation', 'argsort',
  'lstmCell', 'lstmCellBackward', 'gruCell', 'gruCellBackward', 'attention', 'attentionBackward', 'word2vecStep',
];

/**
 * A compute backend. Every method but the optional kernels, `readSync` and `dispose` is required.
 * Methods may queue work and return immediately; `read` must reflect all work queued before it.
 */
export interface Backend extends OptionalKernels {
  readonly name: string;
  readonly capabilities: BackendCapabilities;

  // ---- storage ----
  /** Allocate a buffer of `size` elements of `dtype` (contents undefined). `size` may be 0. */
  alloc(size: number, dtype: DType): DataId;
  /** Release a buffer (it may go back to a pool once queued work using it has finished). */
  free(id: DataId): void;
  /** Copy host data into a buffer starting at element `offset` (default 0). */
  write(id: DataId, data: DataArray, offset?: number): void;
  /** Read `size` elements starting at element `offset` (the returned array is the caller's). */
  read(id: DataId, dtype: DType, offset: number, size: number): Promise<DataArray>;
  /** Synchronous read; present only when `capabilities.syncRead`. */
  readSync?(id: DataId, dtype: DType, offset: number, size: number): DataArray;
  /** Memory accounting. */
  memory(): BackendMemory;

  // ---- required primitives ----
  /** Element-wise unary op. */
  unary(op: UnaryOp, x: StridedView, out: OutputBuffer): void;
  /** Element-wise binary op; `a` and `b` already have the output's shape and share one dtype. */
  binary(op: BinaryOp, a: StridedView, b: StridedView, out: OutputBuffer): void;
  /** `out = cond ? a : b`; cond is bool; a, b share the output's dtype; all have the output's shape. */
  where(cond: StridedView, a: StridedView, b: StridedView, out: OutputBuffer): void;
  /**
   * Convert to `out.dtype`. float→int truncates toward zero (NaN/±∞ → 0 and clamped to the int32 range),
   * anything→bool is `x ≠ 0`, bool→number is 0 or 1, →float16 rounds to nearest even (exactly, from
   * float64 too: core's `float32ToFloat16Bits`).
   */
  cast(x: StridedView, out: OutputBuffer): void;
  /** Reduce over `axes` (sorted, unique, non-empty). */
  reduce(op: ReduceOp, x: StridedView, axes: readonly number[], out: OutputBuffer): void;
  /**
   * Batched matrix product: a `[B, M, K]` × b `[B, K, N]` → out `[B, M, N]`, float dtypes only.
   * Transposed operands arrive as strides (e.g. a column-major `a` has strides `[·, 1, M]`);
   * a broadcast batch has stride 0.
   */
  matmul(a: StridedView, b: StridedView, out: OutputBuffer): void;
  /**
   * Copy `src` element-wise into the (possibly strided) view `dst` of the same shape and dtype.
   * Used for `contiguous`, `cat`, `pad` and in-place updates. `dst` never overlaps itself.
   */
  assign(dst: StridedView, src: StridedView): void;
  /**
   * `out[...] = x[...]` with the index along `axis` replaced by `index[...]` (PyTorch `gather`).
   * `index` is int32 with the output's shape; every other dim of `index` is ≤ the same dim of `x`.
   * Indices outside `[0, x.shape[axis])` throw a RangeError on backends that can check, else give 0.
   */
  gather(x: StridedView, axis: number, index: StridedView, out: OutputBuffer): void;
  /**
   * In place: `target[... index[p] ...] += src[p]` along `axis` for every position `p` of `index`
   * (PyTorch `scatter_add_`); `target` is contiguous; `index` and `src` share a shape.
   */
  scatterAdd(target: OutputBuffer, axis: number, index: StridedView, src: StridedView): void;
  /** Inclusive cumulative sum along `axis`. */
  cumsum(x: StridedView, axis: number, out: OutputBuffer): void;
  /** Fill every element with `value` (bool: 0/1; float16: `value` rounded to nearest even). */
  fill(out: OutputBuffer, value: number): void;
  /** `out[i] = start + i · step` (int32 outputs are exact integer arithmetic). */
  arange(out: OutputBuffer, start: number, step: number): void;
  /** Fill with the Philox stream described by {@link RandomRequest}. */
  random(out: OutputBuffer, request: RandomRequest): void;

  /** Wait for queued work (optional; a no-op on synchronous backends). */
  sync?(): Promise<void>;
  /** Release every resource; the backend is unusable afterwards. */
  dispose?(): void;
}

/**
 * A backend plugin: what a package exports and passes to `registerBackend`.
 * `create` may return the backend synchronously (then tensors can be made before `await ready()`).
 * @example
 * export const cpuPlugin: BackendPlugin = { name: 'cpu', apiVersion: 1, priority: 1, create: () => new CpuBackend() };
 */
export interface BackendPlugin {
  readonly name: string;
  readonly apiVersion: number;
  /** Higher wins when core picks a default backend. */
  readonly priority: number;
  create(): Backend | Promise<Backend>;
  /**
   * Optional: whether the backend can run here (e.g. a GPU adapter exists). Returning a string
   * explains why not; core then skips it when choosing the default.
   */
  isAvailable?(): boolean | string | Promise<boolean | string>;
}
