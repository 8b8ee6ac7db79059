/**
 * BERT's encoder: a stack of post-norm layers (`encoder.layer.N`), each self-attention then a
 * feed-forward sublayer (`intermediate.dense` with the config's activation, `output.dense`), each
 * followed by dropout, the residual and LayerNorm — Hugging Face's `BertEncoder` and `BertLayer`.
 */
import { tidy, type Tensor } from '@tessera/core';
import { Linear, Module, ModuleList } from '@tessera/nn';
import { hfActivation } from '../layers/hf-activation';
import { BertAttention, BertResidualOutput } from './attention';
import type { BertFactoryOptions, ResolvedBertConfig } from './config';

/**
 * The first half of the feed-forward sublayer: `activation(dense(x))`, hidden → intermediate size.
 * @example
 * new BertIntermediate(config).forward(hidden).shape; // [B, T, intermediate]
 */
export class BertIntermediate extends Module {
  readonly dense: Linear;
  private readonly activation: (x: Tensor) => Tensor;

  constructor(config: ResolvedBertConfig, factory: BertFactoryOptions = {}) {
    super();
    this.dense = new Linear(config.hiddenSize, config.intermediateSize, factory);
    this.activation = hfActivation('BertIntermediate', 'hidden_act', config.hiddenAct);
  }

  forward(hidden: Tensor): Tensor {
    return tidy(() => this.activation(this.dense.forward(hidden)));
  }
}

/**
 * One encoder layer: `attention`, `intermediate`, `output`.
 * @example
 * new BertLayer(config).forward(hidden, keyMask).shape; // [B, T, hidden]
 */
export class BertLayer extends Module {
  readonly attention: BertAttention;
  readonly intermediate: BertIntermediate;
  readonly output: BertResidualOutput;

  constructor(config: ResolvedBertConfig, factory: BertFactoryOptions = {}) {
    super();
    this.attention = new BertAttention(config, factory);
    this.intermediate = new BertIntermediate(config, factory);
    this.output = new BertResidualOutput(config, config.intermediateSize, factory);
  }

  forward(hidden: Tensor, keyMask: Tensor | null): Tensor {
    return tidy(() => {
      const attended = this.attention.forward(hidden, keyMask);
      return this.output.forward(this.intermediate.forward(attended), attended);
    });
  }
}

/**
 * The layer stack. `forward` returns every layer's output (the last one is the encoder's output).
 * @example
 * const states = new BertEncoder(config).forward(embedded, keyMask); // numHiddenLayers tensors [B, T, hidden]
 */
export class BertEncoder extends Module {
  readonly layer: ModuleList;

  constructor(config: ResolvedBertConfig, factory: BertFactoryOptions = {}) {
    super();
    this.layer = new ModuleList(Array.from({ length: config.numHiddenLayers }, () => new BertLayer(config, factory)));
  }

  /** The layers, typed. */
  get layers(): BertLayer[] {
    return this.layer.children() as BertLayer[];
  }

  forward(hidden: Tensor, keyMask: Tensor | null): Tensor[] {
    return tidy(() => {
      const states: Tensor[] = [];
      let current = hidden;
      for (const layer of this.layers) {
        current = layer.forward(current, keyMask);
        states.push(current);
      }
      return states;
    });
  }
}
