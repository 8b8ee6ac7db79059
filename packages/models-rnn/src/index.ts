/**
 * @tessera/models-rnn — recurrent networks: `RNN`, `LSTM`, `GRU` and their cells with PyTorch's
 * parameter layout, variable-length batches and truncated backpropagation through time.
 *
 * @example
 * import '@tessera/backend-cpu';
 * import { randn } from '@tessera/core';
 * import { LSTM } from '@tessera/models-rnn';
 * const lstm = new LSTM(8, 16, { batchFirst: true });
 * const [output, [hN, cN]] = lstm.forward(randn([4, 10, 8])); // [4, 10, 16], [1, 4, 16], [1, 4, 16]
 */
export { RNNCell, LSTMCell, GRUCell, type RecurrentCellOptions, type RNNCellOptions } from './cells/recurrent-cell';
export { rnnStep, lstmStep, gruStep, type RecurrentStep, type RecurrentWeights, type RNNNonlinearity } from './cells/steps';
export { RecurrentLayer, type RecurrentLayerOptions, type RecurrentForwardOptions } from './layers/recurrent-layer';
export { RNN, LSTM, GRU, type RNNOptions } from './layers/rnn';
export { tbptt, type TbpttOptions, type TbpttWindowInfo, type RecurrentState } from './tbptt';
// Beam search lives in nn's generation module (shared with the transformers); re-exported for RNN decoders.
export { beamSearch, type BeamSearchOptions, type BeamHypothesis, type BeamStepResult } from '@tessera/nn';
