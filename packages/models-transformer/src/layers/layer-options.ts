/**
 * What the encoder and decoder layers share: their options, the sub-blocks both build and the input
 * check.
 */
import { Dropout, LayerNorm, Linear, type FactoryOptions } from '@tessera/nn';
import { ValueError, type Tensor } from '@tessera/core';
import { MultiHeadAttention } from '../attention/multi-head-attention';
import { expectFeatures, expectPositiveInteger, expectProbability, expectRank, expectTensor } from '../validation';
import type { TransformerActivation } from './activation';

/** Options of {@link TransformerEncoderLayer} and {@link TransformerDecoderLayer} (PyTorch's in camelCase). */
export interface TransformerLayerOptions extends FactoryOptions {
  /** Hidden size of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward block (default 0.1). */
  dropout?: number;
  /** Feed-forward activation: `'relu'` (default), `'gelu'` or a function. */
  activation?: TransformerActivation;
  /** LayerNorm epsilon (default 1e-5). */
  layerNormEps?: number;
  /** Inputs are `[B, T, dModel]` instead of `[T, B, dModel]` (default false). */
  batchFirst?: boolean;
  /** Pre-norm: normalise before each block, x + f(norm(x)) (default false: post-norm, norm(x + f(x))). */
  normFirst?: boolean;
  /** Biases in the linear layers, attention and LayerNorms (default true; PyTorch 2.1's `bias`). */
  bias?: boolean;
}

/** The options with PyTorch's defaults filled in. */
export interface ResolvedLayerOptions {
  dimFeedforward: number;
  dropout: number;
  layerNormEps: number;
  batchFirst: boolean;
  normFirst: boolean;
  bias: boolean;
}

/** Fill in the defaults and check the sizes; errors name the layer. */
export function resolveLayerOptions(name: string, dModel: number, nhead: number, options: TransformerLayerOptions): ResolvedLayerOptions {
  expectPositiveInteger(name, 'dModel', dModel);
  expectPositiveInteger(name, 'nhead', nhead);
  if (dModel % nhead !== 0) {
    throw new ValueError(`${name}: dModel ${dModel} is not divisible by nhead ${nhead} (each head takes dModel / nhead features); choose nhead among the divisors of ${dModel}`);
  }
  const resolved = {
    dimFeedforward: options.dimFeedforward ?? 2048,
    dropout: options.dropout ?? 0.1,
    layerNormEps: options.layerNormEps ?? 1e-5,
    batchFirst: options.batchFirst ?? false,
    normFirst: options.normFirst ?? false,
    bias: options.bias ?? true,
  };
  expectPositiveInteger(name, 'dimFeedforward', resolved.dimFeedforward);
  expectProbability(name, 'dropout', resolved.dropout);
  return resolved;
}

/** An attention block of a layer. */
export function layerAttention(dModel: number, nhead: number, resolved: ResolvedLayerOptions, factory: FactoryOptions): MultiHeadAttention {
  return new MultiHeadAttention(dModel, nhead, { dropout: resolved.dropout, bias: resolved.bias, batchFirst: resolved.batchFirst, ...factory });
}

/** linear1, dropout, linear2: the feed-forward block's modules. */
export function feedForwardModules(dModel: number, resolved: ResolvedLayerOptions, factory: FactoryOptions): [Linear, Dropout, Linear] {
  return [
    new Linear(dModel, resolved.dimFeedforward, { ...factory, bias: resolved.bias }),
    new Dropout(resolved.dropout),
    new Linear(resolved.dimFeedforward, dModel, { ...factory, bias: resolved.bias }),
  ];
}

/** A LayerNorm of the layer. */
export function layerNorm(dModel: number, resolved: ResolvedLayerOptions, factory: FactoryOptions): LayerNorm {
  return new LayerNorm(dModel, { ...factory, eps: resolved.layerNormEps, bias: resolved.bias });
}

/** Check a sequence input of a layer: `[T, B, dModel]`, `[B, T, dModel]` or unbatched `[T, dModel]`. */
export function expectSequence(where: string, what: string, input: unknown, dModel: number, batchFirst: boolean): asserts input is Tensor {
  expectTensor(where, what, input);
  const layout = batchFirst ? '[batch, length, dModel]' : '[length, batch, dModel]';
  expectRank(where, what, input, [2, 3], `(batched ${layout} or unbatched [length, dModel])`);
  expectFeatures(where, what, input, dModel, 'dModel');
}

/** The one-line description shared by both layers. */
export function layerRepr(dModel: number, nhead: number, resolved: ResolvedLayerOptions): string {
  const extras = [`dModel=${dModel}`, `nhead=${nhead}`, `dimFeedforward=${resolved.dimFeedforward}`, `dropout=${resolved.dropout}`];
  if (resolved.normFirst) extras.push('normFirst=true');
  if (resolved.batchFirst) extras.push('batchFirst=true');
  if (!resolved.bias) extras.push('bias=false');
  return extras.join(', ');
}
