/**
 * T5ForConditionalGeneration: T5 with its language-model head (Hugging Face's class of that name) —
 * text-to-text training with `labels` (shifted right into the decoder's input, as Hugging Face's
 * `_shift_right`) and generation (greedy, sampling, beam search) with the encoder run once and the
 * decoder's keys and values cached.
 *
 * The head is the shared embedding when `tie_word_embeddings` (T5 1.0), applied to the decoder's
 * output scaled by d_model^-0.5 (T5's rescaling, which the tied embedding needs); otherwise an own
 * bias-free `lm_head` (T5 1.1, Flan-T5) without rescaling.
 */
import { full, cat, tidy, ShapeError, ValueError, type Tensor } from '@tessera/core';
import { F, Linear } from '@tessera/nn';
import { TiedLMHead } from '../gpt/lm-head';
import type { TokenIds } from '../gpt/token-ids';
import type { T5BlockCache } from './block';
import type { T5Config, T5FactoryOptions } from './config';
import { disposeCache, Owned, T5EncoderDecoder, type T5ForwardOptions, type T5Ids, type T5Mask } from './encoder-decoder';
import { generateT5, type T5GenerateOptions } from './generation';
import { initT5Weights } from './init';
import { loadT5Weights } from './pretrained';

/** Hugging Face's ignored label. */
const IGNORE_INDEX = -100;

/** Options of {@link T5ForConditionalGeneration.forward}. */
export interface T5ForConditionalGenerationOptions extends T5ForwardOptions {
  /** `[B, T]` target ids (−100: no loss there); without `decoderInputIds`, they are shifted right into the decoder's input. */
  labels?: T5Ids;
}

/** What {@link T5ForConditionalGeneration.forward} returns. */
export interface T5Seq2SeqLMOutput {
  /** `[B, T, vocab]` next-token logits at every decoder position. */
  logits: Tensor;
  /** Mean cross-entropy over the labels that are not −100 (with `labels`). */
  loss?: Tensor;
  /** `[B, S, d_model]`: the encoder's output (pass it back as `encoderOutputs` to skip the encoder). */
  encoderLastHiddenState: Tensor;
}

/**
 * Hugging Face's `_shift_right`: `[start, labels[:, :-1]]` with −100 replaced by the pad id.
 * @example
 * shiftRight(tensor([[5, 6, 1, -100]], { dtype: 'int32' }), 0, 0); // [[0, 5, 6, 1]]
 */
export function shiftRight(labels: Tensor, decoderStartTokenId: number, padTokenId: number): Tensor {
  if (labels.ndim !== 2) throw new ShapeError(`shiftRight: labels must be [batch, time], got shape [${labels.shape.join(', ')}]`);
  return tidy(() => {
    const [batch, time] = labels.shape;
    const start = full([batch, 1], decoderStartTokenId, { dtype: 'int32', device: labels.device });
    const shifted = cat([start, labels.narrow(1, 0, Math.max(time - 1, 0)).int()], 1).narrow(1, 0, time);
    return shifted.maskedFill(shifted.eq(IGNORE_INDEX), padTokenId);
  });
}

/**
 * T5 with its language-model head.
 * @example
 * import '@tessera/backend-cpu';
 * const t5 = new T5ForConditionalGeneration({ vocab_size: 100, d_model: 64, d_kv: 16, d_ff: 128, num_layers: 2, num_heads: 4 });
 * const { loss } = t5.forward(inputIds, { attentionMask, labels });        // teacher forcing
 * const output = await t5.generate(inputIds, { maxNewTokens: 20, numBeams: 4 }); // [start, …tokens, eos]
 */
export class T5ForConditionalGeneration extends T5EncoderDecoder {
  readonly lm_head: TiedLMHead | Linear;

  constructor(config: T5Config, options: T5FactoryOptions = {}) {
    super(config, options);
    const untied = this.config.tieWordEmbeddings ? null : new Linear(this.config.dModel, this.config.vocabSize, { dtype: options.dtype, device: options.device, bias: false });
    this.lm_head = untied ?? new TiedLMHead(this.shared.weight);
    initT5Weights(this, this.shared, untied, this.config);
  }

  /**
   * Load a Hugging Face T5 checkpoint (`model.safetensors` bytes and the `config.json` object),
   * whether or not it stores `lm_head.weight` and the `embed_tokens` copies of `shared.weight`.
   * @example
   * const t5 = T5ForConditionalGeneration.fromPretrained(new Uint8Array(readFileSync('model.safetensors')), JSON.parse(readFileSync('config.json', 'utf8')));
   */
  static fromPretrained(weights: Uint8Array | ArrayBuffer, config: T5Config, options: T5FactoryOptions = {}): T5ForConditionalGeneration {
    const model = new T5ForConditionalGeneration(config, options);
    loadT5Weights('T5ForConditionalGeneration.fromPretrained', model, weights);
    return model;
  }

  /** Vocabulary logits of decoder outputs `[B, T, d_model]`, with T5's rescaling when the head is tied. */
  private logitsOf(hidden: Tensor): Tensor {
    return this.config.tieWordEmbeddings ? this.lm_head.forward(hidden.mul(this.config.dModel ** -0.5)) : this.lm_head.forward(hidden);
  }

  /**
   * Logits for `inputIds` `[B, S]` and the decoder input (given, or `labels` shifted right) and, with
   * `labels`, the mean cross-entropy over the labels that are not −100.
   * @example
   * const { logits, loss } = t5.forward(inputIds, { attentionMask, labels });
   */
  forward(inputIds: T5Ids, options: T5ForConditionalGenerationOptions = {}): T5Seq2SeqLMOutput {
    const where = 'T5ForConditionalGeneration.forward';
    if (options.decoderInputIds === undefined && options.labels === undefined) throw new ValueError(`${where}: pass labels (shifted right into the decoder's input) or decoderInputIds`);
    const owned = new Owned();
    try {
      return tidy(() => {
        const { encoded, encoderKeyMask } = this.encodeInputs(where, inputIds, options, owned);
        const labels = options.labels === undefined ? null : this.idsInput(where, 'labels', options.labels, owned, IGNORE_INDEX);
        const decoderIds =
          options.decoderInputIds !== undefined ? this.idsInput(where, 'decoderInputIds', options.decoderInputIds, owned) : shiftRight(labels!, this.config.decoderStartTokenId, this.config.padTokenId);
        if (labels && (labels.shape[0] !== decoderIds.shape[0] || labels.shape[1] !== decoderIds.shape[1])) {
          throw new ShapeError(`${where}: labels must have the shape of decoderInputIds [${decoderIds.shape.join(', ')}], got [${labels.shape.join(', ')}]`);
        }
        if (decoderIds.shape[0] !== encoded.shape[0]) throw new ShapeError(`${where}: the decoder input has ${decoderIds.shape[0]} rows but the input ids ${encoded.shape[0]}`);
        const keyMask = this.maskInput(where, 'decoderAttentionMask', options.decoderAttentionMask, decoderIds.shape, owned);
        const { lastHiddenState, cache } = this.decoder.forward(decoderIds, { keyMask, encoderHiddenStates: encoded, encoderKeyMask });
        disposeCache(cache);
        const logits = this.logitsOf(lastHiddenState);
        const output: T5Seq2SeqLMOutput = { logits, encoderLastHiddenState: encoded };
        if (labels) {
          const [batch, time, vocab] = logits.shape;
          output.loss = F.crossEntropy(logits.reshape([batch * time, vocab]), labels.reshape([batch * time]), { ignoreIndex: IGNORE_INDEX });
        }
        return output;
      });
    } finally {
      owned.dispose();
    }
  }

  /**
   * Run the encoder once: its output `[B, S, d_model]` and the bool key mask `[B, 1, 1, S]` of
   * `attentionMask` (null without one) — what {@link decodeStep} attends to.
   * @example
   * const { encoderHiddenStates, encoderKeyMask } = t5.encode(inputIds, { attentionMask });
   */
  encode(inputIds: T5Ids, options: { attentionMask?: T5Mask } = {}): { encoderHiddenStates: Tensor; encoderKeyMask: Tensor | null } {
    const owned = new Owned();
    try {
      return tidy(() => {
        const { encoded, encoderKeyMask } = this.encodeInputs('T5ForConditionalGeneration.encode', inputIds, options, owned);
        return { encoderHiddenStates: encoded, encoderKeyMask: encoderKeyMask?.clone() ?? null };
      });
    } finally {
      owned.dispose();
    }
  }

  /**
   * The decoder over new positions `decoderIds` `[B, L]` int32 after those in `past` (the cache of
   * the previous step, or null): the last position's logits `[B, vocab]` and the cache extended by
   * the new positions (cross-attention keys and values are computed at the first step and carried
   * along). What generation runs; the caller disposes the returned cache.
   * @example
   * const first = t5.decodeStep(startIds, encoderHiddenStates, encoderKeyMask, null);
   * const next = t5.decodeStep(nextIds, encoderHiddenStates, encoderKeyMask, first.cache);
   */
  decodeStep(decoderIds: Tensor, encoderHiddenStates: Tensor, encoderKeyMask: Tensor | null, past: readonly T5BlockCache[] | null): { logits: Tensor; cache: T5BlockCache[] } {
    return tidy(() => {
      const { lastHiddenState, cache } = this.decoder.forward(decoderIds, { encoderHiddenStates, encoderKeyMask, past });
      const last = lastHiddenState.select(1, lastHiddenState.shape[1] - 1);
      return { logits: this.logitsOf(last), cache };
    });
  }

  /**
   * Generate the decoder's sequence for each input: greedy by default (`temperature` 0), sampling
   * with `temperature` > 0 (and `topK`, `topP`, `seed`), or beam search with `numBeams` > 1. Returns
   * Hugging Face's layout: per row `[decoder_start_token_id, …tokens]`, up to and including the
   * first eos, padded with `pad_token_id` to the longest row — as a tensor when `inputIds` is one.
   * @example
   * const out = await t5.generate([[13, 7, 22, 1]], { maxNewTokens: 10 });          // greedy
   * const beams = await t5.generate(ids, { maxNewTokens: 10, numBeams: 4, attentionMask });
   */
  async generate(inputIds: TokenIds, options: T5GenerateOptions): Promise<Tensor | number[] | number[][]> {
    return generateT5(this, inputIds, options);
  }
}
