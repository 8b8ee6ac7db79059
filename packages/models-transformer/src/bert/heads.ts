/**
 * BERT's heads with Hugging Face's names: the pooler (`pooler.dense`, tanh of the [CLS] state), the
 * masked-LM head (`cls.predictions.transform.dense|LayerNorm`, the `decoder` tied to the word
 * embeddings, `cls.predictions.bias`) and the next-sentence head (`cls.seq_relationship`).
 */
import { tidy, zeros, type Tensor } from '@tessera/core';
import { init, LayerNorm, Linear, Module, parameter } from '@tessera/nn';
import { TiedLMHead } from '../gpt/lm-head';
import { hfActivation } from '../layers/hf-activation';
import type { BertFactoryOptions, ResolvedBertConfig } from './config';

/**
 * `tanh(dense(hidden[:, 0]))`: the sentence vector from the first ([CLS]) token.
 * @example
 * new BertPooler(config).forward(lastHiddenState).shape; // [B, hidden]
 */
export class BertPooler extends Module {
  readonly dense: Linear;

  constructor(config: ResolvedBertConfig, factory: BertFactoryOptions = {}) {
    super();
    this.dense = new Linear(config.hiddenSize, config.hiddenSize, factory);
  }

  forward(hidden: Tensor): Tensor {
    return tidy(() => this.dense.forward(hidden.select(1, 0)).tanh());
  }
}

/**
 * `LayerNorm(activation(dense(x)))` before the vocabulary projection.
 * @example
 * new BertPredictionHeadTransform(config).forward(hidden).shape; // [B, T, hidden]
 */
export class BertPredictionHeadTransform extends Module {
  readonly dense: Linear;
  readonly LayerNorm: LayerNorm;
  private readonly activation: (x: Tensor) => Tensor;

  constructor(config: ResolvedBertConfig, factory: BertFactoryOptions = {}) {
    super();
    this.dense = new Linear(config.hiddenSize, config.hiddenSize, factory);
    this.LayerNorm = new LayerNorm(config.hiddenSize, { eps: config.layerNormEps, ...factory });
    this.activation = hfActivation('BertPredictionHeadTransform', 'hidden_act', config.hiddenAct);
  }

  forward(hidden: Tensor): Tensor {
    return tidy(() => this.LayerNorm.forward(this.activation(this.dense.forward(hidden))));
  }
}

/**
 * Masked-LM logits: `decoder(transform(hidden)) + bias`. The bias-free `decoder`'s weight is, when
 * tied, the word-embedding table itself (`stateDict` lists it as `decoder.weight`, as PyTorch lists
 * tied weights); `bias` is the output bias (which Hugging Face also exposes as `decoder.bias`).
 * @example
 * new BertLMPredictionHead(config, wordEmbeddings).forward(hidden).shape; // [B, T, vocab]
 */
export class BertLMPredictionHead extends Module {
  readonly transform: BertPredictionHeadTransform;
  readonly decoder: TiedLMHead;
  readonly bias: Tensor;

  /** `decoderWeight` is the word-embedding table to tie to, or null for an own `[vocab, hidden]` weight. */
  constructor(config: ResolvedBertConfig, decoderWeight: Tensor | null, factory: BertFactoryOptions = {}) {
    super();
    const dtype = factory.dtype ?? 'float32';
    this.transform = new BertPredictionHeadTransform(config, factory);
    this.decoder = new TiedLMHead(decoderWeight ?? init.normal(parameter(zeros([config.vocabSize, config.hiddenSize], { dtype, device: factory.device })), 0, config.initializerRange));
    this.bias = parameter(zeros([config.vocabSize], { dtype, device: factory.device }));
  }

  forward(hidden: Tensor): Tensor {
    return tidy(() => this.decoder.forward(this.transform.forward(hidden)).add(this.bias));
  }
}

/**
 * Hugging Face's `BertOnlyMLMHead` (`cls.predictions`), as in BertForMaskedLM.
 * @example
 * new BertOnlyMLMHead(config, wordEmbeddings).forward(hidden); // [B, T, vocab]
 */
export class BertOnlyMLMHead extends Module {
  readonly predictions: BertLMPredictionHead;

  constructor(config: ResolvedBertConfig, decoderWeight: Tensor | null, factory: BertFactoryOptions = {}) {
    super();
    this.predictions = new BertLMPredictionHead(config, decoderWeight, factory);
  }

  forward(hidden: Tensor): Tensor {
    return this.predictions.forward(hidden);
  }
}

/**
 * Hugging Face's `BertPreTrainingHeads` (`cls.predictions`, `cls.seq_relationship`), as in
 * BertForPreTraining: masked-LM logits and is-next / not-next logits from the pooled output.
 * @example
 * const [predictionLogits, seqRelationshipLogits] = heads.forward(lastHiddenState, pooled);
 */
export class BertPreTrainingHeads extends Module {
  readonly predictions: BertLMPredictionHead;
  readonly seq_relationship: Linear;

  constructor(config: ResolvedBertConfig, decoderWeight: Tensor | null, factory: BertFactoryOptions = {}) {
    super();
    this.predictions = new BertLMPredictionHead(config, decoderWeight, factory);
    this.seq_relationship = new Linear(config.hiddenSize, 2, factory);
  }

  forward(hidden: Tensor, pooled: Tensor): [Tensor, Tensor] {
    return [this.predictions.forward(hidden), this.seq_relationship.forward(pooled)];
  }
}
