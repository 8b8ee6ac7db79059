/**
 * BertForMaskedLM: BERT with the masked-language-model head (`bert.*` without a pooler, `cls.predictions.*`),
 * Hugging Face's class of that name.
 */
import { ShapeError, tidy, type Tensor } from '@tessera/core';
import { F, Module } from '@tessera/nn';
import { idsTensor } from '../gpt/token-ids';
import { BertModel, type BertForwardOptions, type BertModelOptions } from './bert-model';
import type { BertConfig, BertFactoryOptions, ResolvedBertConfig } from './config';
import { BertOnlyMLMHead } from './heads';
import { initBertWeights } from './init';
import type { BertIds } from './inputs';
import { loadBertWeights } from './pretrained';

/**
 * Hugging Face's ignored label in the MLM and sequence losses.
 * @example
 * labels[b][t] = IGNORE_INDEX; // position t of row b adds nothing to the loss
 */
export const IGNORE_INDEX = -100;

/** Options of {@link BertForMaskedLM.forward}. */
export interface BertForMaskedLMOptions extends BertForwardOptions {
  /** `[B, T]` token ids to predict; −100 (most positions) contributes no loss. */
  labels?: BertIds;
}

/** What {@link BertForMaskedLM.forward} returns. */
export interface BertMaskedLMOutput {
  /** `[B, T, vocab]` token logits at every position. */
  logits: Tensor;
  /** Mean cross-entropy over the positions whose label is not −100 (with `labels`). */
  loss?: Tensor;
  hiddenStates?: Tensor[];
}

/**
 * The masked-LM loss: mean cross-entropy of `logits` `[B, T, vocab]` at the positions whose label is
 * not −100. Shared by BertForMaskedLM and BertForPreTraining.
 * @example
 * const loss = maskedLMLoss('BertForMaskedLM.forward', logits, labels, vocabSize);
 */
export function maskedLMLoss(where: string, logits: Tensor, labels: BertIds, vocabSize: number): Tensor {
  const target = idsTensor(where, 'labels', labels, vocabSize, IGNORE_INDEX);
  try {
    const [batch, time] = logits.shape;
    if (target.ids.shape[0] !== batch || target.ids.shape[1] !== time) {
      throw new ShapeError(`${where}: labels must have the shape of input ids [${batch}, ${time}], got [${target.ids.shape.join(', ')}]`);
    }
    return tidy(() => F.crossEntropy(logits.reshape([batch * time, vocabSize]), target.ids.reshape([batch * time]), { ignoreIndex: IGNORE_INDEX }));
  } finally {
    if (target.owned) target.ids.dispose();
  }
}

/**
 * BERT with its masked-LM head; the decoder is tied to the word embeddings unless
 * `tie_word_embeddings` is false.
 * @example
 * const mlm = new BertForMaskedLM({ vocab_size: 1000, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 256 });
 * const { logits, loss } = mlm.forward(maskedIds, { attentionMask, labels }); // labels −100 except at masked positions
 */
export class BertForMaskedLM extends Module {
  readonly config: ResolvedBertConfig;
  readonly bert: BertModel;
  readonly cls: BertOnlyMLMHead;

  constructor(config: BertConfig, options: BertFactoryOptions = {}) {
    super();
    const factory = { dtype: options.dtype, device: options.device };
    this.bert = new BertModel(config, { ...factory, addPoolingLayer: false });
    this.config = this.bert.config;
    this.cls = new BertOnlyMLMHead(this.config, this.config.tieWordEmbeddings ? this.bert.embeddings.word_embeddings.weight : null, factory);
    initBertWeights(this.cls, this.config.initializerRange);
  }

  /**
   * Load a Hugging Face checkpoint (BertForMaskedLM or BertForPreTraining files; see the README).
   * @example
   * const mlm = BertForMaskedLM.fromPretrained(bytes, config);
   */
  static fromPretrained(weights: Uint8Array | ArrayBuffer, config: BertConfig, options: BertModelOptions = {}): BertForMaskedLM {
    const model = new BertForMaskedLM(config, options);
    loadBertWeights('BertForMaskedLM.fromPretrained', model, weights);
    return model;
  }

  /**
   * Token logits for `ids` `[B, T]` and, with `labels`, the masked-LM loss.
   * @example
   * const { logits, loss } = mlm.forward(ids, { labels });
   */
  forward(ids: BertIds, options: BertForMaskedLMOptions = {}): BertMaskedLMOutput {
    return tidy(() => {
      const { lastHiddenState, hiddenStates } = this.bert.forward(ids, options);
      const logits = this.cls.forward(lastHiddenState);
      const output: BertMaskedLMOutput = { logits };
      if (hiddenStates) output.hiddenStates = hiddenStates;
      if (options.labels !== undefined) output.loss = maskedLMLoss('BertForMaskedLM.forward', logits, options.labels, this.config.vocabSize);
      return output;
    });
  }
}

