/**
 * The loop Word2Vec and FastText share: epochs over the encoded corpus in jobs of about `batchWords`
 * tokens (gensim's job size), each job subsampled, turned into examples and applied in one
 * `word2vecStep` (or by the framework path), with the learning rate decaying linearly from `alpha` to
 * `minAlpha` over all the tokens of all epochs, and progress reported along the way.
 */
import { ValueError, word2vecStep, type Tensor } from '@tessera/core';
import { autogradStep, type AutogradModel } from './autograd-step';
import { ExampleBatch, type InputRows, type TargetPlan } from './examples';
import type { ProgressCallback, TrainingProgress } from './progress';
import { TrainingRandom } from './random';
import { keepThresholds } from './subsampling';
import type { EncodedCorpus, Vocabulary } from './vocabulary';

/** Which implementation applies the updates. */
export type TrainingEngine = 'fused' | 'autograd';

/** The settings the loop reads (resolved by the trainer). */
export interface LoopSettings {
  readonly mode: 'skipgram' | 'cbow';
  readonly window: number;
  readonly sample: number;
  readonly epochs: number;
  readonly alpha: number;
  readonly minAlpha: number;
  readonly seed: number;
  readonly threads: number;
  readonly cbowMean: boolean;
  readonly batchWords: number;
  readonly engine: TrainingEngine;
  readonly batchSize: number;
  readonly onProgress?: ProgressCallback;
  /** Seconds between progress reports (default 1). */
  readonly progressInterval: number;
}

/** What the loop trains: the matrices (or the framework model around them) and how examples are made. */
export interface LoopModel {
  readonly input: Tensor;
  readonly output: Tensor;
  readonly autograd: AutogradModel | null;
  readonly plan: TargetPlan;
  readonly rowsOf: InputRows;
  /** Skip-gram direction: the centre's rows predict the context (FastText) or the reverse (Word2Vec). */
  readonly inputIsCenter: boolean;
}

/** Measurements of one training run. */
export interface TrainingStats {
  /** Corpus tokens processed over all epochs (unknown words included). */
  readonly words: number;
  /** Tokens kept after dropping unknown words and subsampling (gensim's "effective words"). */
  readonly effectiveWords: number;
  readonly examples: number;
  readonly seconds: number;
  readonly wordsPerSecond: number;
  /** The mean loss per example at each progress report. */
  readonly losses: readonly number[];
}

/**
 * Run every epoch.
 * @example
 * const stats = await trainingLoop(encoded, vocabulary, model, settings);
 */
export async function trainingLoop(encoded: EncodedCorpus, vocabulary: Vocabulary, model: LoopModel, settings: LoopSettings): Promise<TrainingStats> {
  const { epochs, window, alpha: startAlpha, minAlpha } = settings;
  const rng = new TrainingRandom(settings.seed);
  const keep = keepThresholds(vocabulary.counts, settings.sample);
  const totalWords = encoded.rawWords * epochs;
  if (totalWords === 0) throw new ValueError('training: the corpus has no tokens');
  const batch = new ExampleBatch();
  const sentences = encoded.rawLengths.length;
  let longest = 0;
  for (let s = 0; s < sentences; s++) longest = Math.max(longest, encoded.starts[s + 1] - encoded.starts[s]);
  const kept = new Int32Array(longest);
  const losses: number[] = [];
  const started = performance.now();
  let lastReport = started;
  let done = 0, effectiveWords = 0, examples = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let s = 0;
    while (s < sentences) {
      const alpha = Math.max(minAlpha, startAlpha - ((startAlpha - minAlpha) * done) / totalWords);
      batch.reset();
      let jobWords = 0;
      while (s < sentences && jobWords < settings.batchWords) {
        let length = 0;
        for (let k = encoded.starts[s]; k < encoded.starts[s + 1]; k++) {
          const id = encoded.ids[k];
          if (rng.uint32() < keep[id]) kept[length++] = id;
        }
        effectiveWords += length;
        jobWords += encoded.rawLengths[s];
        const sentence = kept.subarray(0, length);
        if (settings.mode === 'skipgram') batch.addSkipGram(sentence, window, rng, model.plan, model.rowsOf, model.inputIsCenter);
        else batch.addCbow(sentence, window, rng, model.plan, model.rowsOf);
        s++;
      }
      done += jobWords;
      const now = performance.now();
      const report = settings.onProgress !== undefined && (now - lastReport >= 1000 * settings.progressInterval || (s === sentences && epoch === epochs));
      if (batch.examples > 0) {
        examples += batch.examples;
        const loss = await applyBatch(model, batch, alpha, settings, report);
        if (loss !== null) losses.push(loss / batch.examples);
      }
      if (report) {
        lastReport = performance.now();
        const elapsedSeconds = (lastReport - started) / 1000;
        const progress: TrainingProgress = {
          epoch, epochs, progress: done / totalWords, words: done, wordsPerSecond: done / Math.max(elapsedSeconds, 1e-9),
          alpha, loss: losses.length > 0 ? losses[losses.length - 1] : Number.NaN, elapsedSeconds,
        };
        settings.onProgress!(progress);
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { words: done, effectiveWords, examples, seconds, wordsPerSecond: done / Math.max(seconds, 1e-9), losses };
}

/** One job's examples through the chosen engine; the summed loss when asked for. */
async function applyBatch(model: LoopModel, batch: ExampleBatch, alpha: number, settings: LoopSettings, computeLoss: boolean): Promise<number | null> {
  const examples = batch.view();
  if (settings.engine === 'autograd') {
    return autogradStep(model.autograd!, examples, { alpha, meanInputs: settings.cbowMean, batchSize: settings.batchSize, computeLoss });
  }
  const loss = word2vecStep(model.input, model.output, examples, { alpha, meanInputs: settings.cbowMean, threads: settings.threads, computeLoss });
  if (!loss) return null;
  const values = await loss.data();
  loss.dispose();
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}
