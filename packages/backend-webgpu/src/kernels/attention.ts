/**
 * Fused scaled dot-product attention (FlashAttention-2 style), forward and backward, float32.
 *
 * Forward: a workgroup owns 64 query rows of one (batch·head) problem, one invocation per row. It
 * walks the keys a tile at a time — the key and value tile in `var<workgroup>` memory — scoring its
 * row against four keys at once and folding them into a running max, running sum and output
 * accumulator (online softmax: at most one rescale per four keys). It writes `out` and `logsumexp`;
 * no `[Tq, Tk]` buffer exists anywhere. Causal workgroups stop at the last key tile their rows see.
 *
 * Backward recomputes each probability from the saved logsumexp, in three dispatches without
 * atomics: (1) per row, `(lse, δ = grad·out)` into a small `[BH·Tq]` scratch; (2) per key (64 per
 * workgroup, one invocation each) dK and dV, walking query tiles; (3) per query row dQ, walking
 * key tiles. Scores come from the same WGSL in all three kernels (q pre-scaled, same fma order),
 * so the backward's `exp(s − lse)` sees the forward's scores.
 *
 * Every operand is read through its offset and strides (uniforms), the mask per element (stride-0
 * broadcast dims cost nothing). Head dims E, Ev up to 128: a row (q, the accumulators) is held by its
 * invocation as ⌈E/4⌉ and ⌈Ev/4⌉ vec4s. Tiles are as many rows as fit the device's
 * `maxComputeWorkgroupStorageSize` (≥ 16 KiB in WebGPU: at least 8 rows of E = Ev = 128), up to 64.
 *
 * Two layouts of the same WGSL ({@link KernelSizes}): on a GPU the head-dim sizes and the tile are
 * literals, one pipeline per head-dim pair, so the driver unrolls the loops over a row's registers.
 * On a software adapter (lavapipe) they are uniforms and the loops' bounds opaque: Mesa compiles an
 * unrollable loop over private arrays into code that grows with the head dim's square (minutes for
 * E = 128), while with run-time bounds every head dim shares one pipeline that compiles in seconds.
 * One invocation per row suits CPU adapters, whose invocations are SIMD lanes; a discrete GPU would
 * rather split rows over a subgroup and hold fewer registers per invocation (not done yet).
 */
import { FLOAT_HELPERS, storageBinding, stridedFields } from '../codegen/wgsl';
import { UniformParams, uniformElement } from '../codegen/uniforms';
import type { GpuRuntime } from '../runtime/gpu-runtime';
import type { GpuStorage } from '../storage/gpu-storage';
import type { AttentionParams, StridedView } from '@tessera/core/backend';

/** Invocations per workgroup: query rows (forward, dQ) or keys (dK/dV), one each. */
const ROWS = 64;
/** Largest head dim (E and Ev) with a kernel; larger ones decline (core runs the composite). */
export const MAX_ATTENTION_HEAD_DIM = 128;
/** vec4s of the largest row. */
const MAX_QUADS = MAX_ATTENTION_HEAD_DIM / 4;
/** Rows per tile in workgroup memory: up to 64, a multiple of the forward's four-key step. */
const MAX_TILE = 64;
const TILE_STEP = 4;

/** One operand as the kernels read it: a buffer and a rank-3 (rank 2 for logsumexp) strided view. */
export interface AttentionOperand {
  readonly storage: GpuStorage;
  readonly offset: number;
  readonly strides: readonly number[];
}

/** The problem sizes: `problems` (B·H) independent attentions of `tq` queries over `tk` keys. */
export interface AttentionDims {
  readonly problems: number;
  readonly tq: number;
  readonly tk: number;
  readonly e: number;
  readonly ev: number;
}

/** The operands of {@link attentionForwardKernel}. */
export interface AttentionForwardOperands {
  readonly q: AttentionOperand;
  readonly k: AttentionOperand;
  readonly v: AttentionOperand;
  readonly mask: AttentionOperand | null;
}

/** The operands of {@link attentionBackwardKernel}. */
export interface AttentionBackwardOperands extends AttentionForwardOperands {
  readonly grad: AttentionOperand;
  readonly out: AttentionOperand;
  readonly logsumexp: AttentionOperand;
}

/**
 * Why these operands cannot take the fused kernel, or null when they can: float32 only (WGSL has
 * no f64; float16 is left to the composite), head dims up to {@link MAX_ATTENTION_HEAD_DIM}.
 * @example
 * attentionDeclineReason(q, k, v, null); // null for float32 [BH, T, 64] operands
 */
export function attentionDeclineReason(q: StridedView, k: StridedView, v: StridedView, mask: StridedView | null): string | null {
  if ([q, k, v, ...(mask ? [mask] : [])].some((view) => view.dtype !== 'float32')) return 'float32 only';
  if (q.shape[2] > MAX_ATTENTION_HEAD_DIM || v.shape[2] > MAX_ATTENTION_HEAD_DIM) return `head dims up to ${MAX_ATTENTION_HEAD_DIM}`;
  return null;
}

/** ⌈n/4⌉ vec4s, at least one (WGSL arrays cannot be empty). */
const quads = (n: number) => Math.max(1, Math.ceil(n / 4));

const LANES = ['x', 'y', 'z', 'w'] as const;

/** `line(0) … line(count − 1)` joined: a loop unrolled by the generator. */
const unroll = (count: number, line: (index: number) => string, separator = ' ') => Array.from({ length: count }, (_, index) => line(index)).join(separator);

/**
 * How one kernel's sizes appear in its WGSL: `e4`, `ev4` (vec4s per q/k and v row) and `tile` (rows
 * per tile) are literals (`'16u'`) or uniform reads (`'params.e4'`); `eCapacity`/`evCapacity` size the
 * private row arrays and `*TileCapacity` the workgroup arrays; `variant` joins the pipeline key.
 */
interface KernelSizes {
  readonly e4: string;
  readonly ev4: string;
  readonly tile: string;
  readonly eCapacity: number;
  readonly evCapacity: number;
  /** vec4s of the tile arrays holding E-sized rows and Ev-sized rows. */
  readonly eTileCapacity: number;
  readonly evTileCapacity: number;
  /** The tile's rows (also uploaded as `params.tile`). */
  readonly tileRows: number;
  readonly variant: string;
  /** The loop `for c in 0…count−1` over a row's vec4s; software adapters get a bound no compiler can unroll. */
  readonly quadLoop: (count: string, body: (c: string) => string) => string;
}

/**
 * The sizes of a kernel whose tiles hold rows of E and Ev floats (and `extraBytesPerRow` more each):
 * literal on GPUs, uniform on software adapters (see the file's comment).
 */
function kernelSizes(runtime: GpuRuntime, dims: AttentionDims, extraBytesPerRow: number): KernelSizes {
  const [e4, ev4] = [quads(dims.e), quads(dims.ev)];
  // Per-row extras (dK/dV's row stats) are declared for the largest tile; the rest holds E rows and Ev rows.
  const available = runtime.limits.maxComputeWorkgroupStorageSize - MAX_TILE * extraBytesPerRow;
  const multipleOfStep = (rows: number) => Math.max(TILE_STEP, rows - (rows % TILE_STEP));
  if (!runtime.software) {
    const tile = multipleOfStep(Math.min(MAX_TILE, Math.floor(available / ((e4 + ev4) * 16))));
    return {
      e4: `${e4}u`, ev4: `${ev4}u`, tile: `${tile}u`, eCapacity: e4, evCapacity: ev4, eTileCapacity: tile * e4, evTileCapacity: tile * ev4, tileRows: tile,
      variant: `e${e4}:v${ev4}:t${tile}`,
      quadLoop: (count, body) => `for (var c = 0u; c < ${count}; c = c + 1u) { ${body('c')} }`,
    };
  }
  // One pipeline for every head dim: the workgroup storage split evenly between E rows and Ev rows.
  const half = Math.floor(available / 2 / 16);
  const tile = multipleOfStep(Math.min(MAX_TILE, Math.floor(half / e4), Math.floor(half / ev4)));
  return {
    e4: 'params.e4', ev4: 'params.ev4', tile: 'params.tile', eCapacity: MAX_QUADS, evCapacity: MAX_QUADS,
    eTileCapacity: half, evTileCapacity: half, tileRows: tile, variant: `any:${half}`,
    quadLoop: (count, body) => `for (var c = 0u; c < min(${count}, params.opaque); c = c + 1u) { ${body('c')} }`,
  };
}

/** Uniform fields shared by the kernels: sizes, scale, causal flag and every operand's layout. */
function attentionParams(dims: AttentionDims, params: AttentionParams, workgroupTiles: number, tileRows: number, operands: Record<string, AttentionOperand | null>): UniformParams {
  const uniforms = new UniformParams()
    .u32('problems', dims.problems).u32('tq', dims.tq).u32('tk', dims.tk).u32('e', dims.e).u32('ev', dims.ev)
    .u32('e4', quads(dims.e)).u32('ev4', quads(dims.ev)).u32('tile', tileRows)
    .u32('workgroupTiles', workgroupTiles).u32('causal', params.causal ? 1 : 0).f32('scale', params.scale)
    // All ones: `min(n, params.opaque)` is n, but the shader compiler cannot know it.
    .u32('opaque', 0xffffffff);
  for (const [name, operand] of Object.entries(operands)) if (operand) stridedFields(uniforms, name, operand.offset, operand.strides);
  return uniforms;
}

/** WGSL `fn <name>(base: i32, c: u32) -> vec4<f32>`: elements 4c…4c+3 of a row, zero past `count`. */
function rowLoader(name: string, buffer: string, operand: string, count: string): string {
  const stride = uniformElement(`${operand}Strides`, 2);
  return `fn ${name}(base: i32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let e = c * 4u;
  ${unroll(4, (lane) => `if (e + ${lane}u < ${count}) { v.${LANES[lane]} = ${buffer}[base + i32(e + ${lane}u) * ${stride}]; }`, '\n  ')}
  return v;
}
`;
}

/** WGSL: the start of row `index` (u32) of problem `bh` in a rank-3 operand. */
const rowBase = (operand: string, bh: string, index: string) =>
  `params.${operand}Offset + i32(${bh}) * ${uniformElement(`${operand}Strides`, 0)} + i32(${index}) * ${uniformElement(`${operand}Strides`, 1)}`;

/**
 * WGSL assigning the score `s = (scale·q)·k [+ mask]` to `target`. One definition for all three
 * kernels (same fma order), so the backward recomputes the forward's scores.
 */
function scoreCode(sizes: KernelSizes, target: string, scaledQuery: (c: string) => string, key: (c: string) => string, mask: string | null): string {
  return `var dot4 = vec4<f32>(0.0);
    ${sizes.quadLoop(sizes.e4, (c) => `dot4 = fma(${scaledQuery(c)}, ${key(c)}, dot4);`)}
    ${target} = (dot4.x + dot4.y) + (dot4.z + dot4.w)${mask ? ` + maskBuf[${mask}]` : ''};`;
}

/** WGSL: `registers` (vec4s) written to `buffer[rowStart + e]` for e < `count`, each times `factor`. */
function storeRow(sizes: KernelSizes, buffer: string, rowStart: string, registers: string, quadCount: string, count: string, factor = ''): string {
  return sizes.quadLoop(quadCount, (c) => `let v = ${registers}[${c}]${factor}; ${unroll(4, (lane) => `if (${c} * 4u + ${lane}u < ${count}) { ${buffer}[${rowStart} + ${c} * 4u + ${lane}u] = v.${LANES[lane]}; }`)}`);
}

const NEG_INF_HELPER = 'fn isNegInf(x: f32) -> bool { return bitcast<u32>(x) == 0xff800000u; }\n';

/** The entry point of a kernel whose workgroups tile `params.problems × params.workgroupTiles` rows of 64. */
const TILED_ENTRY = `@compute @workgroup_size(${ROWS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let flat = wid.x + wid.y * groups.x;
  if (flat >= params.problems * params.workgroupTiles) { return; }
  let bh = flat / params.workgroupTiles;
  let first = (flat % params.workgroupTiles) * ${ROWS}u;`;

/** WGSL loading rows `start…start+tile−1` of `operand` (zeros past `limit`) into `target`, `quadCount` vec4s per row. */
function tileLoad(sizes: KernelSizes, target: string, loader: string, operand: string, start: string, limit: string, quadCount: string, factor = ''): string {
  return `for (var x = lid; x < ${sizes.tile} * ${quadCount}; x = x + ${ROWS}u) {
      let row = ${start} + x / ${quadCount};
      var value = vec4<f32>(0.0);
      if (row < ${limit}) { value = ${loader}(${rowBase(operand, 'bh', 'row')}, x % ${quadCount})${factor}; }
      ${target}[x] = value;
    }`;
}

/** WGSL: how many key tiles the workgroup's rows `first…first+63` see (causal stops at the diagonal). */
function keyTileCount(sizes: KernelSizes): string {
  return `var keyEnd = params.tk;
  if (params.causal != 0u) { keyEnd = min(keyEnd, first + ${ROWS}u); }
  let keyTiles = (keyEnd + ${sizes.tile} - 1u) / ${sizes.tile};`;
}

/** Storage declarations, numbered from binding 1 in order (inputs first, as `GpuRuntime.launch` binds them). */
function bindings(reads: readonly [string, string][], writes: readonly [string, string][]): string {
  let binding = 1;
  return [...reads.map(([name, type]) => storageBinding(binding++, name, type, 'read')), ...writes.map(([name, type]) => storageBinding(binding++, name, type, 'read_write'))].join('');
}

const f32Buffers = (names: readonly string[]): [string, string][] => names.map((name) => [name, 'f32']);

/** The mask's binding name (when there is one) and its key part. */
const maskParts = (mask: AttentionOperand | null) => ({ names: mask ? ['maskBuf'] : [], key: mask ? 'mask' : 'nomask', storages: mask ? [mask.storage] : [] });

/** Record `count` workgroups (0 records nothing). */
function launch(runtime: GpuRuntime, op: string, key: string, source: () => string, uniforms: UniformParams, inputs: GpuStorage[], outputs: GpuStorage[], count: number): void {
  if (count === 0) return;
  runtime.launch({ op, key, source, uniforms, inputs, outputs, groups: count });
}

/**
 * The forward kernel: writes `out` `[BH, Tq, Ev]` and `logsumexp` `[BH, Tq]` (contiguous). A row
 * whose scores are all −∞ gets out = 0 and logsumexp = −∞.
 * @example
 * attentionForwardKernel(runtime, { q, k, v, mask: null }, dims, { scale: 0.125, causal: true }, out, lse);
 */
export function attentionForwardKernel(runtime: GpuRuntime, operands: AttentionForwardOperands, dims: AttentionDims, params: AttentionParams, out: GpuStorage, logsumexp: GpuStorage): void {
  const { q, k, v, mask } = operands;
  const sizes = kernelSizes(runtime, dims, 0);
  const { e4, ev4, quadLoop } = sizes;
  const workgroupTiles = Math.ceil(dims.tq / ROWS);
  const uniforms = attentionParams(dims, params, workgroupTiles, sizes.tileRows, { q, k, v, mask });
  const masked = maskParts(mask);
  const score = (lane: number) => `{
      let key = key0 + j + ${lane}u;
      if (key < params.tk && (params.causal == 0u || key <= i)) {
        ${scoreCode(sizes, `s.${LANES[lane]}`, (c) => `query[${c}]`, (c) => `keyTile[(j + ${lane}u) * ${e4} + ${c}]`, mask ? `maskRow + i32(key) * ${uniformElement('maskStrides', 2)}` : null)}
      }
    }`;
  const source = (): string => `${uniforms.declaration()}${FLOAT_HELPERS}${NEG_INF_HELPER}${bindings(f32Buffers(['qBuf', 'kBuf', 'vBuf', ...masked.names]), f32Buffers(['outBuf', 'lseBuf']))}
${rowLoader('loadQ', 'qBuf', 'q', 'params.e')}${rowLoader('loadK', 'kBuf', 'k', 'params.e')}${rowLoader('loadV', 'vBuf', 'v', 'params.ev')}
var<workgroup> keyTile: array<vec4<f32>, ${sizes.eTileCapacity}>;
var<workgroup> valueTile: array<vec4<f32>, ${sizes.evTileCapacity}>;
${TILED_ENTRY}
  let i = first + lid;
  let inRange = i < params.tq;
  var query: array<vec4<f32>, ${sizes.eCapacity}>;
  var acc: array<vec4<f32>, ${sizes.evCapacity}>;
  if (inRange) {
    let qRow = ${rowBase('q', 'bh', 'i')};
    ${quadLoop(e4, (c) => `query[${c}] = loadQ(qRow, ${c}) * params.scale;`)}
  }
  ${mask ? `let maskRow = ${rowBase('mask', 'bh', 'i')};` : ''}
  var runningMax = -infF32();
  var runningSum = 0.0;
  ${keyTileCount(sizes)}
  for (var t = 0u; t < keyTiles; t = t + 1u) {
    let key0 = t * ${sizes.tile};
    workgroupBarrier();
    ${tileLoad(sizes, 'keyTile', 'loadK', 'k', 'key0', 'params.tk', e4)}
    ${tileLoad(sizes, 'valueTile', 'loadV', 'v', 'key0', 'params.tk', ev4)}
    workgroupBarrier();
    // Barriers stay in uniform control flow: rows past the end skip the work, not the loop.
    if (inRange) {
      let tileKeys = min(${sizes.tile}, params.tk - key0);
      for (var j = 0u; j < tileKeys; j = j + 4u) {
        var s = vec4<f32>(-infF32());
        ${unroll(4, score, '\n        ')}
        let chunkMax = max(max(s.x, s.y), max(s.z, s.w));
        // A new maximum rescales what was summed so far (nothing, while it was −∞).
        if (chunkMax > runningMax) {
          let correction = select(exp(runningMax - chunkMax), 0.0, isNegInf(runningMax));
          runningSum = runningSum * correction;
          ${quadLoop(ev4, (c) => `acc[${c}] = acc[${c}] * correction;`)}
          runningMax = chunkMax;
        }
        // Keys so far all −∞: nothing to add (and exp(−∞ − −∞) would be NaN).
        if (isNegInf(runningMax)) { continue; }
        let p = exp(s - vec4<f32>(runningMax));
        runningSum = runningSum + ((p.x + p.y) + (p.z + p.w));
        ${quadLoop(ev4, (c) => unroll(4, (lane) => `acc[${c}] = fma(vec4<f32>(p.${LANES[lane]}), valueTile[(j + ${lane}u) * ${ev4} + ${c}], acc[${c}]);`))}
      }
    }
  }
  if (inRange) {
    let row = bh * params.tq + i;
    let empty = isNegInf(runningMax);
    let inverse = select(1.0 / runningSum, 0.0, empty);
    let outRow = row * params.ev;
    ${storeRow(sizes, 'outBuf', 'outRow', 'acc', ev4, 'params.ev', ' * inverse')}
    lseBuf[row] = select(runningMax + log(runningSum), -infF32(), empty);
  }
}
`;
  launch(runtime, 'attention', `attention:forward:${sizes.variant}:${masked.key}`, source, uniforms, [q.storage, k.storage, v.storage, ...masked.storages], [out, logsumexp], dims.problems * workgroupTiles);
}

/**
 * The backward kernels: `(lse, δ)` per row into a scratch buffer, then dK/dV per key tile and dQ per
 * query tile (no atomics, no `[Tq, Tk]` buffer). Writes contiguous `gradQ`, `gradK`, `gradV`.
 * @example
 * attentionBackwardKernel(runtime, { grad, q, k, v, mask: null, out, logsumexp }, dims, params, gradQ, gradK, gradV);
 */
export function attentionBackwardKernel(
  runtime: GpuRuntime,
  operands: AttentionBackwardOperands,
  dims: AttentionDims,
  params: AttentionParams,
  gradQ: GpuStorage,
  gradK: GpuStorage,
  gradV: GpuStorage,
): void {
  // (lse, δ) pairs: the backward's one scratch, O(BH·Tq); the gradient kernels read them contiguously.
  const stats = runtime.temporary(Math.max(2 * dims.problems * dims.tq, 1), 'float32');
  rowStatsKernel(runtime, operands, dims, stats);
  keyGradientKernel(runtime, operands, dims, params, stats, gradK, gradV);
  queryGradientKernel(runtime, operands, dims, params, stats, gradQ);
  runtime.releaseTemporary(stats);
}

/** `stats[row] = (lse_row, δ_row = Σ_e grad·out)`, one invocation per row. */
function rowStatsKernel(runtime: GpuRuntime, operands: AttentionBackwardOperands, dims: AttentionDims, stats: GpuStorage): void {
  const { grad, out, logsumexp } = operands;
  const rows = dims.problems * dims.tq;
  const uniforms = attentionParams(dims, { scale: 1, causal: false }, 1, 0, { grad, out, lse: logsumexp });
  const source = (): string => `${uniforms.declaration()}${bindings(f32Buffers(['gradBuf', 'outBuf', 'lseBuf']), [['stats', 'vec2<f32>']])}
@compute @workgroup_size(${ROWS})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = gid.x + gid.y * groups.x * ${ROWS}u;
  if (row >= params.problems * params.tq) { return; }
  let bh = row / params.tq;
  let i = row % params.tq;
  let gradRow = ${rowBase('grad', 'bh', 'i')};
  let outRow = ${rowBase('out', 'bh', 'i')};
  var delta = 0.0;
  for (var e = 0u; e < params.ev; e = e + 1u) {
    delta = fma(gradBuf[gradRow + i32(e) * ${uniformElement('gradStrides', 2)}], outBuf[outRow + i32(e) * ${uniformElement('outStrides', 2)}], delta);
  }
  let lse = lseBuf[params.lseOffset + i32(bh) * ${uniformElement('lseStrides', 0)} + i32(i) * ${uniformElement('lseStrides', 1)}];
  stats[row] = vec2<f32>(lse, delta);
}
`;
  launch(runtime, 'attentionBackward', 'attention:stats', source, uniforms, [grad.storage, out.storage, logsumexp.storage], [stats], Math.ceil(rows / ROWS));
}

/**
 * dK and dV: each invocation owns one key j (its k and v rows and both accumulators in registers)
 * and walks the query tiles that see it — causal ones start at the workgroup's first key — with the
 * scaled queries, the output gradients and the row stats in workgroup memory.
 */
function keyGradientKernel(
  runtime: GpuRuntime, operands: AttentionBackwardOperands, dims: AttentionDims, params: AttentionParams, stats: GpuStorage, gradK: GpuStorage, gradV: GpuStorage,
): void {
  const { grad, q, k, v, mask } = operands;
  const sizes = kernelSizes(runtime, dims, 8);
  const { e4, ev4, quadLoop } = sizes;
  const workgroupTiles = Math.ceil(dims.tk / ROWS);
  const uniforms = attentionParams(dims, params, workgroupTiles, sizes.tileRows, { grad, q, k, v, mask });
  const masked = maskParts(mask);
  const reads: [string, string][] = [...f32Buffers(['qBuf', 'kBuf', 'vBuf', ...masked.names, 'gradBuf']), ['stats', 'vec2<f32>']];
  const source = (): string => `${uniforms.declaration()}${FLOAT_HELPERS}${NEG_INF_HELPER}${bindings(reads, f32Buffers(['gradKBuf', 'gradVBuf']))}
${rowLoader('loadQ', 'qBuf', 'q', 'params.e')}${rowLoader('loadK', 'kBuf', 'k', 'params.e')}${rowLoader('loadV', 'vBuf', 'v', 'params.ev')}${rowLoader('loadGrad', 'gradBuf', 'grad', 'params.ev')}
var<workgroup> queryTile: array<vec4<f32>, ${sizes.eTileCapacity}>;
var<workgroup> gradTile: array<vec4<f32>, ${sizes.evTileCapacity}>;
var<workgroup> statTile: array<vec2<f32>, ${MAX_TILE}>;
${TILED_ENTRY}
  let j = first + lid;
  let inRange = j < params.tk;
  var keyRow: array<vec4<f32>, ${sizes.eCapacity}>;
  var valueRow: array<vec4<f32>, ${sizes.evCapacity}>;
  var gradKey: array<vec4<f32>, ${sizes.eCapacity}>;
  var gradValue: array<vec4<f32>, ${sizes.evCapacity}>;
  if (inRange) {
    let kRow = ${rowBase('k', 'bh', 'j')};
    let vRow = ${rowBase('v', 'bh', 'j')};
    ${quadLoop(e4, (c) => `keyRow[${c}] = loadK(kRow, ${c});`)}
    ${quadLoop(ev4, (c) => `valueRow[${c}] = loadV(vRow, ${c});`)}
  }
  ${mask ? `let maskColumn = params.maskOffset + i32(bh) * ${uniformElement('maskStrides', 0)} + i32(j) * ${uniformElement('maskStrides', 2)};` : ''}
  // Causal: queries before the workgroup's first key see none of its keys.
  var queryStart = 0u;
  if (params.causal != 0u) { queryStart = min(first, params.tq); }
  let queryTiles = (params.tq - queryStart + ${sizes.tile} - 1u) / ${sizes.tile};
  for (var t = 0u; t < queryTiles; t = t + 1u) {
    let query0 = queryStart + t * ${sizes.tile};
    workgroupBarrier();
    ${tileLoad(sizes, 'queryTile', 'loadQ', 'q', 'query0', 'params.tq', e4, ' * params.scale')}
    ${tileLoad(sizes, 'gradTile', 'loadGrad', 'grad', 'query0', 'params.tq', ev4)}
    for (var x = lid; x < ${sizes.tile}; x = x + ${ROWS}u) {
      // Rows past the end read as fully masked (lse −∞), so they add nothing.
      var value = vec2<f32>(-infF32(), 0.0);
      if (query0 + x < params.tq) { value = stats[bh * params.tq + query0 + x]; }
      statTile[x] = value;
    }
    workgroupBarrier();
    if (inRange) {
      let tileRows = min(${sizes.tile}, params.tq - query0);
      for (var r = 0u; r < tileRows; r = r + 1u) {
        let i = query0 + r;
        let rowStats = statTile[r];
        if (isNegInf(rowStats.x) || (params.causal != 0u && j > i)) { continue; }
        var score = 0.0;
        ${scoreCode(sizes, 'score', (c) => `queryTile[r * ${e4} + ${c}]`, (c) => `keyRow[${c}]`, mask ? `maskColumn + i32(i) * ${uniformElement('maskStrides', 1)}` : null)}
        let p = exp(score - rowStats.x);
        var dp4 = vec4<f32>(0.0);
        ${quadLoop(ev4, (c) => `let g = gradTile[r * ${ev4} + ${c}]; dp4 = fma(g, valueRow[${c}], dp4); gradValue[${c}] = fma(vec4<f32>(p), g, gradValue[${c}]);`)}
        let ds = p * (((dp4.x + dp4.y) + (dp4.z + dp4.w)) - rowStats.y);
        ${quadLoop(e4, (c) => `gradKey[${c}] = fma(vec4<f32>(ds), queryTile[r * ${e4} + ${c}], gradKey[${c}]);`)}
      }
    }
  }
  if (inRange) {
    let row = bh * params.tk + j;
    let kStart = row * params.e;
    let vStart = row * params.ev;
    ${storeRow(sizes, 'gradKBuf', 'kStart', 'gradKey', e4, 'params.e')}
    ${storeRow(sizes, 'gradVBuf', 'vStart', 'gradValue', ev4, 'params.ev')}
  }
}
`;
  launch(runtime, 'attentionBackward', `attention:dkv:${sizes.variant}:${masked.key}`, source, uniforms,
    [q.storage, k.storage, v.storage, ...masked.storages, grad.storage, stats], [gradK, gradV], dims.problems * workgroupTiles);
}

/**
 * dQ: each invocation owns one query row (its scaled q, its output gradient, its stats and the
 * accumulator in registers) and walks the key tiles it sees, as the forward does.
 */
function queryGradientKernel(
  runtime: GpuRuntime, operands: AttentionBackwardOperands, dims: AttentionDims, params: AttentionParams, stats: GpuStorage, gradQ: GpuStorage,
): void {
  const { grad, q, k, v, mask } = operands;
  const sizes = kernelSizes(runtime, dims, 0);
  const { e4, ev4, quadLoop } = sizes;
  const workgroupTiles = Math.ceil(dims.tq / ROWS);
  const uniforms = attentionParams(dims, params, workgroupTiles, sizes.tileRows, { grad, q, k, v, mask });
  const masked = maskParts(mask);
  const reads: [string, string][] = [...f32Buffers(['qBuf', 'kBuf', 'vBuf', ...masked.names, 'gradBuf']), ['stats', 'vec2<f32>']];
  const source = (): string => `${uniforms.declaration()}${FLOAT_HELPERS}${NEG_INF_HELPER}${bindings(reads, f32Buffers(['gradQBuf']))}
${rowLoader('loadQ', 'qBuf', 'q', 'params.e')}${rowLoader('loadK', 'kBuf', 'k', 'params.e')}${rowLoader('loadV', 'vBuf', 'v', 'params.ev')}${rowLoader('loadGrad', 'gradBuf', 'grad', 'params.ev')}
var<workgroup> keyTile: array<vec4<f32>, ${sizes.eTileCapacity}>;
var<workgroup> valueTile: array<vec4<f32>, ${sizes.evTileCapacity}>;
${TILED_ENTRY}
  let i = first + lid;
  let inRange = i < params.tq;
  var query: array<vec4<f32>, ${sizes.eCapacity}>;
  var gradRow: array<vec4<f32>, ${sizes.evCapacity}>;
  var gradQuery: array<vec4<f32>, ${sizes.eCapacity}>;
  var rowStats = vec2<f32>(-infF32(), 0.0);
  if (inRange) {
    let qRow = ${rowBase('q', 'bh', 'i')};
    let gRow = ${rowBase('grad', 'bh', 'i')};
    ${quadLoop(e4, (c) => `query[${c}] = loadQ(qRow, ${c}) * params.scale;`)}
    ${quadLoop(ev4, (c) => `gradRow[${c}] = loadGrad(gRow, ${c});`)}
    rowStats = stats[bh * params.tq + i];
  }
  ${mask ? `let maskRow = ${rowBase('mask', 'bh', 'i')};` : ''}
  ${keyTileCount(sizes)}
  for (var t = 0u; t < keyTiles; t = t + 1u) {
    let key0 = t * ${sizes.tile};
    workgroupBarrier();
    ${tileLoad(sizes, 'keyTile', 'loadK', 'k', 'key0', 'params.tk', e4)}
    ${tileLoad(sizes, 'valueTile', 'loadV', 'v', 'key0', 'params.tk', ev4)}
    workgroupBarrier();
    // Out-of-range and fully masked rows have lse −∞: no key contributes.
    if (!isNegInf(rowStats.x)) {
      let tileKeys = min(${sizes.tile}, params.tk - key0);
      for (var j = 0u; j < tileKeys; j = j + 1u) {
        let key = key0 + j;
        if (params.causal != 0u && key > i) { break; }
        var score = 0.0;
        ${scoreCode(sizes, 'score', (c) => `query[${c}]`, (c) => `keyTile[j * ${e4} + ${c}]`, mask ? `maskRow + i32(key) * ${uniformElement('maskStrides', 2)}` : null)}
        let p = exp(score - rowStats.x);
        var dp4 = vec4<f32>(0.0);
        ${quadLoop(ev4, (c) => `dp4 = fma(gradRow[${c}], valueTile[j * ${ev4} + ${c}], dp4);`)}
        let ds = p * (((dp4.x + dp4.y) + (dp4.z + dp4.w)) - rowStats.y);
        ${quadLoop(e4, (c) => `gradQuery[${c}] = fma(vec4<f32>(ds), keyTile[j * ${e4} + ${c}], gradQuery[${c}]);`)}
      }
    }
  }
  if (inRange) {
    let qStart = (bh * params.tq + i) * params.e;
    ${storeRow(sizes, 'gradQBuf', 'qStart', 'gradQuery', e4, 'params.e', ' * params.scale')}
  }
}
`;
  launch(runtime, 'attentionBackward', `attention:dq:${sizes.variant}:${masked.key}`, source, uniforms,
    [q.storage, k.storage, v.storage, ...masked.storages, grad.storage, stats], [gradQ], dims.problems * workgroupTiles);
}
