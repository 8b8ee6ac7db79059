/**
 * BertForSequenceClassification: BERT's pooled [CLS] vector → dropout → `classifier` (a linear layer
 * to `num_labels` logits), Hugging Face's class of that name, with its three problem types.
 */
import { formatShape, isFloating, isTensor, ShapeError, tensor, tidy, type Tensor } from '@tessera/core';
import { Dropout, F, Linear, Module } from '@tessera/nn';
import { classLabels } from './bert-for-pre-training';
import { BertModel, type BertForwardOptions, type BertModelOptions } from './bert-model';
import type { BertConfig, BertFactoryOptions, ResolvedBertConfig } from './config';
import { initBertWeights } from './init';
import type { BertIds } from './inputs';
import { loadBertWeights } from './pretrained';

/** Options of {@link BertForSequenceClassification.forward}. */
export interface BertForSequenceClassificationOptions extends BertForwardOptions {
  /**
   * `[B]` int32 class indices (single-label classification), `[B]` float targets when num_labels is 1
   * (regression), or `[B, num_labels]` float 0/1 targets (multi-label) — Hugging Face's problem types,
   * chosen as it chooses them (from config.problem_type, else num_labels and the labels' dtype).
   */
  labels?: Tensor | readonly number[] | readonly (readonly number[])[];
}

/** What {@link BertForSequenceClassification.forward} returns. */
export interface BertSequenceClassifierOutput {
  /** `[B, num_labels]`. */
  logits: Tensor;
  /** Cross-entropy, mean squared error or binary cross-entropy with logits, by problem type (with `labels`). */
  loss?: Tensor;
  hiddenStates?: Tensor[];
}

/**
 * BERT with a sequence classifier on its pooled output.
 * @example
 * const classifier = BertForSequenceClassification.fromPretrained(pretrainedBytes, { ...config, num_labels: 2 });
 * const { logits, loss } = classifier.forward(ids, { attentionMask, labels: [1, 0] });
 */
export class BertForSequenceClassification extends Module {
  readonly config: ResolvedBertConfig;
  readonly bert: BertModel;
  readonly dropout: Dropout;
  readonly classifier: Linear;

  constructor(config: BertConfig, options: BertFactoryOptions = {}) {
    super();
    const factory = { dtype: options.dtype, device: options.device };
    this.bert = new BertModel(config, factory);
    this.config = this.bert.config;
    this.dropout = new Dropout(this.config.classifierDropout);
    this.classifier = new Linear(this.config.hiddenSize, this.config.numLabels, factory);
    initBertWeights(this.classifier, this.config.initializerRange);
  }

  /**
   * Load a Hugging Face checkpoint: a fine-tuned BertForSequenceClassification file, or a pre-trained
   * BERT (BertModel / BertForPreTraining / BertForMaskedLM files) whose classifier — and pooler, if
   * the file has none — keep their fresh initialisation, the start of fine-tuning.
   * @example
   * const classifier = BertForSequenceClassification.fromPretrained(bytes, { ...config, num_labels: 3 });
   */
  static fromPretrained(weights: Uint8Array | ArrayBuffer, config: BertConfig, options: BertModelOptions = {}): BertForSequenceClassification {
    const model = new BertForSequenceClassification(config, options);
    loadBertWeights('BertForSequenceClassification.fromPretrained', model, weights);
    return model;
  }

  /**
   * Class logits for `ids` `[B, T]` and, with `labels`, the loss.
   * @example
   * const { logits } = classifier.forward(ids, { attentionMask });
   */
  forward(ids: BertIds, options: BertForSequenceClassificationOptions = {}): BertSequenceClassifierOutput {
    return tidy(() => {
      const { poolerOutput, hiddenStates } = this.bert.forward(ids, options);
      const logits = this.classifier.forward(this.dropout.forward(poolerOutput!));
      const output: BertSequenceClassifierOutput = { logits };
      if (hiddenStates) output.hiddenStates = hiddenStates;
      if (options.labels !== undefined) output.loss = this.loss(logits, options.labels);
      return output;
    });
  }

  private loss(logits: Tensor, labels: NonNullable<BertForSequenceClassificationOptions['labels']>): Tensor {
    const where = 'BertForSequenceClassification.forward';
    const { numLabels } = this.config;
    const batch = logits.shape[0];
    const floating = isTensor(labels) ? isFloating(labels.dtype) : Array.isArray(labels[0]) || numLabels === 1;
    const problem = this.config.problemType ?? (numLabels === 1 ? 'regression' : floating ? 'multi_label_classification' : 'single_label_classification');
    if (problem === 'single_label_classification') {
      const target = classLabels(where, 'labels', labels as Tensor | readonly number[], batch, numLabels, this.bert.device);
      const loss = F.crossEntropy(logits, target.labels);
      if (target.owned) target.labels.dispose();
      return loss;
    }
    const target = isTensor(labels) ? labels : tensor(labels as number[] | number[][], { dtype: logits.dtype, device: logits.device });
    try {
      const expected = problem === 'regression' ? [batch] : [batch, numLabels];
      const shape = problem === 'regression' && target.ndim === 2 && target.shape[1] === 1 ? [batch] : target.shape;
      if (formatShape(shape) !== formatShape(expected)) {
        throw new ShapeError(`${where}: ${problem} labels must have shape ${formatShape(expected)}, got ${formatShape(target.shape)}`);
      }
      const values = target.dtype === logits.dtype ? target : target.cast(logits.dtype);
      return problem === 'regression' ? F.mseLoss(logits.reshape([batch]), values.reshape([batch])) : F.binaryCrossEntropyWithLogits(logits, values);
    } finally {
      if (target !== labels) target.dispose();
    }
  }
}
