/**
 * Training examples for core's `word2vecStep`, built on the host from sentences of word ids (after
 * subsampling): skip-gram makes one example per (centre, context) pair, CBOW one per centre with its
 * window as inputs; each example's targets are the centre word with label 1 plus `negative` noise
 * words with label 0 (negative sampling), and/or the nodes of its Huffman path with label 1 − code
 * (hierarchical softmax). The window is reduced at random per position (word2vec.c's b), so near
 * neighbours count more. Buffers grow as needed and are reused from batch to batch.
 */
import type { Word2VecBatch } from '@tessera/core';
import type { HuffmanCodes } from './huffman';
import type { NegativeSampler } from './negative-sampling';
import type { TrainingRandom } from './random';

/** What an example predicts and against what. */
export interface TargetPlan {
  /** Hierarchical softmax: the Huffman paths (nodes are output rows 0 … V−2), or null. */
  readonly huffman: HuffmanCodes | null;
  /** Noise words per example (0: no negative sampling). */
  readonly negative: number;
  readonly sampler: NegativeSampler | null;
  /** The output row of word 0 for negative sampling (after the Huffman nodes). */
  readonly negativeOffset: number;
}

/** How a word becomes input rows: itself (Word2Vec), or itself and its character n-gram buckets (FastText). */
export type InputRows = ((id: number) => Int32Array) | null;

/**
 * Reusable compressed-row buffers of one batch of examples.
 * @example
 * const batch = new ExampleBatch();
 * batch.addSkipGram(sentence, 5, rng, plan, null, false);
 * word2vecStep(input, output, batch.view(), { alpha });
 */
export class ExampleBatch {
  private inputOffsets = new Int32Array(1024);
  private inputIndex = new Int32Array(1024);
  private targetOffsets = new Int32Array(1024);
  private targetIndex = new Int32Array(4096);
  private targetLabel = new Float32Array(4096);
  /** Examples so far. */
  examples = 0;
  private inputs = 0;
  private targets = 0;

  /** Start a new batch (keeps the buffers). */
  reset(): void {
    this.examples = 0;
    this.inputs = 0;
    this.targets = 0;
  }

  /** The batch as core's `Word2VecBatch` (views of the buffers, valid until the next change). */
  view(): Word2VecBatch {
    return {
      inputOffsets: this.inputOffsets.subarray(0, this.examples + 1),
      inputIndex: this.inputIndex.subarray(0, this.inputs),
      targetOffsets: this.targetOffsets.subarray(0, this.examples + 1),
      targetIndex: this.targetIndex.subarray(0, this.targets),
      targetLabel: this.targetLabel.subarray(0, this.targets),
    };
  }

  /**
   * Skip-gram over one sentence: for each position, one example per word of its reduced window.
   * `inputIsCenter` false (Word2Vec, as word2vec.c and gensim): the context word's row predicts the
   * centre; true (FastText, as fastText): the centre's rows predict the context word.
   */
  addSkipGram(sentence: Int32Array, window: number, rng: TrainingRandom, plan: TargetPlan, rowsOf: InputRows, inputIsCenter: boolean): void {
    const length = sentence.length;
    for (let i = 0; i < length; i++) {
      const reduced = rng.below(window);
      const from = Math.max(0, i - window + reduced);
      const to = Math.min(length, i + window + 1 - reduced);
      for (let j = from; j < to; j++) {
        if (j === i) continue;
        this.ensure(1, 0);
        this.pushInputs(inputIsCenter ? sentence[i] : sentence[j], rowsOf);
        this.pushTargets(inputIsCenter ? sentence[j] : sentence[i], plan, rng);
        this.endExample();
      }
    }
  }

  /** CBOW over one sentence: for each position, one example whose inputs are its reduced window. */
  addCbow(sentence: Int32Array, window: number, rng: TrainingRandom, plan: TargetPlan, rowsOf: InputRows): void {
    const length = sentence.length;
    for (let i = 0; i < length; i++) {
      const reduced = rng.below(window);
      const from = Math.max(0, i - window + reduced);
      const to = Math.min(length, i + window + 1 - reduced);
      if (to - from <= 1) continue; // no context words
      this.ensure(2 * window, 0);
      for (let j = from; j < to; j++) if (j !== i) this.pushInputs(sentence[j], rowsOf);
      this.pushTargets(sentence[i], plan, rng);
      this.endExample();
    }
  }

  private pushInputs(word: number, rowsOf: InputRows): void {
    if (rowsOf === null) {
      this.inputIndex[this.inputs++] = word;
      return;
    }
    const rows = rowsOf(word);
    this.ensureInputs(rows.length);
    this.inputIndex.set(rows, this.inputs);
    this.inputs += rows.length;
  }

  private pushTargets(word: number, plan: TargetPlan, rng: TrainingRandom): void {
    const { huffman, negative, sampler, negativeOffset } = plan;
    this.ensureTargets((huffman ? huffman.offsets[word + 1] - huffman.offsets[word] : 0) + negative + 1);
    let t = this.targets;
    if (huffman) {
      const end = huffman.offsets[word + 1];
      for (let k = huffman.offsets[word]; k < end; k++) {
        this.targetIndex[t] = huffman.points[k];
        this.targetLabel[t++] = 1 - huffman.codes[k];
      }
    }
    if (negative > 0 && sampler) {
      this.targetIndex[t] = negativeOffset + word;
      this.targetLabel[t++] = 1;
      for (let n = 0; n < negative; n++) {
        const noise = sampler.draw(rng);
        if (noise === word) continue; // as word2vec.c and gensim: a draw of the word itself is skipped
        this.targetIndex[t] = negativeOffset + noise;
        this.targetLabel[t++] = 0;
      }
    }
    this.targets = t;
  }

  private endExample(): void {
    this.examples++;
    this.inputOffsets[this.examples] = this.inputs;
    this.targetOffsets[this.examples] = this.targets;
  }

  /** Room for one more example with `inputs` input rows and `targets` targets. */
  private ensure(inputs: number, targets: number): void {
    if (this.examples + 2 > this.inputOffsets.length) {
      this.inputOffsets = grow(this.inputOffsets, this.examples + 2);
      this.targetOffsets = grow(this.targetOffsets, this.examples + 2);
    }
    this.ensureInputs(inputs);
    this.ensureTargets(targets);
  }

  private ensureInputs(count: number): void {
    if (this.inputs + count > this.inputIndex.length) this.inputIndex = grow(this.inputIndex, this.inputs + count);
  }

  private ensureTargets(count: number): void {
    if (this.targets + count > this.targetIndex.length) {
      this.targetIndex = grow(this.targetIndex, this.targets + count);
      this.targetLabel = grow(this.targetLabel, this.targets + count);
    }
  }
}

function grow<T extends Int32Array | Float32Array>(array: T, needed: number): T {
  const larger = new (array.constructor as new (length: number) => T)(Math.max(needed, 2 * array.length));
  larger.set(array);
  return larger;
}
