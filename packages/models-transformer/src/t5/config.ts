/**
 * T5's configuration as Hugging Face's `config.json` writes it (snake_case fields, `T5Config`'s
 * defaults — those of t5-small), checked field by field.
 */
import { ValueError } from '@tessera/core';

/** The fields of a T5 `config.json` that shape the model (others are carried along and ignored). */
export interface T5Config {
  /** Token vocabulary (default 32128). */
  vocab_size?: number;
  /** Width of the residual stream (default 512). */
  d_model?: number;
  /** Width of each attention head (default 64); heads · d_kv need not equal d_model. */
  d_kv?: number;
  /** Feed-forward width (default 2048). */
  d_ff?: number;
  /** Encoder blocks (default 6). */
  num_layers?: number;
  /** Decoder blocks (default: num_layers). */
  num_decoder_layers?: number | null;
  /** Attention heads (default 8). */
  num_heads?: number;
  /** Relative-position buckets (default 32). */
  relative_attention_num_buckets?: number;
  /** Distance beyond which relative positions share the last bucket (default 128). */
  relative_attention_max_distance?: number;
  /** Dropout after embeddings, sublayers and inside the feed-forward (default 0.1). */
  dropout_rate?: number;
  /** RMS norm epsilon (default 1e-6). */
  layer_norm_epsilon?: number;
  /** Scale of the initialisation (default 1). */
  initializer_factor?: number;
  /** `relu` (T5 1.0, default), `gated-gelu` (T5 1.1, Flan-T5), or `gated-<act>` / `<act>` for other activations. */
  feed_forward_proj?: string;
  /** The LM head is the shared embedding (with output rescaling by d_model^-0.5) (default true). */
  tie_word_embeddings?: boolean;
  /** First decoder input (default 0, the pad token). */
  decoder_start_token_id?: number;
  /** Padding (default 0). */
  pad_token_id?: number;
  /** End of sequence (default 1). */
  eos_token_id?: number;
  [key: string]: unknown;
}

/** A checked T5 configuration, camelCase. */
export interface ResolvedT5Config {
  readonly vocabSize: number;
  readonly dModel: number;
  readonly dKv: number;
  readonly dFf: number;
  readonly numLayers: number;
  readonly numDecoderLayers: number;
  readonly numHeads: number;
  readonly relativeAttentionNumBuckets: number;
  readonly relativeAttentionMaxDistance: number;
  readonly dropoutRate: number;
  readonly layerNormEpsilon: number;
  readonly initializerFactor: number;
  /** The feed-forward activation's Hugging Face name (`relu`, `gelu_new`, …). */
  readonly denseActFn: string;
  /** wi_0 / wi_1 gated feed-forward. */
  readonly isGatedAct: boolean;
  readonly tieWordEmbeddings: boolean;
  readonly decoderStartTokenId: number;
  readonly padTokenId: number;
  readonly eosTokenId: number;
}

function integer(where: string, config: T5Config, field: keyof T5Config & string, fallback: number, min = 1): number {
  const raw = config[field];
  const value = raw === undefined || raw === null ? fallback : raw;
  if (!Number.isInteger(value) || (value as number) < min) throw new ValueError(`${where}: config.${field} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return value as number;
}

function positive(where: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw new ValueError(`${where}: config.${field} must be a positive number, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Check a T5 `config.json` object and fill in `T5Config`'s defaults (errors name the field). The
 * feed-forward is parsed as Hugging Face parses it: `gated-gelu` means gelu_new (the tanh form).
 * @example
 * resolveT5Config('T5Model', { vocab_size: 100, d_model: 64, d_kv: 16, d_ff: 128, num_layers: 2, num_heads: 4 }).numDecoderLayers; // 2
 */
export function resolveT5Config(where: string, config: T5Config): ResolvedT5Config {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ValueError(`${where}: expected a T5 config object (the fields of config.json: vocab_size, d_model, …), got ${config === null ? 'null' : typeof config}`);
  }
  const projection = config.feed_forward_proj ?? 'relu';
  const parts = typeof projection === 'string' ? projection.split('-') : [];
  const isGatedAct = parts[0] === 'gated';
  if (typeof projection !== 'string' || parts.length > 2 || (parts.length === 2 && !isGatedAct) || parts.at(-1) === '') {
    throw new ValueError(`${where}: config.feed_forward_proj '${String(projection)}' is not valid: expected '<act>' or 'gated-<act>', e.g. 'relu' or 'gated-gelu'`);
  }
  // Hugging Face's backwards-compatibility rule: 'gated-gelu' runs gelu_new.
  const denseActFn = projection === 'gated-gelu' ? 'gelu_new' : parts.at(-1)!;
  const vocabSize = integer(where, config, 'vocab_size', 32128);
  const token = (field: 'decoder_start_token_id' | 'pad_token_id' | 'eos_token_id', fallback: number) => {
    const value = integer(where, config, field, fallback, 0);
    if (value >= vocabSize) throw new ValueError(`${where}: config.${field} ${value} is not a token id of the vocabulary (vocab_size ${vocabSize})`);
    return value;
  };
  const numLayers = integer(where, config, 'num_layers', 6);
  const dropoutRate = config.dropout_rate ?? 0.1;
  if (typeof dropoutRate !== 'number' || !(dropoutRate >= 0 && dropoutRate <= 1)) throw new ValueError(`${where}: config.dropout_rate must be a probability in [0, 1], got ${JSON.stringify(dropoutRate)}`);
  if (config.tie_word_embeddings !== undefined && typeof config.tie_word_embeddings !== 'boolean') {
    throw new ValueError(`${where}: config.tie_word_embeddings must be a boolean, got ${JSON.stringify(config.tie_word_embeddings)}`);
  }
  return {
    vocabSize,
    dModel: integer(where, config, 'd_model', 512),
    dKv: integer(where, config, 'd_kv', 64),
    dFf: integer(where, config, 'd_ff', 2048),
    numLayers,
    numDecoderLayers: integer(where, config, 'num_decoder_layers', numLayers),
    numHeads: integer(where, config, 'num_heads', 8),
    relativeAttentionNumBuckets: integer(where, config, 'relative_attention_num_buckets', 32, 2),
    relativeAttentionMaxDistance: integer(where, config, 'relative_attention_max_distance', 128),
    dropoutRate,
    layerNormEpsilon: positive(where, 'layer_norm_epsilon', config.layer_norm_epsilon ?? 1e-6),
    initializerFactor: positive(where, 'initializer_factor', config.initializer_factor ?? 1),
    denseActFn,
    isGatedAct,
    tieWordEmbeddings: config.tie_word_embeddings ?? true,
    decoderStartTokenId: token('decoder_start_token_id', 0),
    padTokenId: token('pad_token_id', 0),
    eosTokenId: token('eos_token_id', 1),
  };
}

/** Where a T5 model is built or loaded, with the dtype and backend of its parameters. */
export interface T5FactoryOptions {
  /** Parameter dtype (default float32). */
  dtype?: 'float32' | 'float64';
  /** Backend (default: the current one). */
  device?: string;
}
