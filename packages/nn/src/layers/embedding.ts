/**
 * Embedding table.
 */
import { ShapeError, ValueError, isTensor, noGrad, zeros, type Tensor } from '@tessera/core';
import { Module, parameter } from '../module';
import { embedding, normalizePaddingIdx } from '../functional/linear';
import { normal } from '../init';
import type { FactoryOptions } from './options';

/** Options of {@link Embedding}. */
export interface EmbeddingLayerOptions extends FactoryOptions {
  /** This row starts at zero and receives no gradient (a padding token); negative counts from the end. */
  paddingIdx?: number | null;
  /**
   * A row-sparse gradient (PyTorch's `sparse=True`): backward keeps only the looked-up rows
   * (`rowSparseGrad(weight)`, `weight.grad` stays null), and `SGD`/`SparseAdam` update only those rows —
   * a step then costs the rows a batch touches, not the whole table.
   */
  sparse?: boolean;
}

/** Options of {@link Embedding.fromPretrained}. */
export interface FromPretrainedOptions {
  /** Keep the vectors fixed (`requiresGrad = false`; default true, as PyTorch). */
  freeze?: boolean;
  /** A padding row: receives no gradient (its vector is kept as given). */
  paddingIdx?: number | null;
  /** A row-sparse gradient, as {@link EmbeddingLayerOptions.sparse}. */
  sparse?: boolean;
}

/** Pretrained vectors: a `[count, dim]` tensor, or an object holding one (`vectors`) or making one (`toTensor()`, as WordVectors). */
export type PretrainedVectors = Tensor | { readonly vectors: Tensor } | { toTensor(): Tensor };

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
  /** Whether backward gives `weight` a row-sparse gradient. */
  readonly sparse: boolean;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingLayerOptions = {},
  ) {
    super();
    this.paddingIdx = normalizePaddingIdx('Embedding', options.paddingIdx, numEmbeddings);
    this.sparse = options.sparse ?? false;
    this.weight = parameter(zeros([numEmbeddings, embeddingDim], { dtype: options.dtype ?? 'float32', device: options.device }));
    this.resetParameters();
  }

  /**
   * An embedding whose table is a copy of pretrained vectors (PyTorch's `Embedding.from_pretrained`):
   * frozen by default, so a classifier on top trains while the vectors stay; `freeze: false` fine-tunes them.
   * Accepts a `[count, dim]` floating tensor, an object with a `vectors` tensor, or one with `toTensor()`
   * (a `WordVectors` of `@tessera/models-embeddings`). The padding row keeps its given vector.
   * @example
   * const embed = Embedding.fromPretrained(wordVectors, { freeze: true, paddingIdx: 0 });
   * embed.forward(tensor([[4, 7, 0]], { dtype: 'int32' })).shape; // [1, 3, wordVectors.dim]
   */
  static fromPretrained(pretrained: PretrainedVectors, options: FromPretrainedOptions = {}): Embedding {
    const source = pretrainedTensor(pretrained);
    if (source.ndim !== 2 || !source.dtype.startsWith('float')) {
      throw new ShapeError(`Embedding.fromPretrained: expected a 2-D floating [count, dim] matrix, got ${source.dtype} of shape [${source.shape.join(', ')}]`);
    }
    const [count, dim] = source.shape;
    const dtype = source.dtype === 'float64' ? 'float64' : 'float32';
    const layer = new Embedding(count, dim, { paddingIdx: options.paddingIdx, sparse: options.sparse, dtype, device: source.device });
    noGrad(() => layer.weight.assign(source));
    if (source !== pretrained) source.dispose();
    layer.weight.requiresGrad = !(options.freeze ?? true);
    return layer;
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
    return embedding(input, this.weight, { paddingIdx: this.paddingIdx, sparse: this.sparse });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}${this.sparse ? ', sparse=true' : ''}`;
  }
}

/** The tensor behind pretrained vectors (a new one when made by `toTensor()`, which the caller then disposes). */
function pretrainedTensor(pretrained: PretrainedVectors): Tensor {
  if (isTensor(pretrained)) return pretrained;
  if (pretrained !== null && typeof pretrained === 'object') {
    if ('vectors' in pretrained && isTensor(pretrained.vectors)) return pretrained.vectors;
    if ('toTensor' in pretrained && typeof pretrained.toTensor === 'function') return pretrained.toTensor();
  }
  throw new ValueError('Embedding.fromPretrained: expected a tensor, an object with a `vectors` tensor, or one with toTensor() (e.g. WordVectors)');
}
