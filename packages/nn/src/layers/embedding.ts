/**
 * Embedding table.
 */
import { noGrad, zeros, type Tensor } from '@tessera/core';
import { Module, parameter } from '../module';
import { embedding, normalizePaddingIdx } from '../functional/linear';
import { normal } from '../init';
import type { FactoryOptions } from './options';

/** Options of {@link Embedding}. */
export interface EmbeddingLayerOptions extends FactoryOptions {
  /** This row starts at zero and receives no gradient (a padding token); negative counts from the end. */
  paddingIdx?: number | null;
}

/**
 * A lookup table `weight` `[numEmbeddings, embeddingDim]`, initialised N(0, 1) as PyTorch does; int32
 * indices of any shape map to `[...shape, embeddingDim]`.
 * @example
 * const emb = new Embedding(1000, 64, { paddingIdx: 0 });
 * emb.forward(tensor([[5, 9, 0]], { dtype: 'int32' })).shape; // [1, 3, 64]
 */
export class Embedding extends Module {
  readonly weight: Tensor;
  readonly paddingIdx: number | null;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingLayerOptions = {},
  ) {
    super();
    this.paddingIdx = normalizePaddingIdx('Embedding', options.paddingIdx, numEmbeddings);
    this.weight = parameter(zeros([numEmbeddings, embeddingDim], { dtype: options.dtype ?? 'float32', device: options.device }));
    this.resetParameters();
  }

  /** Re-draw N(0, 1) and zero the padding row. @example emb.resetParameters() */
  resetParameters(): void {
    normal(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.weight.narrow(0, this.paddingIdx, 1);
      noGrad(() => row.assign(0));
      row.dispose();
    }
  }

  forward(input: Tensor): Tensor {
    this.checkInputDevice(input, this.weight);
    return embedding(input, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}`;
  }
}
