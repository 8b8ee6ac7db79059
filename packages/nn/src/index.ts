/**
 * @tessera/nn — layers, activations, losses, initialisation, classic models and the training loop.
 */
// (the layer/loss/model exports go above this line)
export * from './training/index';
