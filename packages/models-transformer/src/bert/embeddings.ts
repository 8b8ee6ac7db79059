/**
 * BERT's input embeddings: word + learned absolute position + token type (segment), then LayerNorm
 * and dropout — Hugging Face's `BertEmbeddings`, with its parameter names.
 */
import { arange, tidy, type Tensor } from '@tessera/core';
import { Dropout, Embedding, LayerNorm, Module } from '@tessera/nn';
import type { BertFactoryOptions, ResolvedBertConfig } from './config';

/**
 * `LayerNorm(word_embeddings[ids] + position_embeddings[0…T−1] + token_type_embeddings[types])`, then dropout.
 * @example
 * const embeddings = new BertEmbeddings(config);
 * embeddings.forward(ids, tokenTypeIds).shape; // [B, T, hidden]
 */
export class BertEmbeddings extends Module {
  readonly word_embeddings: Embedding;
  readonly position_embeddings: Embedding;
  readonly token_type_embeddings: Embedding;
  readonly LayerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(config: ResolvedBertConfig, factory: BertFactoryOptions = {}) {
    super();
    this.word_embeddings = new Embedding(config.vocabSize, config.hiddenSize, { paddingIdx: config.padTokenId, ...factory });
    this.position_embeddings = new Embedding(config.maxPositionEmbeddings, config.hiddenSize, factory);
    this.token_type_embeddings = new Embedding(config.typeVocabSize, config.hiddenSize, factory);
    this.LayerNorm = new LayerNorm(config.hiddenSize, { eps: config.layerNormEps, ...factory });
    this.dropout = new Dropout(config.hiddenDropoutProb);
  }

  /** `ids` and `tokenTypeIds` int32 `[B, T]` → `[B, T, hidden]`. */
  forward(ids: Tensor, tokenTypeIds: Tensor): Tensor {
    return tidy(() => {
      const positions = arange(0, ids.shape[1], 1, { dtype: 'int32', device: ids.device });
      const summed = this.word_embeddings
        .forward(ids)
        .add(this.position_embeddings.forward(positions))
        .add(this.token_type_embeddings.forward(tokenTypeIds));
      return this.dropout.forward(this.LayerNorm.forward(summed));
    });
  }
}
