/**
 * T5Model: T5's encoder–decoder without a language-model head (Hugging Face's `T5Model`): the
 * decoder's last hidden state for given decoder input ids.
 */
import { tidy, ValueError, type Tensor } from '@tessera/core';
import type { T5Config, T5FactoryOptions } from './config';
import { disposeCache, Owned, T5EncoderDecoder, type T5ForwardOptions, type T5Ids } from './encoder-decoder';
import { initT5Weights } from './init';
import { loadT5Weights } from './pretrained';

/** What {@link T5Model.forward} returns. */
export interface T5ModelOutput {
  /** `[B, T, d_model]`: the decoder's output. */
  lastHiddenState: Tensor;
  /** `[B, S, d_model]`: the encoder's output. */
  encoderLastHiddenState: Tensor;
}

/**
 * The T5 encoder–decoder (Raffel et al., 2020) with Hugging Face's names and config.
 * @example
 * import '@tessera/backend-cpu';
 * const t5 = new T5Model({ vocab_size: 100, d_model: 64, d_kv: 16, d_ff: 128, num_layers: 2, num_heads: 4 });
 * const { lastHiddenState } = t5.forward([[5, 6, 7, 1]], { decoderInputIds: [[0, 9]] }); // [1, 2, 64]
 */
export class T5Model extends T5EncoderDecoder {
  constructor(config: T5Config, options: T5FactoryOptions = {}) {
    super(config, options);
    initT5Weights(this, this.shared, null, this.config);
  }

  /**
   * Load a Hugging Face T5 checkpoint (`model.safetensors` bytes and the `config.json` object); a
   * T5ForConditionalGeneration file loads too (its `lm_head` is ignored).
   * @example
   * const t5 = T5Model.fromPretrained(bytes, config);
   */
  static fromPretrained(weights: Uint8Array | ArrayBuffer, config: T5Config, options: T5FactoryOptions = {}): T5Model {
    const model = new T5Model(config, options);
    loadT5Weights('T5Model.fromPretrained', model, weights);
    return model;
  }

  /**
   * Encode `inputIds` `[B, S]` and decode `decoderInputIds` `[B, T]` against it.
   * @example
   * const { lastHiddenState, encoderLastHiddenState } = t5.forward(ids, { attentionMask, decoderInputIds });
   */
  forward(inputIds: T5Ids, options: T5ForwardOptions = {}): T5ModelOutput {
    const where = 'T5Model.forward';
    if (options.decoderInputIds === undefined) throw new ValueError(`${where}: decoderInputIds are required (T5ForConditionalGeneration derives them from labels)`);
    const owned = new Owned();
    try {
      return tidy(() => {
        const { encoded, encoderKeyMask } = this.encodeInputs(where, inputIds, options, owned);
        const decoderIds = this.idsInput(where, 'decoderInputIds', options.decoderInputIds!, owned);
        const keyMask = this.maskInput(where, 'decoderAttentionMask', options.decoderAttentionMask, decoderIds.shape, owned);
        const { lastHiddenState, cache } = this.decoder.forward(decoderIds, { keyMask, encoderHiddenStates: encoded, encoderKeyMask });
        disposeCache(cache);
        return { lastHiddenState, encoderLastHiddenState: encoded };
      });
    } finally {
      owned.dispose();
    }
  }
}
