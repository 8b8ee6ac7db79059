/**
 * The course's comparison of the sequence chapter's two architectures, measured.
 *
 * 1. The same character task: Moby Dick, the same 90/10 split, windows of the same length, the same
 *    batches (one seeded sampler), the same number of steps and the same recipe through nn's `fit`, for
 *    an LSTM language model (Embedding → LSTM → Linear) and a GPT with about as many parameters. Scored by
 *    validation loss and bits per character on the whole validation text, and by training tokens/s. A
 *    second GPT then gets the LSTM's wall-clock time instead of its step count.
 * 2. The long-range copy task (see ../comparisons/copy-task.ts): show k symbols, wait `gap` filler tokens,
 *    ask for the symbols back. One model of each kind per gap, the same step budget, stopped early once
 *    solved; accuracy per gap.
 *
 * The course says recurrent networks struggle with long-range dependencies and attention removes the
 * struggle. This example reports what the runs show.
 */
import { manualSeed } from '@tessera/core';
import { RandomWindowSampler } from '@tessera/data';
import { GPT } from '@tessera/models-transformer';
import { printer, table, type ExampleOptions } from '../common';
import { textBitsPerCharacter, type TextScore } from '../comparisons/bits-per-character';
import { copyTaskLayout, type CopyTaskOptions } from '../comparisons/copy-task';
import { trainCopyTask, type CopyRun } from '../comparisons/copy-task-run';
import { LSTMLanguageModel } from '../comparisons/lstm-language-model';
import { splitText } from '../comparisons/text-split';
import { languageModelSteps, trainLanguageModel, type TrainableLanguageModel, type TrainingRun } from '../comparisons/train-language-model';
import { DEFAULTS, SIZES } from '../gpt/presets';
import { loadText } from '../gpt/text';
import { charTokenizer } from '../gpt/tokenizer';

/** One model's result on the character task. */
export interface CharacterTaskResult {
  parameters: number;
  firstLoss: number;
  lastLoss: number;
  /** `[step, validation loss]` on random validation windows (nats per character). */
  valLoss: [number, number][];
  /** The whole validation text, read in consecutive windows. */
  validation: TextScore;
  tokensPerSec: number;
  seconds: number;
}

/** Both models at one gap of the copy task. */
export interface CopyGapResult {
  gap: number;
  gpt: CopyRun;
  lstm: CopyRun;
}

const parameterCount = (model: { numParameters(): number }) => model.numParameters();

function configuration(quick: boolean) {
  const steps = languageModelSteps(250);
  return quick
    ? {
        characters: 150_000,
        validationCharacters: 3_000,
        gpt: SIZES.tiny,
        lstmEmbedding: 32,
        steps: 40,
        evalInterval: 20,
        evalBatches: 4,
        copy: { alphabet: 8, k: 2, gaps: [2, 8], steps: 300, batchSize: 32, lr: 3e-3, gpt: { nLayer: 2, nHead: 4, nEmbd: 32 }, lstmEmbedding: 32 },
      }
    : {
        characters: Infinity,
        validationCharacters: Infinity,
        gpt: SIZES.small,
        lstmEmbedding: 128,
        steps,
        evalInterval: Math.max(1, Math.floor(steps / 2)),
        evalBatches: 20,
        copy: { alphabet: 8, k: 2, gaps: [10, 50, 100], steps: 600, batchSize: 32, lr: 3e-3, gpt: { nLayer: 2, nHead: 4, nEmbd: 64 }, lstmEmbedding: 64 },
      };
}

/** Trains one model on the character task and scores it. */
async function characterTask(
  model: TrainableLanguageModel,
  name: string,
  data: { train: Int32Array; val: Int32Array; validationText: string; tokenizer: ReturnType<typeof charTokenizer> },
  config: ReturnType<typeof configuration>,
  print: (line?: string) => void,
): Promise<CharacterTaskResult> {
  const { blockSize, batchSize } = config.gpt;
  // The same seeds for both models: they see the same training windows in the same order.
  const run: TrainingRun = await trainLanguageModel(model, {
    train: new RandomWindowSampler(data.train, { blockSize, batchSize, seed: DEFAULTS.seed }),
    val: new RandomWindowSampler(data.val, { blockSize, batchSize, seed: DEFAULTS.seed + 1 }),
    steps: config.steps,
    tokensPerStep: blockSize * batchSize,
    evalInterval: config.evalInterval,
    evalBatches: config.evalBatches,
    onStep: (step, logs) => {
      if (step % Math.max(1, Math.floor(config.steps / 5)) === 0 || logs.val_loss !== undefined) {
        print(`  ${name} step ${step}: loss ${logs.loss.toFixed(4)}${logs.val_loss === undefined ? '' : `, val_loss ${logs.val_loss.toFixed(4)}`}`);
      }
    },
  });
  const validation = await textBitsPerCharacter(model, data.tokenizer, data.validationText, { blockSize, batchSize: 64 });
  return { parameters: parameterCount(model), firstLoss: run.firstLoss, lastLoss: run.lastLoss, valLoss: run.valLoss, validation, tokensPerSec: run.tokensPerSec, seconds: run.seconds };
}

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const quick = options.quick ?? false;
  const config = configuration(quick);

  // Part 1: the character task.
  const text = loadText(null).slice(0, config.characters);
  const split = splitText(text, 0.9);
  const validationText = split.validation.slice(0, config.validationCharacters);
  const tokenizer = charTokenizer(text); // nanoGPT's vocabulary: every character of the text (on all of Moby Dick, the training part alone has the same 83)
  const data = { train: Int32Array.from(tokenizer.encode(split.train)), val: Int32Array.from(tokenizer.encode(split.validation)), validationText, tokenizer };
  const { nLayer, nHead, nEmbd, blockSize, batchSize } = config.gpt;
  manualSeed(DEFAULTS.seed);
  const gpt = new GPT({ vocabSize: tokenizer.vocabSize, blockSize, nLayer, nHead, nEmbd, dropout: 0, bias: false });
  const hiddenSize = LSTMLanguageModel.hiddenSizeFor(parameterCount(gpt), { vocabSize: tokenizer.vocabSize, embeddingSize: config.lstmEmbedding });
  manualSeed(DEFAULTS.seed);
  const lstm = new LSTMLanguageModel({ vocabSize: tokenizer.vocabSize, embeddingSize: config.lstmEmbedding, hiddenSize });
  print(`Moby Dick, ${split.train.length.toLocaleString('en')} training / ${split.validation.length.toLocaleString('en')} validation characters (${tokenizer.vocabSize} distinct)`);
  print(`GPT: ${nLayer} layers, ${nHead} heads, ${nEmbd} dims (${parameterCount(gpt).toLocaleString('en')} parameters); LSTM: Embedding ${config.lstmEmbedding} → LSTM ${hiddenSize} → Linear (${parameterCount(lstm).toLocaleString('en')} parameters)`);
  print(`both: ${config.steps} steps of ${batchSize} × ${blockSize} characters, AdamW lr ${DEFAULTS.lr} → ${DEFAULTS.minLr}, weight decay ${DEFAULTS.weightDecay} on matrices, clip ${DEFAULTS.gradClip}`);
  const gptResult = await characterTask(gpt, 'GPT', data, config, print);
  const lstmResult = await characterTask(lstm, 'LSTM', data, config, print);
  gpt.dispose();
  lstm.dispose();
  // The same wall-clock budget: a fresh GPT gets as many steps as fit in the LSTM's time (its schedule spans them).
  const equalTimeSteps = Math.max(config.steps, Math.round((config.steps * lstmResult.seconds) / gptResult.seconds));
  print(`GPT again with the LSTM's wall-clock time: ${equalTimeSteps} steps`);
  manualSeed(DEFAULTS.seed);
  const gptAgain = new GPT({ vocabSize: tokenizer.vocabSize, blockSize, nLayer, nHead, nEmbd, dropout: 0, bias: false });
  const gptEqualTime = await characterTask(gptAgain, 'GPT', data, { ...config, steps: equalTimeSteps }, print);
  gptAgain.dispose();
  print();
  print(`Validation text: ${gptResult.validation.characters.toLocaleString('en')} characters, read in consecutive ${blockSize}-character windows.`);
  const row = (name: string, r: CharacterTaskResult) => [name, r.parameters, r.valLoss.at(-1)?.[1] ?? Number.NaN, r.validation.natsPerToken, r.validation.bitsPerCharacter, Math.round(r.tokensPerSec), r.seconds.toFixed(1)];
  print(
    table(
      ['model', 'parameters', 'val loss (windows)', 'val nats/char (text)', 'bits/char', 'train tokens/s', 'seconds'],
      [row(`GPT, ${config.steps} steps`, gptResult), row(`LSTM, ${config.steps} steps`, lstmResult), row(`GPT, ${equalTimeSteps} steps (LSTM's time)`, gptEqualTime)],
    ),
  );

  // Part 2: the long-range copy task.
  print();
  const { alphabet, k, gaps, steps, batchSize: copyBatchSize, lr } = config.copy;
  print(`Copy task: [marker] ${k} symbols of ${alphabet} [filler × gap] [marker] → the ${k} symbols; at most ${steps} steps of ${copyBatchSize} sequences, lr ${lr}; chance = ${(1 / alphabet).toFixed(3)} per symbol`);
  const copy: CopyGapResult[] = [];
  for (const gap of gaps) {
    const task: CopyTaskOptions = { alphabet, k, gap };
    const layout = copyTaskLayout(task);
    manualSeed(DEFAULTS.seed);
    const copyGPT = new GPT({ vocabSize: layout.vocabSize, blockSize: layout.inputLength, ...config.copy.gpt, dropout: 0, bias: false });
    const copyHidden = LSTMLanguageModel.hiddenSizeFor(parameterCount(copyGPT), { vocabSize: layout.vocabSize, embeddingSize: config.copy.lstmEmbedding });
    manualSeed(DEFAULTS.seed);
    const copyLSTM = new LSTMLanguageModel({ vocabSize: layout.vocabSize, embeddingSize: config.copy.lstmEmbedding, hiddenSize: copyHidden });
    const runOptions = { steps, batchSize: copyBatchSize, lr, seed: gap };
    const gptRun = await trainCopyTask(copyGPT, task, runOptions);
    print(`  gap ${gap}: GPT (${parameterCount(copyGPT).toLocaleString('en')} parameters) accuracy ${gptRun.accuracy.toFixed(3)} after ${gptRun.steps} steps (${gptRun.seconds.toFixed(0)} s)`);
    const lstmRun = await trainCopyTask(copyLSTM, task, runOptions);
    print(`  gap ${gap}: LSTM (hidden ${copyHidden}, ${parameterCount(copyLSTM).toLocaleString('en')} parameters) accuracy ${lstmRun.accuracy.toFixed(3)} after ${lstmRun.steps} steps (${lstmRun.seconds.toFixed(0)} s)`);
    copy.push({ gap, gpt: gptRun, lstm: lstmRun });
    copyGPT.dispose();
    copyLSTM.dispose();
  }
  const solved = (run: CopyRun) => (run.solvedAtStep === null ? `not within ${steps}` : String(run.solvedAtStep));
  print();
  print(
    table(
      ['gap', 'GPT accuracy', 'GPT exact', 'GPT solved at step', 'LSTM accuracy', 'LSTM exact', 'LSTM solved at step'],
      copy.map(({ gap, gpt: g, lstm: l }) => [gap, g.accuracy, g.exactMatch, solved(g), l.accuracy, l.exactMatch, solved(l)]),
    ),
  );
  return { characterTask: { vocabSize: tokenizer.vocabSize, steps: config.steps, tokensPerStep: blockSize * batchSize, gpt: gptResult, lstm: lstmResult, gptEqualTime: { steps: equalTimeSteps, ...gptEqualTime } }, copy: { alphabet, k, budget: steps, gaps: copy } };
}
