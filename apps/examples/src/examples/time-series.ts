/**
 * Many-to-many over time: next-value prediction on a noisy periodic series with a GRU, trained by
 * truncated backpropagation through time (`tbptt`), against the naive forecast "the next value equals
 * the last one".
 *
 * The series x_t = sin(2πt/25) + 0.5·sin(2πt/7) + 0.1·ε_t is cut into 16 parallel streams (as a
 * char-RNN batches a long text), so each step of the recurrence advances 16 sequences at once; the
 * hidden state is carried from window to window, detached. The last fifth of every stream is held out.
 */
import { manualSeed, noGrad, randn, tensor, tidy, type Tensor } from '@tessera/core';
import { F, Linear } from '@tessera/nn';
import { Adam } from '@tessera/optim';
import { GRU, tbptt } from '@tessera/models-rnn';
import { printer, table, type ExampleOptions } from '../common';

const STREAMS = 16;

/** The series as `[T, STREAMS, 1]`: stream b holds steps b·T … (b+1)·T − 1 of one long series. */
function makeSeries(stepsPerStream: number): Tensor {
  manualSeed(0);
  const total = stepsPerStream * STREAMS;
  return tidy(() => {
    const t = Array.from({ length: total }, (_, i) => i);
    const clean = t.map((i) => Math.sin((2 * Math.PI * i) / 25) + 0.5 * Math.sin((2 * Math.PI * i) / 7));
    const series = tensor(clean).add(randn([total]).mul(0.1));
    return series.reshape([STREAMS, stepsPerStream, 1]).transpose(0, 1).contiguous();
  });
}

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const quick = options.quick ?? false;
  const stepsPerStream = quick ? 250 : 1000;
  const epochs = quick ? 6 : 20;
  const series = makeSeries(stepsPerStream);
  const trainSteps = Math.floor(stepsPerStream * 0.8);
  const train = series.narrow(0, 0, trainSteps);
  const trainInputs = train.narrow(0, 0, trainSteps - 1);

  manualSeed(1);
  const gru = new GRU(1, 32);
  const head = new Linear(32, 1);
  const optimizer = new Adam([...gru.parameters(), ...head.parameters()], { lr: 0.01 });
  print(`GRU(1, 32) + Linear(32, 1), ${STREAMS} streams × ${trainSteps} training steps, tbptt windows of 25, Adam 0.01`);
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    let lossSum = 0;
    let windows = 0;
    const final = tbptt(trainInputs, { window: 25 }, (window, state: Tensor | undefined, { start, length }) => {
      optimizer.zeroGrad();
      const [output, next] = gru.forward(window, state);
      const loss = F.mseLoss(head.forward(output), train.narrow(0, start + 1, length));
      loss.backward();
      optimizer.step();
      lossSum += loss.itemSync();
      windows++;
      return next;
    });
    final?.dispose();
    losses.push(lossSum / windows);
    if (!quick || epoch === epochs - 1) print(`epoch ${epoch + 1}: training MSE ${losses.at(-1)!.toFixed(4)}`);
  }

  // Held out: warm the state up on the training part, then predict each next value of the rest.
  const { model, naive } = await tidy(() =>
    noGrad(() => {
      gru.eval();
      const [, warm] = gru.forward(train);
      const rest = series.narrow(0, trainSteps - 1, stepsPerStream - trainSteps + 1);
      const inputs = rest.narrow(0, 0, rest.shape[0] - 1);
      const targets = rest.narrow(0, 1, rest.shape[0] - 1);
      const [output] = gru.forward(inputs, warm);
      return { model: F.mseLoss(head.forward(output), targets), naive: F.mseLoss(inputs, targets) };
    }),
  );
  const result = { modelMSE: await model.item(), naiveMSE: await naive.item(), trainingLoss: losses };
  print();
  print(table(['forecast of the next value (held out)', 'MSE'], [
    ['naive: the last value', result.naiveMSE],
    ['GRU', result.modelMSE],
  ]));
  print(`The GRU's error is ${(result.naiveMSE / result.modelMSE).toFixed(1)}× smaller than the naive forecast's (the noise alone gives MSE ≈ 0.01).`);
  [model, naive, series, train, trainInputs].forEach((t) => t.dispose());
  gru.dispose();
  head.dispose();
  return result;
}
