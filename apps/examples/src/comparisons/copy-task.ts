/**
 * The long-range copy task: can a model bring back symbols it saw many tokens ago?
 *
 * One sequence — the "copying memory" problem of the recurrent-network literature:
 *
 *     [marker] [k symbols] [filler × gap] [marker] [the k symbols again]
 *
 * The model reads it left to right and is scored on the last k positions only: after the second marker
 * it must reproduce the symbols in order, though `gap` filler tokens separate them from where they were
 * shown. The symbols are drawn independently and uniformly, so a model that remembers nothing scores
 * 1 / alphabet (and a cross-entropy of ln alphabet) per answer. Attention can look the answer up at a
 * fixed distance; a recurrent network must carry all k symbols in its state across the gap.
 */
import { tensor, ValueError, type Tensor } from '@tessera/core';
import { SeededRandom } from '@tessera/data';

/** The shape of a copy task. */
export interface CopyTaskOptions {
  /** Distinct symbols to choose from (token ids 0 … alphabet − 1). */
  alphabet: number;
  /** Symbols to remember per sequence. */
  k: number;
  /** Filler tokens between the symbols and the recall marker; a sequence is `gap + 2k + 2` tokens. */
  gap: number;
}

/** Token ids and lengths of a copy task. */
export interface CopyTaskLayout {
  filler: number;
  marker: number;
  vocabSize: number;
  /** Tokens a model reads (inputs) per sequence: its context must hold this many. */
  inputLength: number;
}

/**
 * The vocabulary and lengths of a copy task: symbols first, then the filler and the marker.
 * @example
 * copyTaskLayout({ alphabet: 8, k: 8, gap: 100 }); // { filler: 8, marker: 9, vocabSize: 10, inputLength: 117 }
 */
export function copyTaskLayout(options: CopyTaskOptions): CopyTaskLayout {
  const { alphabet, k, gap } = options;
  if (!Number.isInteger(alphabet) || alphabet < 2) throw new ValueError(`copyTaskLayout: alphabet must be an integer ≥ 2, got ${alphabet}`);
  if (!Number.isInteger(k) || k < 1) throw new ValueError(`copyTaskLayout: k must be a positive integer, got ${k}`);
  if (!Number.isInteger(gap) || gap < 0) throw new ValueError(`copyTaskLayout: gap must be a non-negative integer, got ${gap}`);
  return { filler: alphabet, marker: alphabet + 1, vocabSize: alphabet + 2, inputLength: gap + 2 * k + 1 };
}

/**
 * One copy sequence (`gap + 2k + 2` tokens); `rng` draws the symbols.
 * @example
 * copySequence({ alphabet: 4, k: 2, gap: 3 }, new SeededRandom(0)); // e.g. [5, 2, 0, 4, 4, 4, 5, 2, 0]
 */
export function copySequence(options: CopyTaskOptions, rng: SeededRandom): number[] {
  const { filler, marker } = copyTaskLayout(options);
  const symbols = Array.from({ length: options.k }, () => rng.nextInt(options.alphabet));
  return [marker, ...symbols, ...new Array<number>(options.gap).fill(filler), marker, ...symbols];
}

/**
 * A batch of copy sequences as next-token pairs: inputs `x` = the sequences without their last token,
 * targets `y` = the next token at the last k positions (the answers) and −1 (ignored) everywhere else.
 * @example
 * const [x, y] = copyBatch({ alphabet: 8, k: 8, gap: 100 }, 32, new SeededRandom(1)); // int32 [32, 117] each
 */
export function copyBatch(options: CopyTaskOptions, batchSize: number, rng: SeededRandom): [Tensor, Tensor] {
  const inputs: number[][] = [];
  const targets: number[][] = [];
  for (let b = 0; b < batchSize; b++) {
    const sequence = copySequence(options, rng);
    const length = sequence.length - 1;
    inputs.push(sequence.slice(0, length));
    targets.push(sequence.slice(1).map((token, t) => (t >= length - options.k ? token : -1)));
  }
  return [tensor(inputs, { dtype: 'int32' }), tensor(targets, { dtype: 'int32' })];
}

/** What {@link copyAccuracy} counts. */
export interface CopyScore {
  /** Answer positions (targets ≠ −1) whose argmax is the target. */
  correct: number;
  /** Answer positions in all. */
  total: number;
  /** Sequences (rows) with every answer right. */
  exact: number;
  sequences: number;
}

/**
 * Scores next-token predictions on a copy batch: the argmax of `logits` `[B, T, V]` against `targets`
 * `[B, T]`, positions with target −1 left out. Teacher-forced, so an all-correct row is also what greedy
 * decoding would write.
 * @example
 * await copyAccuracy(logits, y); // { correct: 118, total: 128, exact: 27, sequences: 32 }
 */
export async function copyAccuracy(logits: Tensor, targets: Tensor): Promise<CopyScore> {
  const [batch, time] = targets.shape;
  if (logits.ndim !== 3 || logits.shape[0] !== batch || logits.shape[1] !== time) {
    throw new ValueError(`copyAccuracy: logits must be [${batch}, ${time}, V] to match targets [${batch}, ${time}], got [${logits.shape.join(', ')}]`);
  }
  const predicted = logits.argmax(-1);
  const [guesses, wanted] = [await predicted.data(), await targets.data()];
  predicted.dispose();
  let correct = 0;
  let total = 0;
  let exact = 0;
  for (let b = 0; b < batch; b++) {
    let allRight = true;
    for (let t = 0; t < time; t++) {
      const target = wanted[b * time + t];
      if (target === -1) continue;
      total++;
      if (guesses[b * time + t] === target) correct++;
      else allRight = false;
    }
    if (allRight) exact++;
  }
  return { correct, total, exact, sequences: batch };
}
