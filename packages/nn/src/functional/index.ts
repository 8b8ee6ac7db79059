/**
 * `functional` (also exported as `F`): the camelCase of `torch.nn.functional`, with PyTorch's argument
 * order and options in a final object.
 * @example
 * import { F } from '@tessera/nn';
 * const loss = F.crossEntropy(F.linear(x, w, b), labels, { labelSmoothing: 0.1 });
 */
export { step, sigmoid, tanh, relu, leakyRelu, elu, selu, gelu, softplus, softmax, logSoftmax, SELU_ALPHA, SELU_SCALE } from './activations';
export type { GeluOptions, SoftplusOptions } from './activations';
export { linear, embedding, dropout } from './linear';
export type { EmbeddingOptions } from './linear';
export { layerNorm, batchNorm } from './normalization';
export type { LayerNormOptions, BatchNormOptions } from './normalization';
export { conv2d, maxPool2d, avgPool2d } from './conv';
export type { Conv2dOptions, MaxPool2dOptions, AvgPool2dOptions, Pool2dOptions } from './conv';
export { mseLoss, l1Loss, binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, nllLoss } from './losses';
export type {
  Reduction,
  ReductionOptions,
  BinaryCrossEntropyOptions,
  BinaryCrossEntropyWithLogitsOptions,
  NllLossOptions,
  CrossEntropyOptions,
} from './losses';
export { distillationLoss } from './distillation';
export type { DistillationLossOptions } from './distillation';
export { infoNCE } from './contrastive';
export type { InfoNCEOptions } from './contrastive';
export { oneHot } from './one-hot';
