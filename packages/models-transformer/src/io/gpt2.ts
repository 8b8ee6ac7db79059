/**
 * Hugging Face GPT-2 checkpoints (`model.safetensors` + `config.json`) to and from GPT.
 *
 * The layout, as in the `gpt2` (124M) checkpoint on the Hugging Face Hub: keys without a prefix
 * (`wte.weight`, `h.0.attn.c_attn.weight`, …, `ln_f.bias`; fine-tuned `GPT2LMHeadModel` saves carry
 * `transformer.`), F32 tensors, the four projections stored as Conv1D weights `[in, out]` (Linear's
 * transpose), `lm_head.weight` absent (tied to `wte.weight`), and each block's causal-mask buffer
 * `h.N.attn.bias` `[1, 1, n_positions, n_positions]` (older files also `h.N.attn.masked_bias`), which
 * a loader ignores.
 */
import { DTypeError, fromFloat16Bits, noGrad, parseSafetensors, serializeSafetensors, ShapeError, tensor, ValueError, type SafetensorsEntry, type Tensor } from '@tessera/core';
import type { GPTActivation, GPTConfig, GPTOptions } from '../gpt/config';
import type { GPT } from '../gpt/gpt';

/** The fields of a GPT-2 `config.json` that shape the model (others are carried along and ignored). */
export interface GPT2Config {
  n_layer: number;
  n_head: number;
  n_embd: number;
  vocab_size: number;
  /** Positions (`wpe` rows); older configs also say `n_ctx`. */
  n_positions: number;
  n_ctx?: number;
  /** Default 1e-5. */
  layer_norm_epsilon?: number;
  /** MLP hidden size; null or absent means 4 · n_embd. */
  n_inner?: number | null;
  /** `gelu_new` (default), `gelu_pytorch_tanh`, `gelu_fast`, `gelu` or `relu`. */
  activation_function?: string;
  resid_pdrop?: number;
  embd_pdrop?: number;
  attn_pdrop?: number;
  [key: string]: unknown;
}

/** Options of `GPT.fromGPT2`. */
export interface GPT2LoadOptions {
  /** Dropout of the loaded model (default 0, as nanoGPT's `from_pretrained`; the config's `*_pdrop` are ignored). */
  dropout?: number;
  /** Parameter dtype (default float32). */
  dtype?: 'float32' | 'float64';
  /** Backend (default: the current one). */
  device?: string;
}

/** A tensor's file dtype and shape. */
export interface GPT2TensorSpec {
  dtype: 'F32' | 'F64';
  shape: number[];
}

/** The Conv1D (`[in, out]`) weights of a block, relative to `h.N.`. */
const CONV1D_WEIGHTS = ['attn.c_attn.weight', 'attn.c_proj.weight', 'mlp.c_fc.weight', 'mlp.c_proj.weight'];

const ACTIVATIONS: Record<string, GPTActivation> = {
  gelu_new: 'gelu_new',
  gelu_pytorch_tanh: 'gelu_new',
  gelu_fast: 'gelu_new',
  gelu: 'gelu',
  relu: 'relu',
};

function isConv1DWeight(key: string): boolean {
  return /^h\.\d+\./.test(key) && CONV1D_WEIGHTS.includes(key.replace(/^h\.\d+\./, ''));
}

function isMaskBuffer(key: string): boolean {
  return /^h\.\d+\.attn\.(bias|masked_bias)$/.test(key);
}

function positiveInteger(config: GPT2Config, key: string): number {
  const value = config[key];
  if (!Number.isInteger(value) || (value as number) < 1) throw new ValueError(`GPT.fromGPT2: config.${key} must be a positive integer, got ${JSON.stringify(value)}`);
  return value as number;
}

/**
 * The GPT options a GPT-2 `config.json` describes (errors name the field).
 * @example
 * gpt2ConfigToOptions({ n_layer: 12, n_head: 12, n_embd: 768, vocab_size: 50257, n_positions: 1024 }).blockSize; // 1024
 */
export function gpt2ConfigToOptions(config: GPT2Config, options: GPT2LoadOptions = {}): GPTOptions {
  if (config === null || typeof config !== 'object') throw new ValueError(`GPT.fromGPT2: expected the object of config.json, got ${String(config)}`);
  const activationName = config.activation_function ?? 'gelu_new';
  const activation = ACTIVATIONS[activationName];
  if (!activation) throw new ValueError(`GPT.fromGPT2: activation_function '${activationName}' is not supported; expected one of ${Object.keys(ACTIVATIONS).join(', ')}`);
  for (const [field, supported] of [['scale_attn_weights', true], ['scale_attn_by_inverse_layer_idx', false], ['reorder_and_upcast_attn', false], ['add_cross_attention', false], ['tie_word_embeddings', true]] as const) {
    if (config[field] !== undefined && config[field] !== supported) throw new ValueError(`GPT.fromGPT2: config.${field} = ${String(config[field])} is not supported (GPT needs ${supported})`);
  }
  if (config.n_positions === undefined && config.n_ctx !== undefined) config = { ...config, n_positions: config.n_ctx };
  return {
    vocabSize: positiveInteger(config, 'vocab_size'),
    blockSize: positiveInteger(config, 'n_positions'),
    nLayer: positiveInteger(config, 'n_layer'),
    nHead: positiveInteger(config, 'n_head'),
    nEmbd: positiveInteger(config, 'n_embd'),
    nInner: config.n_inner ?? undefined,
    layerNormEpsilon: config.layer_norm_epsilon ?? 1e-5,
    activation,
    bias: true,
    dropout: options.dropout ?? 0,
    dtype: options.dtype,
    device: options.device,
  };
}

/**
 * The `config.json` object of a GPT's configuration, as Hugging Face writes GPT-2's.
 * @example
 * gpt2ConfigFrom(gpt.config).n_embd; // gpt.config.nEmbd
 */
export function gpt2ConfigFrom(config: GPTConfig): GPT2Config {
  return {
    activation_function: config.activation,
    architectures: ['GPT2LMHeadModel'],
    attn_pdrop: config.dropout,
    embd_pdrop: config.dropout,
    initializer_range: 0.02,
    layer_norm_epsilon: config.layerNormEpsilon,
    model_type: 'gpt2',
    n_ctx: config.blockSize,
    n_embd: config.nEmbd,
    n_head: config.nHead,
    n_inner: config.nInner === 4 * config.nEmbd ? null : config.nInner,
    n_layer: config.nLayer,
    n_positions: config.blockSize,
    resid_pdrop: config.dropout,
    tie_word_embeddings: true,
    vocab_size: config.vocabSize,
  };
}

/**
 * Every tensor of a Hugging Face GPT-2 `model.safetensors` for `config`, by key, with its dtype and
 * shape — the `gpt2` checkpoint's layout (see the file's header comment), `attn.bias` buffers included.
 * Computed from the config alone: nothing is allocated, so it describes the 124M model cheaply.
 * @example
 * gpt2StateShapes({ n_layer: 12, n_head: 12, n_embd: 768, vocab_size: 50257, n_positions: 1024 })['h.0.attn.c_attn.weight'];
 * // { dtype: 'F32', shape: [768, 2304] }
 */
export function gpt2StateShapes(config: GPT2Config, dtype: 'F32' | 'F64' = 'F32'): Record<string, GPT2TensorSpec> {
  const { vocabSize: vocab, blockSize: positions, nLayer, nEmbd: embd, nInner } = resolveShapes(config);
  const specs: Record<string, GPT2TensorSpec> = {};
  const add = (key: string, shape: number[]) => {
    specs[key] = { dtype, shape };
  };
  add('wte.weight', [vocab, embd]);
  add('wpe.weight', [positions, embd]);
  for (let layer = 0; layer < nLayer; layer++) {
    const block = `h.${layer}`;
    add(`${block}.ln_1.weight`, [embd]);
    add(`${block}.ln_1.bias`, [embd]);
    add(`${block}.attn.bias`, [1, 1, positions, positions]);
    add(`${block}.attn.c_attn.weight`, [embd, 3 * embd]);
    add(`${block}.attn.c_attn.bias`, [3 * embd]);
    add(`${block}.attn.c_proj.weight`, [embd, embd]);
    add(`${block}.attn.c_proj.bias`, [embd]);
    add(`${block}.ln_2.weight`, [embd]);
    add(`${block}.ln_2.bias`, [embd]);
    add(`${block}.mlp.c_fc.weight`, [embd, nInner]);
    add(`${block}.mlp.c_fc.bias`, [nInner]);
    add(`${block}.mlp.c_proj.weight`, [nInner, embd]);
    add(`${block}.mlp.c_proj.bias`, [embd]);
  }
  add('ln_f.weight', [embd]);
  add('ln_f.bias', [embd]);
  return specs;
}

function resolveShapes(config: GPT2Config): { vocabSize: number; blockSize: number; nLayer: number; nEmbd: number; nInner: number } {
  const options = gpt2ConfigToOptions(config);
  return { vocabSize: options.vocabSize, blockSize: options.blockSize, nLayer: options.nLayer, nEmbd: options.nEmbd, nInner: options.nInner ?? 4 * options.nEmbd };
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

function listed(keys: string[]): string {
  return keys.length <= 24 ? keys.join(', ') : `${keys.slice(0, 24).join(', ')}, … (${keys.length} in all)`;
}

/**
 * Copy a GPT-2 checkpoint into `model` (built from the same config). Everything is checked before
 * anything is copied: missing tensors (listed), tensors of other shapes (name, expected and got), and
 * blocks or embeddings that say the config disagrees with the weights.
 * @example
 * loadGPT2Weights(gpt, bytes, config);
 */
export function loadGPT2Weights(model: GPT, weights: Uint8Array | ArrayBuffer, config: GPT2Config): void {
  const where = 'GPT.fromGPT2';
  const { tensors } = parseSafetensors(weights);
  const entries = new Map<string, SafetensorsEntry>();
  for (const [name, entry] of Object.entries(tensors)) {
    const key = name.startsWith('transformer.') ? name.slice('transformer.'.length) : name;
    if (entries.has(key)) throw new ValueError(`${where}: the file holds '${key}' both with and without the 'transformer.' prefix`);
    entries.set(key, entry);
  }
  const specs = gpt2StateShapes(config);
  const expected = Object.keys(specs).filter((key) => !isMaskBuffer(key));
  const { nLayer } = model.config;

  const blocksInFile = [...entries.keys()].map((key) => /^h\.(\d+)\./.exec(key)).filter((match) => match !== null).map((match) => Number(match[1]));
  const deepest = Math.max(-1, ...blocksInFile);
  if (deepest >= nLayer) {
    throw new ValueError(`${where}: the weights have blocks h.0 … h.${deepest} but config n_layer is ${nLayer}: the config disagrees with the weights`);
  }
  const unexpected = [...entries.keys()].filter((key) => !(key in specs) && !isMaskBuffer(key) && key !== 'lm_head.weight');
  if (unexpected.length) throw new ValueError(`${where}: unexpected tensors for a GPT-2 LM: ${listed(unexpected)}`);
  const missing = expected.filter((key) => !entries.has(key));
  if (missing.length) throw new ValueError(`${where}: the weights lack ${missing.length} tensor${missing.length > 1 ? 's' : ''}: ${listed(missing)}`);

  const wte = entries.get('wte.weight')!;
  if (wte.shape.length !== 2 || wte.shape[0] !== config.vocab_size || wte.shape[1] !== config.n_embd) {
    throw new ShapeError(
      `${where}: wte.weight has shape ${shapeText(wte.shape)}, but the config says vocab_size ${config.vocab_size} × n_embd ${config.n_embd}: the config disagrees with the weights`,
    );
  }
  const lmHead = entries.get('lm_head.weight');
  if (lmHead && shapeText(lmHead.shape) !== shapeText(wte.shape)) {
    throw new ShapeError(`${where}: lm_head.weight has shape ${shapeText(lmHead.shape)}, expected ${shapeText(wte.shape)} (it is tied to wte.weight)`);
  }
  for (const key of expected) {
    const entry = entries.get(key)!;
    if (shapeText(entry.shape) !== shapeText(specs[key].shape)) {
      throw new ShapeError(
        `${where}: tensor '${key}' has shape ${shapeText(entry.shape)}, expected ${shapeText(specs[key].shape)} from the config (n_embd ${config.n_embd}, n_positions ${model.config.blockSize}, n_inner ${model.config.nInner})`,
      );
    }
    if (entry.dtype !== 'float32' && entry.dtype !== 'float64' && entry.dtype !== 'float16') {
      throw new DTypeError(`${where}: tensor '${key}' is ${entry.dtype}; GPT-2 weights must be floating point (F32, F16, BF16 or F64)`);
    }
  }

  const state = model.stateDict();
  noGrad(() => {
    for (const key of expected) {
      const entry = entries.get(key)!;
      const target = state[`transformer.${key}`];
      const data = entry.dtype === 'float16' ? fromFloat16Bits(entry.data as Uint16Array) : (entry.data as Float32Array | Float64Array);
      const source = tensor(data, { dtype: target.dtype as 'float32' | 'float64', shape: entry.shape, device: target.device });
      const value = isConv1DWeight(key) ? source.transpose(0, 1) : source;
      target.assign(value);
      if (value !== source) value.dispose();
      source.dispose();
    }
  });
}

/**
 * `model` as Hugging Face GPT-2 `model.safetensors` bytes and `config.json` object (see
 * {@link gpt2StateShapes} for the layout).
 * @example
 * const { weights, config } = await writeGPT2(gpt);
 */
export async function writeGPT2(model: GPT): Promise<{ weights: Uint8Array; config: GPT2Config }> {
  if (!model.config.bias) throw new ValueError('GPT.toGPT2: Hugging Face GPT-2 has biases in every linear layer and layer norm; this model was built with bias: false');
  const config = gpt2ConfigFrom(model.config);
  const state = model.stateDict();
  const dtype = state['transformer.wte.weight'].dtype === 'float64' ? 'float64' : 'float32';
  const specs = gpt2StateShapes(config, dtype === 'float64' ? 'F64' : 'F32');
  const entries: Record<string, SafetensorsEntry> = {};
  for (const [key, spec] of Object.entries(specs)) {
    if (isMaskBuffer(key)) {
      entries[key] = { dtype, shape: spec.shape, data: causalMask(spec.shape[3], dtype) };
      continue;
    }
    const param = state[`transformer.${key}`];
    const stored: Tensor = isConv1DWeight(key) ? noGrad(() => param.transpose(0, 1).contiguous()) : param;
    const data = (await stored.data()) as Float32Array | Float64Array;
    if (stored !== param) stored.dispose();
    entries[key] = { dtype, shape: spec.shape, data };
  }
  return { weights: serializeSafetensors(entries, { format: 'pt' }), config };
}

/** GPT-2's `attn.bias` buffer: ones on and below the diagonal of a `[positions, positions]` matrix. */
function causalMask(positions: number, dtype: 'float32' | 'float64'): Float32Array | Float64Array {
  const mask = dtype === 'float64' ? new Float64Array(positions * positions) : new Float32Array(positions * positions);
  for (let row = 0; row < positions; row++) mask.fill(1, row * positions, row * positions + row + 1);
  return mask;
}
