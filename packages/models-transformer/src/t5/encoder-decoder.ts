/**
 * What T5Model and T5ForConditionalGeneration share: the token embedding `shared` (also the
 * encoder's and decoder's `embed_tokens`), the two stacks, the config, and the checking of inputs.
 */
import { formatShape, ShapeError, type Tensor } from '@tessera/core';
import { Embedding, Module } from '@tessera/nn';
import { idsTensor } from '../gpt/token-ids';
import { keyMaskOf } from '../bert/inputs';
import type { T5BlockCache } from './block';
import { resolveT5Config, type ResolvedT5Config, type T5Config, type T5FactoryOptions } from './config';
import { T5Stack } from './stack';

/** Token ids as the T5 models take them: an int32 tensor `[batch, time]` or arrays of ids. */
export type T5Ids = Tensor | readonly (readonly number[])[];

/** A padding mask: `[batch, time]`, 1 (true) for tokens, 0 (false) for padding. */
export type T5Mask = Tensor | readonly (readonly number[])[];

/** The inputs every T5 forward takes. */
export interface T5ForwardOptions {
  /** `[B, S]` encoder padding mask (default: every token). */
  attentionMask?: T5Mask;
  /** `[B, T]` decoder input ids (T5ForConditionalGeneration derives them from `labels` when absent). */
  decoderInputIds?: T5Ids;
  /** `[B, T]` decoder padding mask (default: every token; the causal mask always applies). */
  decoderAttentionMask?: T5Mask;
  /** `[B, S, d_model]`: the encoder's output, computed before (skips the encoder). */
  encoderOutputs?: Tensor;
}

/** Tensors made while reading inputs, to dispose. */
export class Owned {
  readonly tensors: Tensor[] = [];
  add<T extends Tensor | null>(tensor: T, owned = true): T {
    if (tensor && owned) this.tensors.push(tensor);
    return tensor;
  }
  dispose(): void {
    for (const tensor of this.tensors) tensor.dispose();
  }
}

/**
 * The common part of the T5 models.
 * @example
 * class MyT5 extends T5EncoderDecoder { forward() { … } }
 */
export abstract class T5EncoderDecoder extends Module {
  readonly config: ResolvedT5Config;
  readonly shared: Embedding;
  readonly encoder: T5Stack;
  readonly decoder: T5Stack;

  constructor(config: T5Config, options: T5FactoryOptions = {}) {
    super();
    this.config = resolveT5Config(new.target.name, config);
    const factory = { dtype: options.dtype, device: options.device };
    this.shared = new Embedding(this.config.vocabSize, this.config.dModel, factory);
    this.encoder = new T5Stack(this.config, this.shared.weight, { ...factory, isDecoder: false });
    this.decoder = new T5Stack(this.config, this.shared.weight, { ...factory, isDecoder: true });
  }

  /** The backend of the parameters (for inputs given as arrays). */
  protected get parameterDevice(): string {
    return this.shared.weight.device;
  }

  /** `ids` as an int32 `[B, L]` tensor, checked against the vocabulary. */
  protected idsInput(where: string, what: string, ids: T5Ids, owned: Owned, ignoreIndex?: number): Tensor {
    const input = idsTensor(where, what, ids, this.config.vocabSize, ignoreIndex);
    return owned.add(input.ids, input.owned);
  }

  /** A padding mask as a bool key mask `[B, 1, 1, L]` for ids of `shape`, or null. */
  protected maskInput(where: string, what: string, mask: T5Mask | undefined, shape: readonly number[], owned: Owned): Tensor | null {
    if (mask === undefined || mask === null) return null;
    const made = keyMaskOf(where, what, mask, shape, this.parameterDevice);
    for (const tensor of made.owned) owned.add(tensor);
    return made.keyMask;
  }

  /**
   * The encoder's output for `ids` `[B, S]` (or the given `encoderOutputs`) and the encoder key mask
   * (call inside a `tidy`, which owns the output; the inputs made here go to `owned`).
   */
  protected encodeInputs(where: string, ids: T5Ids, options: T5ForwardOptions, owned: Owned): { encoded: Tensor; encoderKeyMask: Tensor | null } {
    const input = this.idsInput(where, 'input ids', ids, owned);
    const encoderKeyMask = this.maskInput(where, 'attentionMask', options.attentionMask, input.shape, owned);
    if (options.encoderOutputs !== undefined) {
      const given = options.encoderOutputs;
      const expected = [input.shape[0], input.shape[1], this.config.dModel];
      if (formatShape(given.shape) !== formatShape(expected)) throw new ShapeError(`${where}: encoderOutputs must have shape ${formatShape(expected)} ([B, S, d_model] of the input ids), got ${formatShape(given.shape)}`);
      return { encoded: given, encoderKeyMask };
    }
    const { lastHiddenState, cache } = this.encoder.forward(input, { keyMask: encoderKeyMask });
    disposeCache(cache);
    return { encoded: lastHiddenState, encoderKeyMask };
  }
}

/** Dispose the keys and values of a stack's cache. */
export function disposeCache(cache: readonly T5BlockCache[]): void {
  for (const { self, cross } of cache) {
    self[0].dispose();
    self[1].dispose();
    cross?.[0].dispose();
    cross?.[1].dispose();
  }
}
