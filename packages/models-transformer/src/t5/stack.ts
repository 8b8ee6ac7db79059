/**
 * T5's encoder and decoder stacks (Hugging Face's `T5Stack`): the shared token embedding
 * (`embed_tokens`), dropout, the blocks (`block.N`), `final_layer_norm` and dropout. The stack
 * computes the attention biases once — block 0's relative position bias (bidirectional in the
 * encoder, causal in the decoder) plus the padding and causal masks — and every block reuses them.
 */
import { tensor, tidy, where, type Tensor } from '@tessera/core';
import { Dropout, F, Module, ModuleList } from '@tessera/nn';
import { T5Block, type T5BlockCache } from './block';
import type { ResolvedT5Config, T5FactoryOptions } from './config';
import { T5LayerNorm } from './layer-norm';
import { relativePositionBias } from './relative-position';

/** Options of {@link T5Stack.forward}. */
export interface T5StackForwardOptions {
  /** Bool `[B, 1, 1, keys]`: true where a key (of this stack's own input, cached positions included) may be attended to. */
  keyMask?: Tensor | null;
  /** Decoder: the encoder's output `[B, S, d_model]`. */
  encoderHiddenStates?: Tensor;
  /** Decoder: bool `[B, 1, 1, S]`, true where an encoder position may be attended to. */
  encoderKeyMask?: Tensor | null;
  /** Decoder: the blocks' caches from the earlier positions (the new positions follow them). */
  past?: readonly T5BlockCache[] | null;
}

/** What {@link T5Stack.forward} returns. */
export interface T5StackOutput {
  /** `[B, L, d_model]` after the final norm (and dropout). */
  lastHiddenState: Tensor;
  /** Every block's keys and values (the decoder's cache for the next step). */
  cache: T5BlockCache[];
}

/** 0 where `keep` is true, −∞ where it is false, as `dtype`. */
export function additiveMask(keep: Tensor, dtype: 'float32' | 'float64'): Tensor {
  return tidy(() => where(keep, 0, -Infinity).cast(dtype));
}

/**
 * A stack's view of the shared token embedding: `embed_tokens.weight` *is* `shared.weight`, so
 * `stateDict` lists it under both names, as PyTorch lists tied weights.
 * @example
 * new SharedEmbedding(shared.weight).forward(ids).shape; // [B, L, d_model]
 */
export class SharedEmbedding extends Module {
  constructor(readonly weight: Tensor) {
    super();
  }

  forward(ids: Tensor): Tensor {
    return F.embedding(ids, this.weight);
  }
}

/**
 * An encoder (`isDecoder` false) or decoder stack over the shared embedding.
 * @example
 * const encoder = new T5Stack(config, shared.weight, { isDecoder: false });
 * const { lastHiddenState } = encoder.forward(ids, { keyMask });
 */
export class T5Stack extends Module {
  readonly embed_tokens: SharedEmbedding;
  readonly block: ModuleList;
  readonly final_layer_norm: T5LayerNorm;
  readonly dropout: Dropout;
  readonly isDecoder: boolean;
  private readonly config: ResolvedT5Config;

  constructor(config: ResolvedT5Config, sharedWeight: Tensor, options: T5FactoryOptions & { isDecoder: boolean }) {
    super();
    const factory = { dtype: options.dtype, device: options.device };
    this.config = config;
    this.isDecoder = options.isDecoder;
    this.embed_tokens = new SharedEmbedding(sharedWeight);
    const count = options.isDecoder ? config.numDecoderLayers : config.numLayers;
    this.block = new ModuleList(Array.from({ length: count }, (_, i) => new T5Block(config, { ...factory, isDecoder: options.isDecoder, relativeAttentionBias: i === 0 })));
    this.final_layer_norm = new T5LayerNorm(config.dModel, config.layerNormEpsilon, factory);
    this.dropout = new Dropout(config.dropoutRate);
  }

  /** The blocks, typed. */
  get blocks(): T5Block[] {
    return this.block.children() as T5Block[];
  }

  /**
   * The self-attention bias `[1 or B, heads, L, keys]` for L new positions after `pastLength` cached
   * ones: block 0's relative position bias, −∞ where the key mask hides a key and, in the decoder,
   * where a key lies after the query.
   */
  selfAttentionBias(length: number, pastLength: number, keyMask: Tensor | null): Tensor {
    const { relativeAttentionNumBuckets: numBuckets, relativeAttentionMaxDistance: maxDistance } = this.config;
    const table = this.blocks[0].selfAttention.attention.relative_attention_bias!;
    const keys = pastLength + length;
    const dtype = table.weight.dtype as 'float32' | 'float64';
    return tidy(() => {
      let bias = relativePositionBias(table, length, keys, { bidirectional: !this.isDecoder, numBuckets, maxDistance }, pastLength);
      if (this.isDecoder && length > 1) {
        const causal = new Float64Array(length * keys);
        for (let q = 0; q < length; q++) causal.fill(-Infinity, q * keys + q + pastLength + 1, (q + 1) * keys);
        bias = bias.add(tensor(causal, { dtype, shape: [length, keys], device: table.weight.device }));
      }
      return keyMask ? bias.add(additiveMask(keyMask, dtype)) : bias;
    });
  }

  /** Run the stack over `ids` `[B, L]` int32. */
  forward(ids: Tensor, options: T5StackForwardOptions = {}): T5StackOutput {
    return tidy(() => {
      const past = options.past && options.past.length ? options.past : null;
      const pastLength = past ? past[0].self[0].shape[2] : 0;
      const length = ids.shape[1];
      const selfBias = this.selfAttentionBias(length, pastLength, options.keyMask ?? null);
      const dtype = this.final_layer_norm.weight.dtype as 'float32' | 'float64';
      const crossBias = this.isDecoder && options.encoderKeyMask ? additiveMask(options.encoderKeyMask, dtype) : null;
      let hidden = this.dropout.forward(this.embed_tokens.forward(ids));
      const cache: T5BlockCache[] = [];
      this.blocks.forEach((block, i) => {
        const result = block.forward(hidden, { selfBias, encoderHiddenStates: options.encoderHiddenStates, crossBias, past: past?.[i] ?? null });
        hidden = result.output;
        cache.push(result.cache);
      });
      return { lastHiddenState: this.dropout.forward(this.final_layer_norm.forward(hidden)), cache };
    });
  }
}
