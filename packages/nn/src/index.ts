/**
 * @tessera/nn — layers, activations, losses, initialisation, classic models and the training loop.
 * @example
 * import '@tessera/backend-cpu';
 * import { MLP, CrossEntropyLoss } from '@tessera/nn';
 * const model = new MLP({ sizes: [784, 256, 10] });
 * const loss = new CrossEntropyLoss().forward(model.forward(x), labels);
 */
export { Module, parameter, isParameter, type LoadStateDictOptions, type LoadStateDictResult, type RegisterBufferOptions } from './module';
export type { ForwardPreHook, ForwardHook, FullBackwardHook } from './hooks';

// Layers.
export { Linear, Identity, type LinearOptions } from './layers/linear';
export { Embedding, type EmbeddingLayerOptions, type FromPretrainedOptions, type PretrainedVectors } from './layers/embedding';
export { Dropout } from './layers/dropout';
export { LayerNorm, BatchNorm1d, type LayerNormLayerOptions, type BatchNormLayerOptions } from './layers/normalization';
export { Conv2d, type Conv2dLayerOptions } from './layers/conv';
export { MaxPool2d, AvgPool2d } from './layers/pooling';
export { Flatten } from './layers/flatten';
export { Sequential, ModuleList, ModuleDict } from './layers/container';
export type { FactoryOptions } from './layers/options';

// Activations (modules; the functions are in F).
export {
  Step,
  Sigmoid,
  Tanh,
  ReLU,
  LeakyReLU,
  ELU,
  SELU,
  GELU,
  Softplus,
  Softmax,
  LogSoftmax,
  activationModule,
  type ActivationName,
} from './activations';

// Losses (modules; the functions are in F).
export * from './losses/index';

// The functional interface, as `functional` and as `F`.
export * as functional from './functional/index';
export * as F from './functional/index';
export type { Reduction } from './functional/losses';

// Initialisation and regularisation.
export * as init from './init';
export { l1Penalty, l2Penalty, elasticNetPenalty } from './regularization';

// Classic models.
export { Perceptron, type PerceptronTrainOptions, type PerceptronEpoch, type PerceptronTrainResult } from './models/perceptron';
export { LogisticRegression, type LogisticRegressionOptions, type PerPointOptions } from './models/logistic-regression';
export { MLP, type MLPOptions, type ActivationSpec } from './models/mlp';

export * from './training/index';

// Pruning (torch.nn.utils.prune).
export * as prune from './prune/index';

// Data parallelism across backends on one machine.
export { DataParallel, allReduceGradients, type AllReduceOptions } from './parallel/data-parallel';

// Generation for autoregressive models: sampling, the decoding loop, beam search.
export * from './generation/index';
