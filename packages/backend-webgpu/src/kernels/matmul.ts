/**
 * Batched matmul: a register-tiled, shared-memory kernel. Each workgroup computes a BM × BN tile of
 * one batch item, each thread a TM × TN block held in vec4 registers, stepping K by BK. Operand
 * tiles load as vec4 whenever the operand is contiguous along K or along M/N (so all four transpose
 * combinations get wide loads), otherwise as strided scalars (sliced, flipped, broadcast views).
 * An optional epilogue is fused into the store: a bias (per row or per column) and an activation
 * (relu, sigmoid, tanh), each a compile-time variant, so the plain kernel's source has neither.
 * float16 operands keep the same structure: `vec4<f16>` (or scalar f16) global loads widened to the
 * f32 shared tiles, f32 accumulation, epilogue in f32, one rounding to f16 per output (as cuBLAS's
 * default for half GEMMs).
 */
import { DTypeError } from '@tessera/core';
import { narrow, shaderPrelude, widen } from '../codegen/float16';
import { FLOAT_HELPERS, wgslType } from '../codegen/wgsl';
import { UniformParams } from '../codegen/uniforms';
import { unaryExpression } from './elementwise';
import { MATH_HELPERS } from './math';
import type { GpuRuntime } from '../runtime/gpu-runtime';
import type { GpuStorage } from '../storage/gpu-storage';
import type { DType, FusedActivation, OutputBuffer, StridedView } from '@tessera/core/backend';

/** One tile configuration. */
interface TileConfig {
  readonly name: string;
  readonly bm: number;
  readonly bn: number;
  readonly tm: number;
  readonly tn: number;
}

const BK = 16;
const TILES: Record<'large' | 'medium' | 'small', TileConfig> = {
  large: { name: 'L', bm: 128, bn: 128, tm: 8, tn: 8 },
  medium: { name: 'M', bm: 64, bn: 64, tm: 4, tn: 4 },
  small: { name: 'S', bm: 32, bn: 32, tm: 4, tn: 4 },
};

type ALoad = 'k' | 'm' | 's';
type BLoad = 'n' | 'k' | 's';
/** Bias fused into the store: none, `bias[m]` per output row, or `bias[n]` per output column. */
export type BiasMode = 'none' | 'row' | 'col';

/** A bias operand: a strided vector of length M (row) or N (col). */
export interface MatmulBias {
  readonly mode: Exclude<BiasMode, 'none'>;
  readonly storage: GpuStorage;
  readonly offset: number;
  readonly stride: number;
}

/** What {@link matmulKernel} fuses beyond the product, and the op name its errors use. */
export interface MatmulEpilogue {
  /** Applied to `a·b (+ bias)` in f32 before the one store (default `'none'`). */
  readonly activation?: FusedActivation;
  /** The op named in errors (default `'matmul'`). */
  readonly op?: string;
}

/**
 * WGSL `activate4(v: vec4<f32>) -> vec4<f32>` for a fused activation, or '' for none. The scalar
 * expression is the element-wise kernel's unary op (core's semantics: relu keeps NaN, the sigmoid
 * never overflows, tanh is the Cephes form), so in float32 the fused result equals matmul → add →
 * the unary op bit for bit (float16 differs by rounding once instead of after each step).
 */
function activationHelpers(activation: FusedActivation): string {
  if (activation === 'none') return '';
  return `${FLOAT_HELPERS}${MATH_HELPERS}
fn activate(v0: f32) -> f32 { return ${unaryExpression(activation, 'float32')}; }
fn activate4(v: vec4<f32>) -> vec4<f32> { return vec4<f32>(activate(v.x), activate(v.y), activate(v.z), activate(v.w)); }
`;
}

function pickTile(m: number, n: number, runtime: GpuRuntime): TileConfig {
  const threads = runtime.limits.maxComputeInvocationsPerWorkgroup;
  const shared = runtime.limits.maxComputeWorkgroupStorageSize;
  // A GPU wants many workgroups; a software adapter has a few cores, so there 8×8 outputs per
  // invocation pay off as soon as one large tile fills with real rows and columns.
  const largeFrom = runtime.software ? 128 : 1024;
  if (m >= largeFrom && n >= largeFrom && threads >= 256 && shared >= 16384) return TILES.large;
  if (m >= 48 && n >= 48 && threads >= 256) return TILES.medium;
  return TILES.small;
}

function source(
  tile: TileConfig, dtype: DType, aLoad: ALoad, bLoad: BLoad, vecOut: boolean, bias: BiasMode, activation: FusedActivation, params: UniformParams,
): string {
  const { bm, bn, tm, tn } = tile;
  const element = wgslType(dtype);
  /** A vec4 or scalar global load as f32. */
  const vector = (load: string) => widen(load, dtype, 4);
  const scalar = (load: string) => widen(load, dtype);
  const tx = bn / tn;
  const ty = bm / tm;
  const threads = tx * ty;
  const aVecs = (bm * BK) / 4;
  const bVecs = (bn * BK) / 4;
  const aArray = aLoad === 's' ? `array<${element}>` : `array<vec4<${element}>>`;
  const bArray = bLoad === 's' ? `array<${element}>` : `array<vec4<${element}>>`;
  const outArray = vecOut ? `array<vec4<${element}>>` : `array<${element}>`;
  let binding = 1;
  let code = shaderPrelude([dtype]) + params.declaration() + activationHelpers(activation);
  code += `@group(0) @binding(${binding++}) var<storage, read> A: ${aArray};\n`;
  code += `@group(0) @binding(${binding++}) var<storage, read> B: ${bArray};\n`;
  if (bias !== 'none') code += `@group(0) @binding(${binding++}) var<storage, read> bias: array<${element}>;\n`;
  code += `@group(0) @binding(${binding++}) var<storage, read_write> C: ${outArray};\n`;
  code += `var<workgroup> As: array<vec4<f32>, ${aVecs}>;\nvar<workgroup> Bs: array<vec4<f32>, ${bVecs}>;\n`;
  const loadA = (): string => {
    const lines: string[] = [];
    for (let l = 0; l < aVecs / threads; l++) {
      lines.push(`{ let e = t + ${l * threads}u;`);
      if (aLoad === 'k') {
        lines.push(`  let m = e / ${BK / 4}u; let kq = (e % ${BK / 4}u) * 4u;
  var v = vec4<f32>(0.0);
  if (m0 + m < M && k0 + kq < K) { v = ${vector('A[(aBase + i32(m0 + m) * sa1 + i32(k0 + kq)) / 4]')}; }
  let slot = m / 4u; let lane = m % 4u;
  As[(kq) * ${bm / 4}u + slot][lane] = v.x; As[(kq + 1u) * ${bm / 4}u + slot][lane] = v.y;
  As[(kq + 2u) * ${bm / 4}u + slot][lane] = v.z; As[(kq + 3u) * ${bm / 4}u + slot][lane] = v.w; }`);
      } else if (aLoad === 'm') {
        lines.push(`  let k = e / ${bm / 4}u; let mq = (e % ${bm / 4}u) * 4u;
  var v = vec4<f32>(0.0);
  if (m0 + mq < M && k0 + k < K) { v = ${vector('A[(aBase + i32(m0 + mq) + i32(k0 + k) * sa2) / 4]')}; }
  As[e] = v; }`);
      } else {
        lines.push(`  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j = j + 1u) {
    let idx = e * 4u + j; let k = idx / ${bm}u; let m = idx % ${bm}u;
    if (m0 + m < M && k0 + k < K) { v[j] = ${scalar('A[aBase + i32(m0 + m) * sa1 + i32(k0 + k) * sa2]')}; }
  }
  As[e] = v; }`);
      }
    }
    return lines.join('\n    ');
  };
  const loadB = (): string => {
    const lines: string[] = [];
    for (let l = 0; l < bVecs / threads; l++) {
      lines.push(`{ let e = t + ${l * threads}u;`);
      if (bLoad === 'n') {
        lines.push(`  let k = e / ${bn / 4}u; let nq = (e % ${bn / 4}u) * 4u;
  var v = vec4<f32>(0.0);
  if (n0 + nq < N && k0 + k < K) { v = ${vector('B[(bBase + i32(k0 + k) * sb1 + i32(n0 + nq)) / 4]')}; }
  Bs[e] = v; }`);
      } else if (bLoad === 'k') {
        lines.push(`  let n = e / ${BK / 4}u; let kq = (e % ${BK / 4}u) * 4u;
  var v = vec4<f32>(0.0);
  if (n0 + n < N && k0 + kq < K) { v = ${vector('B[(bBase + i32(k0 + kq) + i32(n0 + n) * sb2) / 4]')}; }
  let slot = n / 4u; let lane = n % 4u;
  Bs[(kq) * ${bn / 4}u + slot][lane] = v.x; Bs[(kq + 1u) * ${bn / 4}u + slot][lane] = v.y;
  Bs[(kq + 2u) * ${bn / 4}u + slot][lane] = v.z; Bs[(kq + 3u) * ${bn / 4}u + slot][lane] = v.w; }`);
      } else {
        lines.push(`  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j = j + 1u) {
    let idx = e * 4u + j; let k = idx / ${bn}u; let n = idx % ${bn}u;
    if (n0 + n < N && k0 + k < K) { v[j] = ${scalar('B[bBase + i32(k0 + k) * sb1 + i32(n0 + n) * sb2]')}; }
  }
  Bs[e] = v; }`);
      }
    }
    return lines.join('\n    ');
  };
  const aq = tm / 4;
  const bq = tn / 4;
  const compute: string[] = [];
  for (let q = 0; q < aq; q++) compute.push(`let a${q} = As[k * ${bm / 4}u + lid.y * ${aq}u + ${q}u];`);
  for (let q = 0; q < bq; q++) compute.push(`let b${q} = Bs[k * ${bn / 4}u + lid.x * ${bq}u + ${q}u];`);
  for (let i = 0; i < tm; i++) {
    const component = ['x', 'y', 'z', 'w'][i % 4];
    for (let q = 0; q < bq; q++) compute.push(`acc[${i * bq + q}] = fma(vec4<f32>(a${Math.floor(i / 4)}.${component}), b${q}, acc[${i * bq + q}]);`);
  }
  const store: string[] = [];
  if (bias === 'col') {
    // A thread's columns are the same in each of its rows: load their bias once, not once per row.
    for (let q = 0; q < bq; q++) {
      store.push(`var colBias${q} = vec4<f32>(0.0);
  for (var c = 0u; c < 4u; c = c + 1u) { let n = n0 + lid.x * ${tn}u + ${q * 4}u + c; if (n < N) { colBias${q}[c] = ${scalar('bias[params.biasOffset + i32(n) * params.biasStride]')}; } }`);
    }
  }
  for (let i = 0; i < tm; i++) {
    store.push(`{ let m = m0 + lid.y * ${tm}u + ${i}u;
    if (m < M) {`);
    const rowBias = bias === 'row' ? ` + vec4<f32>(${scalar('bias[params.biasOffset + i32(m) * params.biasStride]')})` : '';
    for (let q = 0; q < bq; q++) {
      const colBias = bias === 'col' ? ` + colBias${q}` : '';
      store.push(`      { let n = n0 + lid.x * ${tn}u + ${q * 4}u;`);
      const sum = `acc[${i * bq + q}]${rowBias}${colBias}`;
      store.push(`        let value = ${activation === 'none' ? sum : `activate4(${sum})`};`);
      if (vecOut) {
        store.push(`        if (n < N) { C[(outBase + m * N + n) / 4u] = ${narrow('value', dtype, 4)}; } }`);
      } else {
        store.push(`        for (var c = 0u; c < 4u; c = c + 1u) { if (n + c < N) { C[outBase + m * N + n + c] = ${narrow('value[c]', dtype)}; } } }`);
      }
    }
    store.push('    } }');
  }
  code += `@compute @workgroup_size(${tx}, ${ty})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = params.m; let N = params.n; let K = params.k;
  let batch = wid.z + params.firstBatch;
  let sa1 = params.aStrides[0].y; let sa2 = params.aStrides[0].z; let sb1 = params.bStrides[0].y; let sb2 = params.bStrides[0].z;
  let aBase = params.aOffset + i32(batch) * params.aStrides[0].x;
  let bBase = params.bOffset + i32(batch) * params.bStrides[0].x;
  let outBase = params.outOffset + batch * params.outBatchStride;
  let m0 = wid.y * ${bm}u; let n0 = wid.x * ${bn}u;
  let t = lid.y * ${tx}u + lid.x;
  var acc: array<vec4<f32>, ${tm * bq}>;
  for (var k0 = 0u; k0 < K; k0 = k0 + ${BK}u) {
    ${loadA()}
    ${loadB()}
    workgroupBarrier();
    for (var k = 0u; k < ${BK}u; k = k + 1u) {
      ${compute.join('\n      ')}
    }
    workgroupBarrier();
  }
  ${store.join('\n  ')}
}
`;
  return code;
}

/**
 * `out[b] = activation(a[b] · b[b] (+ bias))` for a `[B, M, K]`, b `[B, K, N]` (any strides), out
 * `[B, M, N]` contiguous (or at `outLayout`). Each bias mode × activation is its own pipeline.
 * @example
 * matmulKernel(runtime, a, aStorage, b, bStorage, out, outStorage);
 * // relu(a · b + bias[n]), bias a contiguous [N] buffer:
 * matmulKernel(runtime, a, aStorage, b, bStorage, out, outStorage, { mode: 'col', storage, offset: 0, stride: 1 }, null, { activation: 'relu' });
 */
export function matmulKernel(
  runtime: GpuRuntime,
  a: StridedView,
  aStorage: GpuStorage,
  b: StridedView,
  bStorage: GpuStorage,
  out: OutputBuffer,
  outStorage: GpuStorage,
  bias: MatmulBias | null = null,
  outLayout: { offset: number; batchStride: number } | null = null,
  epilogue: MatmulEpilogue = {},
): void {
  const dtype = a.dtype;
  const op = epilogue.op ?? 'matmul';
  const activation = epilogue.activation ?? 'none';
  if ((dtype !== 'float32' && dtype !== 'float16') || b.dtype !== dtype || out.dtype !== dtype || (bias && bias.storage.dtype !== dtype)) {
    throw new DTypeError(
      `webgpu ${op}: expected float32 or float16 operands of one dtype, got a ${a.dtype}, b ${b.dtype}${bias ? `, bias ${bias.storage.dtype}` : ''}, out ${out.dtype}`,
    );
  }
  const [batch, m, k] = a.shape;
  const n = b.shape[2];
  if (batch === 0 || m === 0 || n === 0) return;
  const sa0 = batch === 1 ? 0 : a.strides[0];
  const sb0 = batch === 1 ? 0 : b.strides[0];
  const [, sa1, sa2] = a.strides;
  const [, sb1, sb2] = b.strides;
  const aligned = (...values: number[]) => values.every((value) => value % 4 === 0);
  const aLoad: ALoad =
    k > 0 && sa2 === 1 && aligned(k, sa1, sa0, a.offset) ? 'k' : sa1 === 1 && aligned(m, sa2, sa0, a.offset) ? 'm' : 's';
  const bLoad: BLoad =
    sb2 === 1 && aligned(n, sb1, sb0, b.offset) ? 'n' : k > 0 && sb1 === 1 && aligned(k, sb2, sb0, b.offset) ? 'k' : 's';
  const outOffset = outLayout?.offset ?? 0;
  const outBatchStride = outLayout?.batchStride ?? m * n;
  const vecOut = n % 4 === 0 && outOffset % 4 === 0 && outBatchStride % 4 === 0;
  const tile = pickTile(m, n, runtime);
  const biasMode: BiasMode = bias?.mode ?? 'none';
  const key = `matmul:${dtype}:${tile.name}:${aLoad}${bLoad}:${vecOut ? 'v' : 's'}:${biasMode}:${activation}`;
  const maxZ = runtime.limits.maxComputeWorkgroupsPerDimension;
  for (let first = 0; first < batch; first += maxZ) {
    const count = Math.min(maxZ, batch - first);
    const params = new UniformParams().u32('m', m).u32('n', n).u32('k', k).u32('firstBatch', first);
    params.i32('aOffset', a.offset).i32('bOffset', b.offset).i32('biasOffset', bias?.offset ?? 0).i32('biasStride', bias?.stride ?? 0);
    params.u32('outOffset', outOffset).u32('outBatchStride', outBatchStride).i32s('aStrides', [sa0, sa1, sa2]).i32s('bStrides', [sb0, sb1, sb2]);
    runtime.launch({
      op,
      key,
      source: () => source(tile, dtype, aLoad, bLoad, vecOut, biasMode, activation, params),
      uniforms: params,
      inputs: bias ? [aStorage, bStorage, bias.storage] : [aStorage, bStorage],
      outputs: [outStorage],
      groups: [Math.ceil(n / tile.bn), Math.ceil(m / tile.bm), count],
    });
  }
}
