/**
 * Training progress: what the trainers report (through an `onProgress` callback) and a small text
 * progress bar that prints it — words per second, the current loss and learning rate.
 */

/** One progress report. */
export interface TrainingProgress {
  /** 1-based epoch. */
  readonly epoch: number;
  readonly epochs: number;
  /** Fraction of the whole run done, 0 … 1. */
  readonly progress: number;
  /** Corpus tokens processed so far (unknown words included, as gensim counts raw words). */
  readonly words: number;
  /** Tokens per second since training started. */
  readonly wordsPerSecond: number;
  /** The learning rate now. */
  readonly alpha: number;
  /** Mean loss per example of the latest batch (Word2Vec, FastText) or per co-occurrence of the latest epoch (GloVe). */
  readonly loss: number;
  readonly elapsedSeconds: number;
}

/** A progress callback. */
export type ProgressCallback = (progress: TrainingProgress) => void;

/**
 * A callback that draws a one-line progress bar (on a terminal: redrawn in place on stderr; elsewhere
 * one line per report through `write`).
 * @example
 * await Word2Vec.train(text, { onProgress: progressBar() });
 * // [##########..........]  50% epoch 3/5  612k words/s  loss 2.314  α 0.01251
 */
export function progressBar(options: { width?: number; write?: (line: string) => void } = {}): ProgressCallback {
  const width = options.width ?? 20;
  const stderr = (globalThis as { process?: { stderr?: { isTTY?: boolean; write(text: string): void } } }).process?.stderr;
  const inPlace = !options.write && stderr?.isTTY === true;
  const write = options.write ?? (inPlace ? (line: string) => stderr!.write(`\r${line}`) : (line: string) => console.log(line));
  return (p) => {
    const filled = Math.round(p.progress * width);
    const line =
      `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * p.progress).toFixed(0).padStart(3)}% ` +
      `epoch ${p.epoch}/${p.epochs}  ${formatRate(p.wordsPerSecond)} words/s  loss ${p.loss.toFixed(3)}  α ${p.alpha.toPrecision(4)}`;
    write(line);
    if (inPlace && p.progress >= 1) stderr!.write('\n');
  };
}

function formatRate(rate: number): string {
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)}M`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(0)}k`;
  return rate.toFixed(0);
}
