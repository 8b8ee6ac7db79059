/**
 * BertForPreTraining: BERT with both pre-training heads (`cls.predictions.*` for the masked-LM
 * objective, `cls.seq_relationship` for next-sentence prediction), Hugging Face's class of that name
 * and the layout of the original BERT checkpoints.
 */
import { isTensor, ShapeError, tensor, tidy, ValueError, type Tensor } from '@tessera/core';
import { F, Module } from '@tessera/nn';
import { maskedLMLoss } from './bert-for-masked-lm';
import { BertModel, type BertForwardOptions, type BertModelOptions } from './bert-model';
import type { BertConfig, BertFactoryOptions, ResolvedBertConfig } from './config';
import { BertPreTrainingHeads } from './heads';
import { initBertWeights } from './init';
import type { BertIds } from './inputs';
import { loadBertWeights } from './pretrained';

/** Options of {@link BertForPreTraining.forward}. */
export interface BertForPreTrainingOptions extends BertForwardOptions {
  /** `[B, T]` masked-LM labels (−100 where no loss). */
  labels?: BertIds;
  /** `[B]` 0 when sentence B follows sentence A, 1 when it is a random sentence (Hugging Face's convention). */
  nextSentenceLabel?: Tensor | readonly number[];
}

/** What {@link BertForPreTraining.forward} returns. */
export interface BertPreTrainingOutput {
  /** `[B, T, vocab]` masked-LM logits. */
  predictionLogits: Tensor;
  /** `[B, 2]` is-next (0) / random (1) logits. */
  seqRelationshipLogits: Tensor;
  /** The masked-LM loss plus the next-sentence loss (whichever labels were given). */
  loss?: Tensor;
  /** With `labels`: the masked-LM loss alone. */
  mlmLoss?: Tensor;
  /** With `nextSentenceLabel`: the next-sentence cross-entropy alone. */
  nspLoss?: Tensor;
  hiddenStates?: Tensor[];
}

/** `[B]` int32 labels in [0, classes) from a tensor or an array, checked. */
export function classLabels(where: string, what: string, labels: Tensor | readonly number[], batch: number, classes: number, device: string): { labels: Tensor; owned: boolean } {
  const made = isTensor(labels) ? null : tensor(labels as number[], { dtype: 'int32', device });
  const value = made ?? (labels as Tensor);
  if (value.ndim !== 1 || value.shape[0] !== batch) {
    made?.dispose();
    throw new ShapeError(`${where}: ${what} must be [${batch}] (one per sequence), got shape [${value.shape.join(', ')}]`);
  }
  if (value.canReadSync) {
    const bad = Array.from(value.dataSync(), Number).find((label) => !(Number.isInteger(label) && label >= 0 && label < classes));
    if (bad !== undefined) {
      made?.dispose();
      throw new ValueError(`${where}: ${what} ${bad} is not a class index in [0, ${classes - 1}]`);
    }
  }
  if (value.dtype === 'int32') return { labels: value, owned: made !== null };
  const cast = value.int();
  made?.dispose();
  return { labels: cast, owned: true };
}

/**
 * BERT with the masked-LM and next-sentence heads.
 * @example
 * const model = new BertForPreTraining({ vocab_size: 1000, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 256 });
 * const { loss } = model.forward(ids, { tokenTypeIds, attentionMask, labels, nextSentenceLabel: [0, 1] });
 */
export class BertForPreTraining extends Module {
  readonly config: ResolvedBertConfig;
  readonly bert: BertModel;
  readonly cls: BertPreTrainingHeads;

  constructor(config: BertConfig, options: BertFactoryOptions = {}) {
    super();
    const factory = { dtype: options.dtype, device: options.device };
    this.bert = new BertModel(config, factory);
    this.config = this.bert.config;
    this.cls = new BertPreTrainingHeads(this.config, this.config.tieWordEmbeddings ? this.bert.embeddings.word_embeddings.weight : null, factory);
    initBertWeights(this.cls, this.config.initializerRange);
  }

  /**
   * Load a Hugging Face BertForPreTraining checkpoint (`bert.*` and both `cls.*` heads).
   * @example
   * const model = BertForPreTraining.fromPretrained(bytes, config);
   */
  static fromPretrained(weights: Uint8Array | ArrayBuffer, config: BertConfig, options: BertModelOptions = {}): BertForPreTraining {
    const model = new BertForPreTraining(config, options);
    loadBertWeights('BertForPreTraining.fromPretrained', model, weights);
    return model;
  }

  /**
   * Both heads' logits and, with labels, the pre-training losses.
   * @example
   * const { predictionLogits, seqRelationshipLogits } = model.forward(ids, { tokenTypeIds });
   */
  forward(ids: BertIds, options: BertForPreTrainingOptions = {}): BertPreTrainingOutput {
    const where = 'BertForPreTraining.forward';
    return tidy(() => {
      const { lastHiddenState, poolerOutput, hiddenStates } = this.bert.forward(ids, options);
      const [predictionLogits, seqRelationshipLogits] = this.cls.forward(lastHiddenState, poolerOutput!);
      const output: BertPreTrainingOutput = { predictionLogits, seqRelationshipLogits };
      if (hiddenStates) output.hiddenStates = hiddenStates;
      if (options.labels !== undefined) output.mlmLoss = maskedLMLoss(where, predictionLogits, options.labels, this.config.vocabSize);
      if (options.nextSentenceLabel !== undefined) {
        const target = classLabels(where, 'nextSentenceLabel', options.nextSentenceLabel, predictionLogits.shape[0], 2, this.bert.device);
        output.nspLoss = F.crossEntropy(seqRelationshipLogits, target.labels);
        if (target.owned) target.labels.dispose();
      }
      if (output.mlmLoss && output.nspLoss) output.loss = output.mlmLoss.add(output.nspLoss);
      else if (output.mlmLoss ?? output.nspLoss) output.loss = output.mlmLoss ?? output.nspLoss;
      return output;
    });
  }
}
