// erf, where, cast, cumsum, softmax over a non-last axis, pooling (forward and the scatterAdd of
// maxPool2d's backward), gather, scatterAdd and layerNorm: the JavaScript kernels (simd: false)
// against the WebAssembly kernels on 1 thread and on `threads: 'auto'`, interleaved in one process,
// median of the runs. Small cases check that the dispatch costs nothing where WebAssembly cannot pay.
//
// Run after `pnpm build`: `node bench/rest-kernels-bench.mjs [runs] [--before DIR] [--only a,b] [--cpu]`.
// `--cpu` reports the process's CPU time per call instead of wall time (on a loaded machine it leaves
// out the time other processes take; for threaded sides it adds up every thread's time).
// `--before DIR` adds a column for another build of the package (e.g. a copy of an older `dist/`
// placed under node_modules/.cache so `@tessera/core` resolves), for before/after in one process.
/* global console, process, performance */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { CpuBackend } from '../dist/index.js';

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : undefined;
};
const beforeDir = option('--before');
const only = option('--only')?.split(',');
const cpuTime = args.includes('--cpu') && args.splice(args.indexOf('--cpu'), 1).length > 0;
/** Milliseconds now: wall clock, or (with --cpu) CPU time of the whole process. */
const clock = cpuTime ? () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; } : () => performance.now();
const runs = Number(args[0] ?? 15);

const sides = {
  js: new CpuBackend({ simd: false, threads: 1 }),
  'simd-1t': new CpuBackend({ threads: 1 }),
  'simd-auto': new CpuBackend({ threads: 'auto' }),
};
if (beforeDir) {
  const before = await import(pathToFileURL(resolve(beforeDir, 'index.js')).href);
  sides['before-1t'] = new before.CpuBackend({ threads: 1 });
  sides['before-auto'] = new before.CpuBackend({ threads: 'auto' });
}
sides['simd-auto'].pool?.waitUntilReady();
sides['before-auto']?.pool?.waitUntilReady();

/** Deterministic values in [-scale, scale). */
function values(count, scale = 4, seed = 1) {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 31 - 1) * scale;
  }
  return out;
}
const contiguous = (shape) => {
  const strides = new Array(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
};
const size = (shape) => shape.reduce((p, d) => p * d, 1);

/** Per backend: inputs made once, then the timed call. */
function makeCase(build) {
  const state = new Map();
  return (name, backend) => {
    if (!state.has(name)) {
      const input = (data, shape, dtype = 'float32') => {
        const id = backend.alloc(data.length, dtype);
        backend.write(id, data);
        return { id, dtype, shape, strides: contiguous(shape), offset: 0 };
      };
      const output = (shape, dtype = 'float32') => ({ id: backend.alloc(size(shape), dtype), dtype, shape });
      state.set(name, build(backend, input, output));
    }
    state.get(name)();
  };
}

const M = 1 << 20;
const pool2x2 = { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], countIncludePad: true };
const pool3x3 = { kernelSize: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], countIncludePad: true };
const mask = (count) => Uint8Array.from(values(count, 1, 7), (v) => (v > 0 ? 1 : 0));
const indexTable = (count, extent, seed) => Int32Array.from(values(count, 1, seed), (v) => Math.floor((v + 1) / 2 * extent));

const cases = {
  'erf 1M': makeCase((b, input, output) => {
    const x = input(values(M), [M]), out = output([M]);
    return () => b.unary('erf', x, out);
  }),
  'erf 1k': makeCase((b, input, output) => {
    const x = input(values(1024), [1024]), out = output([1024]);
    return () => b.unary('erf', x, out);
  }),
  'where 1M': makeCase((b, input, output) => {
    const c = input(mask(M), [M], 'bool'), x = input(values(M), [M]), y = input(values(M, 1, 3), [M]), out = output([M]);
    return () => b.where(c, x, y, out);
  }),
  'where 1M, scalar fill': makeCase((b, input, output) => {
    const c = input(mask(M), [M], 'bool'), x = input(values(M), [M]), fill = { ...input(new Float32Array([-1e9]), [1]), shape: [M], strides: [0] };
    const out = output([M]);
    return () => b.where(c, fill, x, out);
  }),
  'where 1k': makeCase((b, input, output) => {
    const c = input(mask(1024), [1024], 'bool'), x = input(values(1024), [1024]), y = input(values(1024, 1, 3), [1024]), out = output([1024]);
    return () => b.where(c, x, y, out);
  }),
  'cast f32→i32 1M': makeCase((b, input, output) => {
    const x = input(values(M, 1000), [M]), out = output([M], 'int32');
    return () => b.cast(x, out);
  }),
  'cast i32→f32 1M': makeCase((b, input, output) => {
    const x = input(Int32Array.from(values(M, 1000)), [M], 'int32'), out = output([M]);
    return () => b.cast(x, out);
  }),
  'cast f32→bool 1M': makeCase((b, input, output) => {
    const x = input(values(M).map(Math.round), [M]), out = output([M], 'bool');
    return () => b.cast(x, out);
  }),
  'cast bool→f32 1M': makeCase((b, input, output) => {
    const x = input(mask(M), [M], 'bool'), out = output([M]);
    return () => b.cast(x, out);
  }),
  'cast f32→i32 1k': makeCase((b, input, output) => {
    const x = input(values(1024, 1000), [1024]), out = output([1024], 'int32');
    return () => b.cast(x, out);
  }),
  'cumsum 1024² axis 1': makeCase((b, input, output) => {
    const x = input(values(M), [1024, 1024]), out = output([1024, 1024]);
    return () => b.cumsum(x, 1, out);
  }),
  'cumsum 1024² axis 0': makeCase((b, input, output) => {
    const x = input(values(M), [1024, 1024]), out = output([1024, 1024]);
    return () => b.cumsum(x, 0, out);
  }),
  'cumsum 1M': makeCase((b, input, output) => {
    const x = input(values(M), [M]), out = output([M]);
    return () => b.cumsum(x, 0, out);
  }),
  'cumsum 1k': makeCase((b, input, output) => {
    const x = input(values(1024), [1024]), out = output([1024]);
    return () => b.cumsum(x, 0, out);
  }),
  'softmax 1024² axis 0': makeCase((b, input, output) => {
    const x = input(values(M, 8), [1024, 1024]), out = output([1024, 1024]);
    return () => b.softmax(x, 0, out);
  }),
  'logSoftmax 64×128×128 axis 1': makeCase((b, input, output) => {
    const x = input(values(M, 8), [64, 128, 128]), out = output([64, 128, 128]);
    return () => b.logSoftmax(x, 1, out);
  }),
  'softmax 16×16 axis 0': makeCase((b, input, output) => {
    const x = input(values(256, 8), [16, 16]), out = output([16, 16]);
    return () => b.softmax(x, 0, out);
  }),
  'maxPool2d 32×16×64×64 2×2/2': makeCase((b, input, output) => {
    const shape = [32, 16, 64, 64], outShape = [32, 16, 32, 32];
    const x = input(values(size(shape)), shape), out = output(outShape), indices = output(outShape, 'int32');
    return () => b.maxPool2d(x, pool2x2, out, indices);
  }),
  'maxPool2d 32×16×32×32 3×3/1 pad 1': makeCase((b, input, output) => {
    const shape = [32, 16, 32, 32];
    const x = input(values(size(shape)), shape), out = output(shape), indices = output(shape, 'int32');
    return () => b.maxPool2d(x, pool3x3, out, indices);
  }),
  'avgPool2d 32×16×64×64 2×2/2': makeCase((b, input, output) => {
    const shape = [32, 16, 64, 64], outShape = [32, 16, 32, 32];
    const x = input(values(size(shape)), shape), out = output(outShape);
    return () => b.avgPool2d(x, pool2x2, out);
  }),
  'avgPool2d 32×16×32×32 3×3/1 pad 1': makeCase((b, input, output) => {
    const shape = [32, 16, 32, 32];
    const x = input(values(size(shape)), shape), out = output(shape);
    return () => b.avgPool2d(x, pool3x3, out);
  }),
  'maxPool2d 1×2×8×8 2×2/2': makeCase((b, input, output) => {
    const shape = [1, 2, 8, 8], outShape = [1, 2, 4, 4];
    const x = input(values(size(shape)), shape), out = output(outShape), indices = output(outShape, 'int32');
    return () => b.maxPool2d(x, pool2x2, out, indices);
  }),
  // maxPool2d's backward in core: zeros [N, C, H·W] scatterAdd along 2 with the indices.
  'maxPool2d backward (scatterAdd) 32×16×1024→4096': makeCase((b, input, output) => {
    const target = output([32, 16, 4096]);
    const index = input(indexTable(32 * 16 * 1024, 4096, 5), [32, 16, 1024], 'int32'), grad = input(values(32 * 16 * 1024), [32, 16, 1024]);
    return () => {
      b.fill(target, 0);
      b.scatterAdd(target, 2, index, grad);
    };
  }),
  // im2col as core's conv2d and pooling composites do it: indexSelect along the plane = gather with an expanded index.
  'gather im2col 32×16×34²→9×1024': makeCase((b, input, output) => {
    const planes = [32, 16, 34 * 34], taps = 9 * 1024;
    const x = input(values(size(planes)), planes);
    const table = input(indexTable(taps, 34 * 34, 9), [taps], 'int32');
    const index = { ...table, shape: [32, 16, taps], strides: [0, 0, 1] };
    const out = output([32, 16, taps]);
    return () => b.gather(x, 2, index, out);
  }),
  // an embedding lookup: indexSelect along axis 0 = gather with the index broadcast along the rows.
  'gather embedding 4096 rows of 256': makeCase((b, input, output) => {
    const table = input(values(50000 * 256), [50000, 256]);
    const ids = input(indexTable(4096, 50000, 11), [4096], 'int32');
    const index = { ...ids, shape: [4096, 256], strides: [1, 0] };
    const out = output([4096, 256]);
    return () => b.gather(table, 0, index, out);
  }),
  // col2im: the gradient of im2col.
  'scatterAdd col2im 32×16×9×1024→34²': makeCase((b, input, output) => {
    const taps = 9 * 1024;
    const target = output([32, 16, 34 * 34]);
    const table = input(indexTable(taps, 34 * 34, 9), [taps], 'int32');
    const index = { ...table, shape: [32, 16, taps], strides: [0, 0, 1] };
    const src = input(values(32 * 16 * taps), [32, 16, taps]);
    return () => {
      b.fill(target, 0);
      b.scatterAdd(target, 2, index, src);
    };
  }),
  'gather 4×4': makeCase((b, input, output) => {
    const x = input(values(16), [4, 4]), index = input(indexTable(16, 4, 3), [4, 4], 'int32'), out = output([4, 4]);
    return () => b.gather(x, 1, index, out);
  }),
  'layerNorm 1024×1024': makeCase((b, input, output) => {
    const x = input(values(M), [1024, 1024]), w = input(values(1024, 1, 2), [1024]), bias = input(values(1024, 1, 3), [1024]);
    const out = output([1024, 1024]), mean = output([1024]), rstd = output([1024]);
    return () => b.layerNorm(x, w, bias, 1024, 1e-5, out, mean, rstd);
  }),
  'layerNorm 8×64': makeCase((b, input, output) => {
    const x = input(values(512), [8, 64]), w = input(values(64, 1, 2), [64]), bias = input(values(64, 1, 3), [64]);
    const out = output([8, 64]), mean = output([8]), rstd = output([8]);
    return () => b.layerNorm(x, w, bias, 64, 1e-5, out, mean, rstd);
  }),
};

const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const names = Object.keys(sides);
const load = () => {
  try {
    return (process.getBuiltinModule?.('node:os')?.loadavg() ?? []).map((v) => v.toFixed(1)).join(' ');
  } catch {
    return '?';
  }
};
console.log(`threads auto = ${sides['simd-auto'].config.threads}; ${runs} interleaved runs; median ${cpuTime ? 'CPU' : 'wall'} time per call; load average ${load()}`);
console.log(['case', ...names].join(' | '));
for (const [label, run] of Object.entries(cases)) {
  if (only && !only.some((word) => label.includes(word))) continue;
  const small = / 1k|4×4|8×64|16×16|1×2×8×8/.test(label);
  const repeats = small ? 200 : 1; // small cases: time a batch, report per call
  const times = Object.fromEntries(names.map((k) => [k, []]));
  for (const k of names) for (let i = 0; i < (small ? 2000 : 2); i++) run(k, sides[k]); // warm-up
  for (let r = 0; r < runs; r++) {
    for (const k of names) {
      const t0 = clock();
      for (let i = 0; i < repeats; i++) run(k, sides[k]);
      times[k].push((clock() - t0) / repeats);
    }
  }
  const cells = names.map((k) => {
    const ms = median(times[k]);
    return ms < 0.1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`;
  });
  console.log([label, ...cells].join(' | '));
}
console.log(`load average after: ${load()}`);
for (const backend of Object.values(sides)) backend.dispose?.();
process.exit(0);
