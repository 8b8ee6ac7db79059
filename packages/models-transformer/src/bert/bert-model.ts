/**
 * BertModel: the bidirectional transformer encoder of BERT (Devlin et al., 2019) with Hugging Face's
 * parameter names and config, so `bert-base-uncased`-style checkpoints load unchanged.
 *
 * Embeddings (word + position + token type → LayerNorm → dropout), `num_hidden_layers` post-norm
 * layers (self-attention over the keys the attention mask keeps, then a GELU feed-forward, each with
 * dropout, residual and LayerNorm) and the pooler (tanh of a dense projection of the [CLS] state).
 */
import { tidy, type Tensor } from '@tessera/core';
import { Module } from '@tessera/nn';
import { resolveBertConfig, type BertConfig, type BertFactoryOptions, type ResolvedBertConfig } from './config';
import { BertEmbeddings } from './embeddings';
import { BertEncoder } from './encoder';
import { BertPooler } from './heads';
import { initBertWeights } from './init';
import { bertInputs, type BertIds, type BertInputOptions } from './inputs';
import { loadBertWeights } from './pretrained';

/** What {@link BertModel.forward} returns (Hugging Face's `BaseModelOutputWithPooling`, camelCase). */
export interface BertModelOutput {
  /** `[B, T, hidden]`: the last layer's output at every position. */
  lastHiddenState: Tensor;
  /** `[B, hidden]`: the pooler's tanh(dense(lastHiddenState[:, 0])); null for a model built without a pooler. */
  poolerOutput: Tensor | null;
  /** With `outputHiddenStates`: the embeddings' output, then every layer's (num_hidden_layers + 1 tensors). */
  hiddenStates?: Tensor[];
}

/** Options of {@link BertModel.forward}. */
export interface BertForwardOptions extends BertInputOptions {
  /** Also return every layer's output as `hiddenStates`. */
  outputHiddenStates?: boolean;
}

/** Options of the {@link BertModel} constructor. */
export interface BertModelOptions extends BertFactoryOptions {
  /** Build the pooler (default true; BertForMaskedLM has none, as in Hugging Face). */
  addPoolingLayer?: boolean;
}

/**
 * The BERT encoder.
 * @example
 * import '@tessera/backend-cpu';
 * const bert = new BertModel({ vocab_size: 1000, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 256 });
 * const { lastHiddenState, poolerOutput } = bert.forward([[2, 45, 7, 3]], { attentionMask: [[1, 1, 1, 1]] }); // [1, 4, 64], [1, 64]
 */
export class BertModel extends Module {
  readonly config: ResolvedBertConfig;
  readonly embeddings: BertEmbeddings;
  readonly encoder: BertEncoder;
  readonly pooler: BertPooler | null;

  constructor(config: BertConfig, options: BertModelOptions = {}) {
    super();
    this.config = resolveBertConfig('BertModel', config);
    const factory = { dtype: options.dtype, device: options.device };
    this.embeddings = new BertEmbeddings(this.config, factory);
    this.encoder = new BertEncoder(this.config, factory);
    this.pooler = options.addPoolingLayer === false ? null : new BertPooler(this.config, factory);
    initBertWeights(this, this.config.initializerRange);
  }

  /**
   * Load a Hugging Face BERT checkpoint: the bytes of `model.safetensors` and the object of its
   * `config.json` (see the README for the layouts accepted).
   * @example
   * const bert = BertModel.fromPretrained(new Uint8Array(readFileSync('model.safetensors')), JSON.parse(readFileSync('config.json', 'utf8')));
   */
  static fromPretrained(weights: Uint8Array | ArrayBuffer, config: BertConfig, options: BertModelOptions = {}): BertModel {
    const model = new BertModel(config, options);
    loadBertWeights('BertModel.fromPretrained', model, weights);
    return model;
  }

  /** The device of the parameters (for inputs given as arrays). */
  get device(): string {
    return this.embeddings.word_embeddings.weight.device;
  }

  /**
   * Encode `ids` `[B, T]` (T ≤ max_position_embeddings).
   * @example
   * const { lastHiddenState } = bert.forward(ids, { tokenTypeIds, attentionMask });
   */
  forward(ids: BertIds, options: BertForwardOptions = {}): BertModelOutput {
    const inputs = bertInputs(`${this.constructor.name}.forward`, this.config, ids, options);
    try {
      return tidy(() => {
        const embedded = this.embeddings.forward(inputs.ids, inputs.tokenTypeIds);
        const states = this.encoder.forward(embedded, inputs.keyMask);
        const lastHiddenState = states.at(-1) ?? embedded;
        const output: BertModelOutput = { lastHiddenState, poolerOutput: this.pooler ? this.pooler.forward(lastHiddenState) : null };
        if (options.outputHiddenStates) output.hiddenStates = [embedded, ...states];
        return output;
      });
    } finally {
      for (const owned of inputs.owned) owned.dispose();
    }
  }
}
