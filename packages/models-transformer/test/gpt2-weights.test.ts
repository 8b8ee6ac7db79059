import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { loadSafetensors, memory, parseSafetensors, serializeSafetensors, ShapeError, tensor, toFloat16Bits, ValueError, type SafetensorsEntry, type Tensor } from '@tessera/core';
import { GPT, gpt2StateShapes, type GPT2Config } from '../src/index';
import { maxDeviation } from './helpers';

const fixtureUrl = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const weightBytes = new Uint8Array(readFileSync(fixtureUrl('gpt2-tiny/model.safetensors')));
const config = JSON.parse(readFileSync(fixtureUrl('gpt2-tiny/config.json'), 'utf8')) as GPT2Config;
const reference = loadSafetensors(new Uint8Array(readFileSync(fixtureUrl('gpt2-tiny-reference.safetensors'))));
const ints = async (t: Tensor) => Array.from(await t.data(), Number);

/** The fixture's entries, edited by `edit`, written back as safetensors bytes. */
function rewritten(edit: (entries: Record<string, SafetensorsEntry>) => Record<string, SafetensorsEntry>): Uint8Array {
  return serializeSafetensors(edit({ ...parseSafetensors(weightBytes).tensors }));
}

describe('GPT.fromGPT2 loads a Hugging Face GPT-2 checkpoint (tiny model from test/fixtures/make_gpt2_fixture.py)', () => {
  const gpt = GPT.fromGPT2(weightBytes, config);

  it('reads the config: sizes, layer-norm epsilon, gelu_new, evaluation mode', () => {
    expect(gpt.config).toMatchObject({ vocabSize: 97, blockSize: 64, nLayer: 2, nHead: 2, nEmbd: 32, nInner: 128, layerNormEpsilon: 1e-5, activation: 'gelu_new', bias: true });
    expect(gpt.training).toBe(false);
  });

  it('logits match PyTorch within 1e-4 and the loss (targets with ignored −1 positions) within 1e-5', async () => {
    const { logits, loss } = gpt.forward(reference.ids, { targets: reference.targets });
    expect(await maxDeviation(logits, reference.logits.float())).toBeLessThan(1e-4);
    expect(Math.abs((await loss!.item()) - (await reference.loss.item()))).toBeLessThan(1e-5);
    logits.dispose();
    loss!.dispose();
  });

  it('greedy continuation is identical to PyTorch, cached and uncached, also when the context crosses blockSize', async () => {
    for (const [prompt, expected] of [[reference.prompt, reference.greedy], [reference.long_prompt, reference.long_greedy]]) {
      const promptIds = await ints(prompt);
      for (const useCache of [true, false]) {
        const out = await gpt.generate(promptIds, { maxNewTokens: 20, temperature: 0, useCache });
        expect(out.slice(promptIds.length)).toEqual(await ints(expected));
      }
    }
  });

  it('keys may carry the transformer. prefix; lm_head.weight may be present; mask buffers may be absent', async () => {
    const prefixed = rewritten((entries) => {
      const out: Record<string, SafetensorsEntry> = {};
      for (const [key, entry] of Object.entries(entries)) if (!/\.attn\.(masked_)?bias$/.test(key)) out[`transformer.${key}`] = entry;
      out['lm_head.weight'] = entries['wte.weight'];
      return out;
    });
    const other = GPT.fromGPT2(prefixed, config);
    const [a, b] = [gpt.forward(reference.ids).logits, other.forward(reference.ids).logits];
    expect(await maxDeviation(a, b)).toBe(0);
    [a, b].forEach((t) => t.dispose());
    other.dispose();
  });

  it('an F16 checkpoint loads (widened to float32): logits within float16 rounding of the F32 model’s', async () => {
    const half = rewritten((entries) =>
      Object.fromEntries(Object.entries(entries).map(([key, entry]) => [key, { dtype: 'float16', shape: entry.shape, data: toFloat16Bits(entry.data as Float32Array) }])),
    );
    const model = GPT.fromGPT2(half, config);
    expect(model.transformer.wte.weight.dtype).toBe('float32');
    const [a, b] = [gpt.forward(reference.ids).logits, model.forward(reference.ids).logits];
    const deviation = await maxDeviation(a, b);
    expect(deviation).toBeGreaterThan(0);
    expect(deviation).toBeLessThan(0.05);
    [a, b].forEach((t) => t.dispose());
    model.dispose();
  });

  it('toGPT2 writes Hugging Face’s layout, and fromGPT2(toGPT2(model)) gives identical logits', async () => {
    const { weights, config: written } = await gpt.toGPT2();
    const { tensors } = parseSafetensors(weights);
    const original = parseSafetensors(weightBytes).tensors;
    // Every tensor the original file has (masked_bias scalars aside) comes back with the same bytes.
    for (const [key, entry] of Object.entries(original)) {
      if (key.endsWith('masked_bias')) continue;
      expect(tensors[key], key).toBeDefined();
      expect(tensors[key].shape, key).toEqual(entry.shape);
      expect(Array.from(tensors[key].data), key).toEqual(Array.from(entry.data));
    }
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(gpt2StateShapes(config)).sort());
    expect(written).toMatchObject({ n_layer: 2, n_head: 2, n_embd: 32, vocab_size: 97, n_positions: 64, n_inner: null, activation_function: 'gelu_new', layer_norm_epsilon: 1e-5 });
    const back = GPT.fromGPT2(weights, written);
    const [a, b] = [gpt.forward(reference.ids).logits, back.forward(reference.ids).logits];
    expect(await maxDeviation(a, b)).toBe(0);
    [a, b].forEach((t) => t.dispose());
    back.dispose();
  });
});

describe('GPT.fromGPT2 errors', () => {
  it('lists missing tensors', () => {
    const bytes = rewritten((entries) => {
      const { ['h.1.mlp.c_fc.bias']: _a, ['ln_f.weight']: _b, ...rest } = entries;
      return rest;
    });
    expect(() => GPT.fromGPT2(bytes, config)).toThrow(ValueError);
    expect(() => GPT.fromGPT2(bytes, config)).toThrow(/lack 2 tensors: h\.1\.mlp\.c_fc\.bias, ln_f\.weight/);
  });

  it('names a misshaped tensor with the expected and actual shapes', () => {
    const bytes = rewritten((entries) => ({ ...entries, 'h.0.attn.c_proj.bias': { dtype: 'float32', shape: [31], data: new Float32Array(31) } }));
    expect(() => GPT.fromGPT2(bytes, config)).toThrow(ShapeError);
    expect(() => GPT.fromGPT2(bytes, config)).toThrow(/'h\.0\.attn\.c_proj\.bias' has shape \[31\], expected \[32\]/);
  });

  it('says when the config disagrees with the weights (sizes, layer count) and leaks nothing', () => {
    const before = memory().tensors;
    expect(() => GPT.fromGPT2(weightBytes, { ...config, vocab_size: 100 })).toThrow(/wte\.weight has shape \[97, 32\], but the config says vocab_size 100 × n_embd 32: the config disagrees/);
    expect(() => GPT.fromGPT2(weightBytes, { ...config, n_layer: 1 })).toThrow(/blocks h\.0 … h\.1 but config n_layer is 1/);
    expect(() => GPT.fromGPT2(weightBytes, { ...config, n_layer: 3 })).toThrow(/lack 12 tensors: h\.2\.ln_1\.weight/);
    expect(() => GPT.fromGPT2(weightBytes, { ...config, n_inner: 64 })).toThrow(/'h\.0\.mlp\.c_fc\.weight' has shape \[32, 128\], expected \[32, 64\]/);
    expect(() => GPT.fromGPT2(weightBytes, { ...config, activation_function: 'swish' })).toThrow(/activation_function 'swish' is not supported/);
    expect(() => GPT.fromGPT2(weightBytes, { ...config, n_head: 0 })).toThrow(/config\.n_head must be a positive integer/);
    expect(memory().tensors).toBe(before);
  });
});

describe('the real gpt2 (124M) checkpoint layout', () => {
  /**
   * test/fixtures/gpt2-124m-layout.json: every tensor of Hugging Face's openai-community/gpt2
   * model.safetensors with its dtype and shape, and that repository's config.json (see the file's
   * "source" field for where the list comes from).
   */
  const layout = JSON.parse(readFileSync(fixtureUrl('gpt2-124m-layout.json'), 'utf8')) as {
    config: GPT2Config;
    tensors: Record<string, { dtype: string; shape: number[] }>;
  };

  it('gpt2StateShapes of its config is exactly the checkpoint’s names, dtypes and shapes (124,439,808 parameters)', () => {
    expect(gpt2StateShapes(layout.config)).toEqual(layout.tensors);
    const parameters = Object.entries(layout.tensors)
      .filter(([key]) => !key.endsWith('.attn.bias'))
      .reduce((total, [, { shape }]) => total + shape.reduce((a, b) => a * b, 1), 0);
    expect(parameters).toBe(124_439_808);
  });

  it('toGPT2 writes exactly gpt2StateShapes (checked on a small model: the 124M one would allocate 500 MB)', async () => {
    const small = { ...layout.config, n_layer: 2, n_embd: 24, n_head: 3, vocab_size: 50, n_positions: 16, n_ctx: 16 };
    const gpt = new GPT({ vocabSize: 50, blockSize: 16, nLayer: 2, nHead: 3, nEmbd: 24 });
    const { weights, config: written } = await gpt.toGPT2();
    expect(written).toMatchObject({ n_layer: 2, n_embd: 24, n_head: 3, vocab_size: 50, n_positions: 16, n_ctx: 16 });
    const { tensors } = parseSafetensors(weights);
    const layoutWritten = Object.fromEntries(Object.entries(tensors).map(([key, entry]) => [key, { dtype: entry.dtype === 'float32' ? 'F32' : entry.dtype, shape: entry.shape }]));
    expect(layoutWritten).toEqual(gpt2StateShapes(small));
    // The causal-mask buffer is GPT-2's lower triangle of ones.
    const mask = tensor(tensors['h.1.attn.bias'].data as Float32Array, { shape: [16, 16] });
    expect(await mask.tril().sub(mask).abs().sum().item()).toBe(0);
    expect(await mask.sum().item()).toBe((16 * 17) / 2);
    mask.dispose();
    gpt.dispose();
  });
});
