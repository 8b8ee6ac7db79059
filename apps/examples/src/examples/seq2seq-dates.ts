/**
 * Many-to-many: a sequence-to-sequence encoder–decoder that translates dates written out in words
 * ("march 14, 1987", "the 14th of march 1987", "14 mar 1987") into ISO dates ("1987-03-14").
 *
 * The encoder GRU reads the characters of the input; its final state starts the decoder GRU, which
 * writes the output one character at a time. Training uses teacher forcing (the decoder is fed the
 * true previous character); decoding feeds back its own output, greedily or with beam search.
 */
import { manualSeed, noGrad, tensor, tidy, type Tensor } from '@tessera/core';
import { Embedding, F, Linear, Module } from '@tessera/nn';
import { Adam } from '@tessera/optim';
import { GRU, beamSearch } from '@tessera/models-rnn';
import { printer, table, type ExampleOptions } from '../common';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const ORDINAL = (day: number) => `${day}${day % 10 === 1 && day !== 11 ? 'st' : day % 10 === 2 && day !== 12 ? 'nd' : day % 10 === 3 && day !== 13 ? 'rd' : 'th'}`;
const FORMATS: ((day: number, month: number, year: number) => string)[] = [
  (d, m, y) => `${MONTHS[m]} ${d}, ${y}`,
  (d, m, y) => `${d} ${MONTHS[m]} ${y}`,
  (d, m, y) => `the ${ORDINAL(d)} of ${MONTHS[m]} ${y}`,
  (d, m, y) => `${d} ${MONTHS[m].slice(0, 3)} ${y}`,
  (d, m, y) => `${MONTHS[m].slice(0, 3)} ${ORDINAL(d)} ${y}`,
];
const INPUT_CHARS = [...new Set(' ,0123456789' + MONTHS.join('') + 'stndrhof')].sort();
const OUTPUT_CHARS = ['<pad>', '<bos>', '<eos>', ...'0123456789-'];
const [BOS, EOS] = [1, 2];

/** `count` random (input, ISO date) pairs from a seeded generator (days 1–28 keep every month valid). */
function makeDates(count: number, seed: number): [string, string][] {
  let s = seed;
  const random = (n: number) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.floor((s / 2147483648) * n);
  };
  return Array.from({ length: count }, () => {
    const [day, month, year] = [1 + random(28), random(12), 1900 + random(200)];
    const iso = `${year}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    return [FORMATS[random(FORMATS.length)](day, month, year), iso];
  });
}

class DateTranslator extends Module {
  sourceEmbedding = new Embedding(INPUT_CHARS.length + 1, 32, { paddingIdx: 0 });
  encoder = new GRU(32, 128, { batchFirst: true });
  targetEmbedding = new Embedding(OUTPUT_CHARS.length, 32);
  decoder = new GRU(32, 128, { batchFirst: true });
  head = new Linear(128, OUTPUT_CHARS.length);

  /** The encoder's final state `[1, B, 128]` for padded source ids `[B, S]`. */
  encode(source: Tensor, lengths: readonly number[]): Tensor {
    return this.encoder.forward(this.sourceEmbedding.forward(source), undefined, { lengths })[1];
  }

  /** Logits `[B, T, V]` for decoder inputs `[B, T]` from a state, and the new state. */
  decode(inputs: Tensor, state: Tensor): [Tensor, Tensor] {
    const [output, next] = this.decoder.forward(this.targetEmbedding.forward(inputs), state);
    return [this.head.forward(output), next];
  }

  /** Teacher-forced logits. */
  forward(source: Tensor, lengths: readonly number[], decoderInputs: Tensor): Tensor {
    return this.decode(decoderInputs, this.encode(source, lengths))[0];
  }
}

/** Padded source ids (0 = padding; characters shifted by one) and lengths. */
function encodeSources(texts: string[]): { ids: Tensor; lengths: number[] } {
  const lists = texts.map((text) => [...text].map((char) => INPUT_CHARS.indexOf(char) + 1));
  const width = Math.max(...lists.map((list) => list.length));
  return { ids: tensor(lists.map((list) => [...list, ...new Array(width - list.length).fill(0)]), { dtype: 'int32' }), lengths: lists.map((list) => list.length) };
}

/** Decoder inputs `<bos> 1987-03-1` and targets `1987-03-14 <eos>` (ISO dates all have 10 characters). */
function encodeTargets(isoDates: string[]): { inputs: Tensor; targets: Tensor } {
  const ids = isoDates.map((date) => [...date].map((char) => OUTPUT_CHARS.indexOf(char)));
  return {
    inputs: tensor(ids.map((list) => [BOS, ...list]), { dtype: 'int32' }),
    targets: tensor(ids.map((list) => [...list, EOS]), { dtype: 'int32' }),
  };
}

const toText = (tokens: number[]) => tokens.map((token) => OUTPUT_CHARS[token]).join('');

/** Greedy decoding of a batch: feed back the most probable character until <eos> (or 12 steps). */
async function greedyDecode(model: DateTranslator, texts: string[]): Promise<string[]> {
  const { ids, lengths } = encodeSources(texts);
  let state = tidy(() => noGrad(() => model.encode(ids, lengths)));
  let last = tensor(texts.map(() => [BOS]), { dtype: 'int32' });
  const outputs: number[][] = texts.map(() => []);
  const done = texts.map(() => false);
  for (let step = 0; step < 12 && done.includes(false); step++) {
    const [next, newState] = tidy(() => noGrad(() => {
      const [logits, hidden] = model.decode(last, state);
      return [logits.select(1, 0).argmax(-1, true), hidden];
    }));
    [last, state].forEach((t) => t.dispose());
    [last, state] = [next, newState];
    const tokens = await next.data();
    tokens.forEach((token, i) => {
      if (done[i]) return;
      if (token === EOS) done[i] = true;
      else outputs[i].push(Number(token));
    });
  }
  [last, state, ids].forEach((t) => t.dispose());
  return outputs.map(toText);
}

/** Beam-search decoding, one input at a time. */
async function beamDecode(model: DateTranslator, text: string, beamWidth: number): Promise<string> {
  const { ids, lengths } = encodeSources([text]);
  const state = tidy(() => noGrad(() => model.encode(ids, lengths)));
  const [best] = await beamSearch(
    (lastTokens, beamState: Tensor) => tidy(() => noGrad(() => {
      const [logits, next] = model.decode(tensor(lastTokens.map((token) => [token]), { dtype: 'int32' }), beamState);
      return { logProbs: logits.select(1, 0).logSoftmax(-1), state: next };
    })),
    state,
    { beamWidth, maxLength: 12, bos: BOS, eos: EOS },
  );
  [state, ids].forEach((t) => t.dispose());
  return toText(best.tokens);
}

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const quick = options.quick ?? false;
  const train = makeDates(quick ? 8000 : 20000, 1);
  const heldOut = makeDates(quick ? 200 : 1000, 2);
  manualSeed(0);
  const model = new DateTranslator();
  const optimizer = new Adam(model.parameters(), { lr: 3e-3 });
  const epochs = quick ? 5 : 8;
  print(`${train.length} training pairs such as "${train[0][0]}" → ${train[0][1]}; encoder GRU(128) → decoder GRU(128), teacher forcing, Adam 3e-3`);
  for (let epoch = 0; epoch < epochs; epoch++) {
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < train.length; start += 64) {
      const batch = train.slice(start, start + 64);
      const source = encodeSources(batch.map(([text]) => text));
      const target = encodeTargets(batch.map(([, iso]) => iso));
      const loss = tidy(() => {
        optimizer.zeroGrad();
        const logits = model.forward(source.ids, source.lengths, target.inputs);
        const value = F.crossEntropy(logits.reshape([-1, OUTPUT_CHARS.length]), target.targets.reshape([-1]));
        value.backward();
        optimizer.step();
        return value;
      });
      lossSum += await loss.item();
      batches++;
      [loss, source.ids, target.inputs, target.targets].forEach((t) => t.dispose());
    }
    print(`epoch ${epoch + 1}: training loss ${(lossSum / batches).toFixed(4)}`);
  }

  model.eval();
  const greedy = await greedyDecode(model, heldOut.map(([text]) => text));
  const beam: string[] = [];
  for (const [text] of heldOut) beam.push(await beamDecode(model, text, 4));
  const exact = (outputs: string[]) => outputs.filter((output, i) => output === heldOut[i][1]).length / heldOut.length;
  // Characters in the right place, a finer measure while training is short (quick mode).
  const characters = (outputs: string[]) => outputs.reduce((sum, output, i) => sum + [...heldOut[i][1]].filter((char, k) => output[k] === char).length, 0) / (10 * heldOut.length);
  const result = { greedyExactMatch: exact(greedy), beamExactMatch: exact(beam), greedyCharacterAccuracy: characters(greedy), beamCharacterAccuracy: characters(beam) };
  print();
  print(table(['input', 'greedy', 'beam (4)', 'expected'], heldOut.slice(0, 6).map(([text, iso], i) => [text, greedy[i], beam[i], iso])));
  print();
  print(table(['decoding', `exact match on ${heldOut.length} held-out dates`, 'characters right'], [
    ['greedy', result.greedyExactMatch, result.greedyCharacterAccuracy],
    ['beam search, width 4', result.beamExactMatch, result.beamCharacterAccuracy],
  ]));
  optimizer.dispose();
  model.dispose();
  return result;
}
