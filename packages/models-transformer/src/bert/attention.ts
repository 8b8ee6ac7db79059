/**
 * BERT's attention sublayer, as Hugging Face names it: `attention.self` (query, key and value
 * projections and the scaled dot-product attention over the heads) and `attention.output` (the dense
 * projection, dropout, and the post-norm residual LayerNorm).
 */
import { scaledDotProductAttention, tidy, type Tensor } from '@tessera/core';
import { Dropout, LayerNorm, Linear, Module } from '@tessera/nn';
import type { BertFactoryOptions, ResolvedBertConfig } from './config';

/**
 * Multi-head self-attention with separate `query`, `key`, `value` projections (with biases); the
 * weights are `softmax(q·kᵀ/√headSize)` over the keys the mask keeps, dropped out in training.
 * @example
 * new BertSelfAttention(config).forward(hidden, keyMask).shape; // [B, T, hidden]
 */
export class BertSelfAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly numHeads: number;
  readonly dropoutP: number;

  constructor(config: ResolvedBertConfig, factory: BertFactoryOptions = {}) {
    super();
    const size = config.hiddenSize;
    this.query = new Linear(size, size, factory);
    this.key = new Linear(size, size, factory);
    this.value = new Linear(size, size, factory);
    this.numHeads = config.numAttentionHeads;
    this.dropoutP = config.attentionProbsDropoutProb;
  }

  /** `hidden` `[B, T, hidden]`; `keyMask` bool `[B, 1, 1, T]` (true = attend) or null. */
  forward(hidden: Tensor, keyMask: Tensor | null): Tensor {
    return tidy(() => {
      const [batch, time, size] = hidden.shape;
      const heads = (x: Tensor) => x.reshape([batch, time, this.numHeads, size / this.numHeads]).transpose(1, 2);
      const context = scaledDotProductAttention(heads(this.query.forward(hidden)), heads(this.key.forward(hidden)), heads(this.value.forward(hidden)), {
        attnMask: keyMask,
        dropoutP: this.training ? this.dropoutP : 0,
      });
      return context.transpose(1, 2).reshape([batch, time, size]);
    });
  }
}

/**
 * `LayerNorm(dropout(dense(x)) + residual)`: the output half of BERT's attention sublayer (and, with
 * other sizes, of its feed-forward sublayer).
 * @example
 * new BertResidualOutput(config, config.hiddenSize).forward(context, hidden);
 */
export class BertResidualOutput extends Module {
  readonly dense: Linear;
  readonly LayerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(config: ResolvedBertConfig, inFeatures: number, factory: BertFactoryOptions = {}) {
    super();
    this.dense = new Linear(inFeatures, config.hiddenSize, factory);
    this.LayerNorm = new LayerNorm(config.hiddenSize, { eps: config.layerNormEps, ...factory });
    this.dropout = new Dropout(config.hiddenDropoutProb);
  }

  forward(x: Tensor, residual: Tensor): Tensor {
    return tidy(() => this.LayerNorm.forward(this.dropout.forward(this.dense.forward(x)).add(residual)));
  }
}

/**
 * Self-attention followed by its residual output: Hugging Face's `BertAttention` (`attention.self`,
 * `attention.output`).
 * @example
 * new BertAttention(config).forward(hidden, null).shape; // [B, T, hidden]
 */
export class BertAttention extends Module {
  readonly self: BertSelfAttention;
  readonly output: BertResidualOutput;

  constructor(config: ResolvedBertConfig, factory: BertFactoryOptions = {}) {
    super();
    this.self = new BertSelfAttention(config, factory);
    this.output = new BertResidualOutput(config, config.hiddenSize, factory);
  }

  forward(hidden: Tensor, keyMask: Tensor | null): Tensor {
    return tidy(() => this.output.forward(this.self.forward(hidden, keyMask), hidden));
  }
}
