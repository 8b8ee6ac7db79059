import { describe, expect, it } from 'vitest';
import {
  DTypeError,
  float32ToFloat16Bits,
  full,
  isFloating,
  layerNorm,
  loadSafetensors,
  manualSeed,
  promoteTypes,
  rand,
  randint,
  randn,
  registerBackend,
  resultType,
  roundToFloat16,
  saveSafetensors,
  serializeSafetensors,
  setBackend,
  tensor,
  zeros,
  type Backend,
} from '../src/index';
import { checkDType } from '../src/dtype';
import { ReferenceBackend, referencePlugin } from '../src/testing';
import { expectAllClose } from './helpers';
import { registerPlainBackend } from './plain-backend';

registerBackend(referencePlugin);
// A backend like many GPUs without shader-f16: everything but float16.
registerBackend({
  ...referencePlugin,
  name: 'nohalf',
  create: () => {
    const backend = new ReferenceBackend();
    Object.defineProperty(backend, 'capabilities', { value: { ...backend.capabilities, dtypes: ['float32', 'int32', 'bool', 'float64'] } });
    return backend as Backend;
  },
});
await registerPlainBackend();
await setBackend('reference');

const half = (data: number[] | number[][]) => tensor(data, { dtype: 'float16' });
const bitsOf = (values: ArrayLike<number>) => Array.from(values, float32ToFloat16Bits);

describe('float16 tensors', () => {
  it('round on creation and read back as a Float32Array of the exact half values', async () => {
    const x = half([1 / 3, 65504, 65520, 2 ** -24, 2 ** -25, -0, 1 + 2 ** -11, 1 + 3 * 2 ** -11]);
    expect(x.dtype).toBe('float16');
    const data = await x.data();
    expect(data).toBeInstanceOf(Float32Array);
    expect(bitsOf(data)).toEqual([0x3555, 0x7bff, 0x7c00, 0x0001, 0x0000, 0x8000, 0x3c00, 0x3c02]);
    expect(x.dataSync()).toEqual(data);
    expect(x.arraySync()).toEqual(Array.from(data));
    expect(await half([0.1]).item()).toBe(0.0999755859375);
  });

  it('hand the backend Uint16Array bit patterns', () => {
    const x = half([1, -2, 0.5]);
    const raw = x.storage.backend.readSync!(x.storage.id, 'float16', 0, 3);
    expect(raw).toBeInstanceOf(Uint16Array);
    expect([...raw]).toEqual([0x3c00, 0xc000, 0x3800]);
    expect(x.storage.backend.memory().bytesInUse).toBeGreaterThanOrEqual(6);
  });

  it('are created from typed arrays, fills and ranges', async () => {
    expect([...(await tensor(new Float32Array([0.1, 3]), { dtype: 'float16' }).data())]).toEqual([roundToFloat16(0.1), 3]);
    expect([...(await tensor(new Float64Array([1e-8]), { dtype: 'float16' }).data())]).toEqual([roundToFloat16(1e-8)]);
    expect([...(await full([2], 0.1, { dtype: 'float16' }).data())]).toEqual([roundToFloat16(0.1), roundToFloat16(0.1)]);
    expect(zeros([0], { dtype: 'float16' }).size).toBe(0);
    expect(await zeros([0], { dtype: 'float16' }).data()).toBeInstanceOf(Float32Array);
    expect(await tensor([], { dtype: 'float16' }).data()).toEqual(new Float32Array(0));
  });

  it('print as numbers with their dtype', () => {
    const text = String(half([[1, 0.1]]));
    expect(text).toContain('dtype=float16');
    expect(text).toContain('0.0999756');
  });

  it('are a known, floating dtype', () => {
    expect(isFloating('float16')).toBe(true);
    expect(() => checkDType('test', 'float16')).not.toThrow();
  });
});

describe('float16 promotion follows PyTorch', () => {
  it('half with float gives float; int or bool with half gives half', () => {
    expect(promoteTypes('float16', 'float32')).toBe('float32');
    expect(promoteTypes('float64', 'float16')).toBe('float64');
    expect(promoteTypes('int32', 'float16')).toBe('float16');
    expect(half([1]).add(tensor([1])).dtype).toBe('float32');
    expect(tensor([1], { dtype: 'int32' }).mul(half([1])).dtype).toBe('float16');
    expect(tensor([true]).add(half([1])).dtype).toBe('float16');
  });

  it('JS scalars and 0-d float tensors keep a dimensioned half tensor half', async () => {
    const sum = half([1, 2]).add(0.5);
    expect(sum.dtype).toBe('float16');
    expect([...(await sum.data())]).toEqual([1.5, 2.5]);
    expect(half([1]).mul(tensor(2, { dtype: 'float64' })).dtype).toBe('float16');
    expect(resultType([{ dtype: 'float16', ndim: 1 }, 2.5])).toBe('float16');
    expect(tensor(1, { dtype: 'float16' }).add(tensor([1], { dtype: 'int32' })).dtype).toBe('float16');
  });

  it('integer division of half promotes nothing further', () => {
    expect(half([1]).div(tensor([2], { dtype: 'int32' })).dtype).toBe('float16');
  });
});

describe('casting to and from float16', () => {
  it('round-trips every half bit-exactly through float32 and float64', () => {
    const patterns = Uint16Array.from({ length: 0x7c01 }, (_, i) => i); // +0 … +Infinity
    const values = Array.from(patterns, (bits) => (bits === 0x7c00 ? Infinity : roundToFloat16(0) + bitsToNumber(bits)));
    const x = tensor(values, { dtype: 'float16' });
    for (const wide of ['float32', 'float64'] as const) {
      const back = x.cast(wide).half();
      expect(back.dtype).toBe('float16');
      const raw = back.storage.backend.readSync!(back.storage.id, 'float16', 0, back.size);
      expect(raw.length).toBe(patterns.length);
      expect(Array.from(patterns).filter((bits, i) => raw[i] !== bits)).toEqual([]); // one assertion: toEqual on 31k elements is slow
    }
  });

  it('rounds float32 to nearest even and truncates to int32', async () => {
    const x = tensor([1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000, -2.7, NaN]);
    const h = x.half();
    expect(bitsOf(await h.data()).slice(0, 3)).toEqual([0x3c00, 0x3c02, 0x7c00]);
    expect(Number.isNaN((await h.data())[4])).toBe(true);
    expect([...(await h.int().data())]).toEqual([1, 1, 0, -2, 0]);
    expect([...(await half([0, -0, 0.5]).bool().data())]).toEqual([0, 0, 1]);
  });
});

function bitsToNumber(bits: number): number {
  const exponent = bits >> 10;
  const mantissa = bits & 0x3ff;
  return exponent === 0 ? mantissa * 2 ** -24 : (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

describe('autograd through float16', () => {
  it('gives float16 gradients to float16 leaves', async () => {
    const x = half([1, 2, 3]);
    x.requiresGrad = true;
    x.mul(x).sum().backward();
    expect(x.grad!.dtype).toBe('float16');
    expect([...(await x.grad!.data())]).toEqual([2, 4, 6]);
  });

  it('casts the gradient back across half()', async () => {
    const x = tensor([0.1, 0.2], { requiresGrad: true });
    x.half().mul(3).sum().backward();
    expect(x.grad!.dtype).toBe('float32');
    expect([...(await x.grad!.data())]).toEqual([3, 3]);
  });

  it('matches float64 within half precision through matmul, softmax and layerNorm', async () => {
    manualSeed(3);
    const a64 = randn([4, 6], { dtype: 'float64' });
    const b64 = randn([6, 3], { dtype: 'float64' });
    const a = a64.half();
    const b = b64.half();
    a.requiresGrad = true;
    const out = a.matmul(b).softmax(-1);
    expect(out.dtype).toBe('float16');
    out.mul(tensor([[1, 2, 3]], { dtype: 'float16' })).sum().backward();
    const exact = a.double().detach();
    exact.requiresGrad = true;
    exact.matmul(b.double()).softmax(-1).mul(tensor([[1, 2, 3]], { dtype: 'float64' })).sum().backward();
    expectAllClose(await out.data(), await exact.matmul(b.double()).softmax(-1).data(), 4e-3);
    expect(a.grad!.dtype).toBe('float16');
    expectAllClose(await a.grad!.data(), await exact.grad!.data(), 1e-2);
  });
});

describe('float16 ops on the fused and composite paths', () => {
  for (const device of ['reference', 'plain']) {
    it(`${device}: reductions, layerNorm and softmax give float16 close to float64`, async () => {
      manualSeed(11);
      const x64 = randn([3, 16], { dtype: 'float64', device });
      const x = x64.half();
      const checks: [string, (t: typeof x) => typeof x][] = [
        ['sum', (t) => t.sum(-1)],
        ['mean', (t) => t.mean(-1)],
        ['var', (t) => t.var(-1)],
        ['max', (t) => t.max(-1).values],
        ['logSoftmax', (t) => t.logSoftmax(-1)],
        ['layerNorm', (t) => layerNorm(t, [16])],
        ['cumsum', (t) => t.cumsum(1)],
      ];
      for (const [name, op] of checks) {
        const got = op(x);
        expect(got.dtype, name).toBe('float16');
        // Inputs are the rounded halves, so only the op's own rounding separates the results.
        expectAllClose(await got.data(), await op(x.double()).data(), 1e-2);
      }
    });
  }
});

describe('random float16 tensors', () => {
  it('are the float32 stream rounded to nearest even', async () => {
    for (const draw of [(dtype: 'float16' | 'float32') => randn([257], { dtype }), (dtype: 'float16' | 'float32') => randint(0, 5000, [33], { dtype })]) {
      manualSeed(5);
      const wide = await draw('float32').data();
      manualSeed(5);
      const halfValues = draw('float16');
      expect(halfValues.dtype).toBe('float16');
      expect([...(await halfValues.data())]).toEqual(Array.from(wide, roundToFloat16));
    }
  });

  it('keep uniform samples in [0, 1)', async () => {
    manualSeed(1);
    const wide = await rand([20000]).data();
    manualSeed(1);
    const values = await rand([20000], { dtype: 'float16' }).data();
    let nearOne = 0;
    const wrong: number[] = [];
    for (let i = 0; i < wide.length; i++) {
      const rounded = roundToFloat16(wide[i]);
      if (rounded === 1) nearOne++;
      if (values[i] !== (rounded === 1 ? 1 - 2 ** -11 : rounded)) wrong.push(i);
    }
    expect(wrong).toEqual([]);
    expect(nearOne).toBeGreaterThan(0); // the clamp was exercised
  });
});

describe('safetensors F16', () => {
  it('saves float16 as F16 and loads it back bit-exactly', async () => {
    const x = half([[0.1, -65504], [2 ** -24, -0]]);
    const bytes = await saveSafetensors({ x });
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getUint32(0, true))));
    expect(JSON.parse(header).x).toEqual({ dtype: 'F16', shape: [2, 2], data_offsets: [0, 8] });
    const loaded = loadSafetensors(bytes).x;
    expect(loaded.dtype).toBe('float16');
    expect(bitsOf(await loaded.data())).toEqual(bitsOf(await x.data()));
    expect(await saveSafetensors({ x: loaded })).toEqual(bytes);
  });

  it('orders F16 between BOOL and I32 as the reference library does', () => {
    const bytes = serializeSafetensors({
      b: { dtype: 'bool', shape: [1], data: new Uint8Array([1]) },
      h: { dtype: 'float16', shape: [1], data: new Uint16Array([0x3c00]) },
      i: { dtype: 'int32', shape: [1], data: new Int32Array([1]) },
    });
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + new DataView(bytes.buffer).getUint32(0, true))));
    expect([header.i.data_offsets, header.h.data_offsets, header.b.data_offsets]).toEqual([[0, 4], [4, 6], [6, 7]]);
  });

  it('widens F16 to float32 on a backend without float16', async () => {
    const bytes = await saveSafetensors({ x: half([0.1, 3]) });
    const loaded = loadSafetensors(bytes, { device: 'nohalf' }).x;
    expect(loaded.dtype).toBe('float32');
    expect([...(await loaded.data())]).toEqual([roundToFloat16(0.1), 3]);
  });
});

describe('a backend without float16', () => {
  it('refuses float16 with an error naming the op, the backend, its dtypes and the way out', async () => {
    const attempts: [string, () => unknown][] = [
      ['tensor', () => tensor([1], { dtype: 'float16', device: 'nohalf' })],
      ['full', () => full([2], 1, { dtype: 'float16', device: 'nohalf' })],
      ['cast', () => tensor([1], { device: 'nohalf' }).half()],
      ['rand', () => rand([2], { dtype: 'float16', device: 'nohalf' })],
    ];
    for (const [op, attempt] of attempts) {
      expect(attempt, op).toThrow(DTypeError);
      expect(attempt, op).toThrow(new RegExp(`^${op}: backend 'nohalf' does not support dtype float16 \\(it supports float32, int32, bool, float64\\).*\\.float\\(\\)`));
    }
    await expect(half([1]).to('nohalf')).rejects.toThrow(/to: backend 'nohalf' does not support dtype float16/);
  });
});
