/**
 * The course's comparisons (rnn-vs-transformer, tokenizer-effect): their measuring pieces against
 * hand-computed cases and float64 references, then each example in quick mode.
 */
import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { manualSeed, noGrad, tensor, tidy, zeros } from '@tessera/core';
import { SeededRandom } from '@tessera/data';
import { GPT } from '@tessera/models-transformer';
import { EXAMPLES } from '../src/examples/index';
import { bitsPerCharacter, sequenceNats, textBitsPerCharacter } from '../src/comparisons/bits-per-character';
import { copyAccuracy, copyBatch, copySequence, copyTaskLayout } from '../src/comparisons/copy-task';
import { LSTMLanguageModel, type LanguageModel } from '../src/comparisons/lstm-language-model';
import { splitText } from '../src/comparisons/text-split';
import { countWords, gpt2Tokenizer, tokensPerWord } from '../src/comparisons/tokens-per-word';
import { languageModelSteps } from '../src/comparisons/train-language-model';
import { bpeTokenizer, charTokenizer } from '../src/gpt/tokenizer';
import { loadText } from '../src/gpt/text';

const quiet = { quick: true, print: () => {} };

async function run<T>(name: string): Promise<T> {
  const module = await EXAMPLES[name].load();
  return (await module.main(quiet)) as T;
}

/** Σ −log p(next token) over consecutive windows, one window at a time, log-softmax in float64 (the reference). */
async function referenceNats(model: LanguageModel, ids: number[], blockSize: number): Promise<number> {
  model.eval();
  let total = 0;
  for (let start = 0; start < ids.length - 1; start += blockSize) {
    const length = Math.min(blockSize, ids.length - 1 - start);
    const logits = tidy(() => noGrad(() => model.forward(tensor([ids.slice(start, start + length)], { dtype: 'int32' })).logits));
    const values = await logits.data();
    const vocab = logits.shape[2];
    logits.dispose();
    for (let t = 0; t < length; t++) {
      const row = Array.from(values.subarray(t * vocab, (t + 1) * vocab), Number);
      const max = Math.max(...row);
      const logSum = max + Math.log(row.reduce((sum, v) => sum + Math.exp(v - max), 0));
      total += logSum - row[ids[start + t + 1]];
    }
  }
  return total;
}

describe('bits per character', () => {
  it('is nats / ln 2 / characters: the course’s cross-entropy example over 4 tokens that spell 6 characters', () => {
    // −ln 0.6 − ln 0.2 − ln 0.1 − ln 0.7 ≈ 4.8 nats (the course's worked cross-entropy).
    const nats = -Math.log(0.6) - Math.log(0.2) - Math.log(0.1) - Math.log(0.7);
    expect(nats).toBeCloseTo(4.8, 1);
    expect(bitsPerCharacter(nats, 6)).toBeCloseTo((Math.log2(1 / 0.6) + Math.log2(1 / 0.2) + Math.log2(1 / 0.1) + Math.log2(1 / 0.7)) / 6, 12);
    expect(() => bitsPerCharacter(1, 0)).toThrow(/characters must be positive/);
  });

  it('a model that knows nothing (all logits 0) costs log2 V bits per token: (tokens − 1) · log2 V / characters, char and BPE alike', async () => {
    const text = '\nCall me Ishmael. Some years ago—never mind how long precisely—having little or no money in my purse.';
    const tokenizers = [charTokenizer(text), bpeTokenizer(loadText(null).slice(0, 20_000), 300)];
    for (const tokenizer of tokenizers) {
      manualSeed(0);
      const gpt = new GPT({ vocabSize: tokenizer.vocabSize, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 8 });
      // lm_head is tied to wte: a zero embedding table makes every logit exactly 0 (the uniform distribution).
      const zero = zeros([tokenizer.vocabSize, 8]);
      gpt.loadStateDict({ 'transformer.wte.weight': zero }, { strict: false });
      zero.dispose();
      const ids = tokenizer.encode(text);
      const score = await textBitsPerCharacter(gpt, tokenizer, text, { blockSize: 16, batchSize: 3 });
      expect(score.tokens).toBe(ids.length - 1);
      expect(score.characters).toBe([...text].length - 1); // the first token is the newline
      expect(score.bitsPerCharacter).toBeCloseTo(((ids.length - 1) * Math.log2(tokenizer.vocabSize)) / ([...text].length - 1), 5);
      gpt.dispose();
    }
  });

  it('reads every token once in consecutive windows, batched or not: GPT and LSTM against a float64 window-by-window reference', async () => {
    const ids = Array.from({ length: 45 }, (_, i) => (i * 7 + (i % 5)) % 11); // 44 predictions: windows 8 × 5 + 4
    manualSeed(3);
    const models: LanguageModel[] = [new GPT({ vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 }), new LSTMLanguageModel({ vocabSize: 11, embeddingSize: 6, hiddenSize: 10 })];
    for (const model of models) {
      const expected = await referenceNats(model, ids, 8);
      for (const batchSize of [1, 2, 32]) {
        const { nats, predicted } = await sequenceNats(model, ids, { blockSize: 8, batchSize });
        expect(predicted).toBe(44);
        expect(nats).toBeCloseTo(expected, 3);
      }
      model.dispose();
    }
  });

  it('refuses a text whose first token does not decode on its own (it would count characters it never scores)', async () => {
    const tokenizer = bpeTokenizer(loadText(null).slice(0, 20_000), 300);
    manualSeed(0);
    const gpt = new GPT({ vocabSize: tokenizer.vocabSize, blockSize: 8, nLayer: 1, nHead: 1, nEmbd: 8 });
    // '€' (E2 82 AC) never occurs in Moby Dick, so byte-level BPE trained on it splits the character across tokens.
    expect(tokenizer.decode(tokenizer.encode('€x').slice(0, 1))).not.toBe('€');
    await expect(textBitsPerCharacter(gpt, tokenizer, '€x', { blockSize: 8 })).rejects.toThrow(/round-trip/);
    gpt.dispose();
  });
});

describe('text split', () => {
  it('cuts at a line start at or after the fraction, so the validation part opens with one newline', () => {
    expect(splitText('one\ntwo\nthree\nfour', 0.4)).toEqual({ train: 'one\ntwo', validation: '\nthree\nfour' });
    const book = loadText(null);
    const { train, validation } = splitText(book, 0.9);
    expect(train + validation).toBe(book);
    expect(train.length).toBeGreaterThanOrEqual(Math.floor(book.length * 0.9));
    expect(validation[0]).toBe('\n');
    expect(validation[1]).toMatch(/\S/);
  });
});

describe('copy task', () => {
  it('lays out [marker] symbols [filler × gap] [marker] symbols, and scores only the answers', () => {
    const task = { alphabet: 5, k: 3, gap: 4 };
    const layout = copyTaskLayout(task);
    expect(layout).toEqual({ filler: 5, marker: 6, vocabSize: 7, inputLength: 11 });
    const sequence = copySequence(task, new SeededRandom(7));
    expect(sequence).toHaveLength(12);
    const symbols = sequence.slice(1, 4);
    expect(sequence).toEqual([6, ...symbols, 5, 5, 5, 5, 6, ...symbols]);
    expect(symbols.every((s) => s >= 0 && s < 5)).toBe(true);

    const [x, y] = copyBatch(task, 4, new SeededRandom(7));
    expect(x.shape).toEqual([4, 11]);
    const [inputs, targets] = [x.arraySync() as number[][], y.arraySync() as number[][]];
    for (let b = 0; b < 4; b++) {
      expect(targets[b].slice(0, 8)).toEqual(new Array(8).fill(-1));
      expect(targets[b].slice(8)).toEqual(inputs[b].slice(1, 4)); // the answers are the shown symbols
      expect(inputs[b][8]).toBe(6); // the recall marker is the input that asks for the first answer
    }
    x.dispose();
    y.dispose();
  });

  it('accuracy counts argmax hits at answer positions only, exact match per row', async () => {
    // Two sequences, 3 positions, vocabulary 4; position 0 is ignored (−1).
    const logits = tensor([
      [[9, 0, 0, 0], [0, 5, 0, 0], [0, 0, 0, 5]], // answers 1 (right), 3 (right)
      [[0, 0, 0, 9], [0, 0, 5, 0], [5, 0, 0, 0]], // answers 1 (wrong: 2), 0 (right)
    ]);
    const targets = tensor([[-1, 1, 3], [-1, 1, 0]], { dtype: 'int32' });
    expect(await copyAccuracy(logits, targets)).toEqual({ correct: 3, total: 4, exact: 1, sequences: 2 });
    const short = logits.narrow(1, 0, 2);
    await expect(copyAccuracy(short, targets)).rejects.toThrow(/logits must be \[2, 3, V\]/);
    [short, logits].forEach((t) => t.dispose());
    targets.dispose();
  });
});

describe('LSTM language model', () => {
  it('counts its parameters as built, and sizes its hidden layer to a budget', () => {
    const options = { vocabSize: 11, embeddingSize: 6, hiddenSize: 10 };
    const lstm = new LSTMLanguageModel(options);
    expect(lstm.numParameters()).toBe(LSTMLanguageModel.parameterCount(options));
    expect(LSTMLanguageModel.parameterCount(options)).toBe(11 * 6 + 4 * 10 * (6 + 10) + 8 * 10 + 10 * 11 + 11);
    const hidden = LSTMLanguageModel.hiddenSizeFor(806_400, { vocabSize: 83, embeddingSize: 128 });
    for (const other of [hidden - 8, hidden + 8]) {
      const gap = (h: number) => Math.abs(LSTMLanguageModel.parameterCount({ vocabSize: 83, embeddingSize: 128, hiddenSize: h }) - 806_400);
      expect(gap(hidden)).toBeLessThanOrEqual(gap(other));
    }
    lstm.dispose();
  });
});

describe('full-run budget', () => {
  it('TESSERA_STEPS replaces the default number of language-model steps; nonsense is refused', () => {
    expect(languageModelSteps(250, {})).toBe(250);
    expect(languageModelSteps(250, { TESSERA_STEPS: '750' })).toBe(750);
    expect(() => languageModelSteps(250, { TESSERA_STEPS: '7.5' })).toThrow(/TESSERA_STEPS must be a positive integer/);
    expect(() => languageModelSteps(250, { TESSERA_STEPS: '0' })).toThrow(/positive integer/);
  });
});

describe('tokens per word (GPT-2)', () => {
  it('counts whitespace-separated words', () => {
    expect(countWords('  Call me\nIshmael. ')).toBe(3);
    expect(countWords('')).toBe(0);
  });

  it('on Moby Dick: between one token per word and one per byte, round-trips, and lands in English’s 1–2 band', () => {
    const gpt2 = gpt2Tokenizer();
    expect(gpt2.encode('Hello world')).toEqual([15496, 995]);
    const text = loadText(null).slice(0, 50_000);
    const measured = tokensPerWord(gpt2, text);
    expect(gpt2.decode(gpt2.encode(text))).toBe(text);
    // A GPT-2 pre-token never holds characters of two words, so every word starts at least one token; no token is under a byte.
    expect(measured.tokens).toBeGreaterThanOrEqual(measured.words);
    expect(measured.tokens).toBeLessThanOrEqual(measured.bytes);
    expect(measured.tokensPerWord).toBeGreaterThan(1);
    expect(measured.tokensPerWord).toBeLessThan(2);
    expect(measured.tokensPerThreeWords).toBeCloseTo((3 * measured.tokens) / measured.words, 12);
  });
});

interface CharacterTaskResult {
  parameters: number;
  firstLoss: number;
  lastLoss: number;
  valLoss: [number, number][];
  validation: { nats: number; tokens: number; characters: number; natsPerToken: number; bitsPerCharacter: number };
  tokensPerSec: number;
}
interface CopyRun { steps: number; solvedAtStep: number | null; accuracy: number; exactMatch: number; test: { correct: number; total: number; exact: number; sequences: number } }

describe('rnn-vs-transformer (quick mode)', () => {
  it('both models learn characters on the same budget and beat the uniform guess; the GPT solves the short copy gaps', async () => {
    const result = await run<{
      characterTask: { vocabSize: number; steps: number; gpt: CharacterTaskResult; lstm: CharacterTaskResult; gptEqualTime: CharacterTaskResult & { steps: number } };
      copy: { alphabet: number; k: number; budget: number; gaps: { gap: number; gpt: CopyRun; lstm: CopyRun }[] };
    }>('rnn-vs-transformer');
    const { vocabSize, gpt, lstm, gptEqualTime } = result.characterTask;
    expect(Math.abs(gpt.parameters - lstm.parameters) / gpt.parameters).toBeLessThan(0.1);
    expect(gptEqualTime.steps).toBeGreaterThanOrEqual(result.characterTask.steps);
    for (const model of [gpt, lstm, gptEqualTime]) {
      expect(model.lastLoss).toBeLessThan(model.firstLoss);
      expect(model.valLoss.at(-1)![1]).toBeLessThan(model.valLoss[0][1]);
      const { validation } = model;
      // Characters are tokens here: bits/char is nats/token in bits.
      expect(validation.tokens).toBe(validation.characters);
      expect(validation.bitsPerCharacter).toBeCloseTo(validation.natsPerToken / Math.LN2, 10);
      expect(validation.bitsPerCharacter).toBeLessThan(Math.log2(vocabSize));
      expect(model.tokensPerSec).toBeGreaterThan(0);
    }
    expect(gpt.validation.characters).toBe(lstm.validation.characters);
    for (const { gpt: g, lstm: l } of result.copy.gaps) {
      for (const r of [g, l]) {
        expect(r.accuracy).toBe(r.test.correct / r.test.total);
        expect(r.test.total).toBe(r.test.sequences * result.copy.k);
        expect(r.exactMatch).toBeLessThanOrEqual(r.accuracy); // an exact row is k correct answers
        expect(r.steps).toBeLessThanOrEqual(result.copy.budget);
        if (r.solvedAtStep !== null) expect(r.steps).toBe(r.solvedAtStep);
      }
      expect(g.accuracy).toBeGreaterThan(0.99);
    }
  });
});

describe('tokenizer-effect (quick mode)', () => {
  it('char, BPE 512 and BPE 2048 learn on the same budget and are scored on the same characters; bigger vocabularies pack more characters per token', async () => {
    const result = await run<{
      validationCharacters: number;
      runs: { tokenizer: string; vocabSize: number; charactersPerToken: number; firstLoss: number; lastLoss: number; validation: CharacterTaskResult['validation'] }[];
      gpt2: { asPrinted: { tokens: number; words: number; bytes: number; tokensPerWord: number }; joinedLines: { tokens: number; words: number; tokensPerWord: number } };
    }>('tokenizer-effect');
    const [char, bpe512, bpe2048] = result.runs;
    expect(result.runs.map((r) => r.vocabSize)).toEqual([char.vocabSize, 512, 2048]);
    expect(char.charactersPerToken).toBe(1);
    expect(bpe512.charactersPerToken).toBeGreaterThan(1.5);
    expect(bpe2048.charactersPerToken).toBeGreaterThan(bpe512.charactersPerToken);
    for (const r of result.runs) {
      expect(r.lastLoss).toBeLessThan(r.firstLoss);
      expect(r.validation.characters).toBe(result.validationCharacters - 1); // everything after the opening newline
      expect(r.validation.bitsPerCharacter).toBeCloseTo(r.validation.nats / Math.LN2 / r.validation.characters, 10);
      expect(r.validation.bitsPerCharacter).toBeLessThan((r.validation.tokens * Math.log2(r.vocabSize)) / r.validation.characters); // beats knowing nothing
    }
    const { asPrinted, joinedLines } = result.gpt2;
    expect(asPrinted.words).toBe(joinedLines.words);
    expect(asPrinted.tokens).toBeGreaterThanOrEqual(asPrinted.words);
    expect(asPrinted.tokens).toBeLessThanOrEqual(asPrinted.bytes);
    expect(joinedLines.tokens).toBeLessThan(asPrinted.tokens); // the hard-wrapped lines' breaks cost tokens of their own
    expect(asPrinted.tokensPerWord).toBeGreaterThan(1);
    expect(asPrinted.tokensPerWord).toBeLessThan(2);
  });
});
