/**
 * What the tokenizer does to a language model, measured.
 *
 * The main job's GPT (`pnpm start`'s model and recipe) is trained three times on Moby Dick — on
 * characters, and on byte-level BPE with 512 and 2,048 tokens (each BPE trained on the training part
 * of the text only) — with the same budget: the same steps of the same batch × block tokens. A per-token
 * loss cannot compare them (a BPE token carries several characters), so each is scored in bits per
 * character on the same validation text: the cross-entropy summed over all its tokens, in bits, divided
 * by its characters.
 *
 * Then the course's rule of thumb, "about four tokens for three words" in GPT models, checked with
 * GPT-2's own tokenizer on the whole book.
 */
import { manualSeed } from '@tessera/core';
import { RandomWindowSampler } from '@tessera/data';
import { GPT } from '@tessera/models-transformer';
import { printer, table, type ExampleOptions } from '../common';
import { textBitsPerCharacter, type TextScore } from '../comparisons/bits-per-character';
import { splitText } from '../comparisons/text-split';
import { gpt2Tokenizer, tokensPerWord, type TokensPerWord } from '../comparisons/tokens-per-word';
import { languageModelSteps, trainLanguageModel } from '../comparisons/train-language-model';
import { DEFAULTS, SIZES } from '../gpt/presets';
import { loadText } from '../gpt/text';
import { bpeTokenizer, charTokenizer, type RunTokenizer } from '../gpt/tokenizer';

/** One tokenizer's run. */
export interface TokenizerRun {
  tokenizer: string;
  vocabSize: number;
  parameters: number;
  trainTokens: number;
  /** Validation characters per validation token. */
  charactersPerToken: number;
  firstLoss: number;
  lastLoss: number;
  /** `[step, loss]` on random validation windows, nats per token. */
  valLoss: [number, number][];
  validation: TextScore;
  tokensPerSec: number;
  /** Training characters per second (tokens/s × characters per token). */
  charactersPerSec: number;
  seconds: number;
}

function configuration(quick: boolean) {
  const steps = languageModelSteps(400);
  return quick
    ? { characters: 150_000, validationCharacters: 3_000, model: SIZES.tiny, steps: 30, evalInterval: 15, evalBatches: 4 }
    : { characters: Infinity, validationCharacters: Infinity, model: SIZES.small, steps, evalInterval: Math.max(1, Math.floor(steps / 2)), evalBatches: 20 };
}

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const quick = options.quick ?? false;
  const config = configuration(quick);
  const text = loadText(null).slice(0, config.characters);
  const split = splitText(text, 0.9);
  const validationText = split.validation.slice(0, config.validationCharacters);
  const { nLayer, nHead, nEmbd, blockSize, batchSize } = config.model;
  print(`Moby Dick: ${split.train.length.toLocaleString('en')} training / ${split.validation.length.toLocaleString('en')} validation characters; scored on ${validationText.length.toLocaleString('en')} validation characters`);
  print(`GPT ${nLayer} layers, ${nHead} heads, ${nEmbd} dims, context ${blockSize} tokens; ${config.steps} steps of ${batchSize} × ${blockSize} tokens each (the main job's recipe)`);

  const tokenizers: [string, () => RunTokenizer][] = [
    ['char', () => charTokenizer(text)], // every character of the text (the training part alone has the same 83 on the full book)
    ['bpe 512', () => bpeTokenizer(split.train, 512)],
    ['bpe 2048', () => bpeTokenizer(split.train, 2048)],
  ];
  const runs: TokenizerRun[] = [];
  for (const [name, make] of tokenizers) {
    const started = performance.now();
    const tokenizer = make();
    const trainIds = Int32Array.from(tokenizer.encode(split.train));
    const valIds = Int32Array.from(tokenizer.encode(split.validation));
    print();
    print(`${name}: ${tokenizer.vocabSize} tokens (built in ${((performance.now() - started) / 1000).toFixed(1)} s); ${trainIds.length.toLocaleString('en')} training tokens, ${(split.validation.length / valIds.length).toFixed(3)} validation characters per token`);
    manualSeed(DEFAULTS.seed);
    const model = new GPT({ vocabSize: tokenizer.vocabSize, blockSize, nLayer, nHead, nEmbd, dropout: DEFAULTS.dropout, bias: DEFAULTS.bias });
    const parameters = model.numParameters();
    const run = await trainLanguageModel(model, {
      train: new RandomWindowSampler(trainIds, { blockSize, batchSize, seed: DEFAULTS.seed }),
      val: new RandomWindowSampler(valIds, { blockSize, batchSize, seed: DEFAULTS.seed + 1 }),
      steps: config.steps,
      tokensPerStep: blockSize * batchSize,
      evalInterval: config.evalInterval,
      evalBatches: config.evalBatches,
      onStep: (step, logs) => {
        if (logs.val_loss !== undefined) print(`  step ${step}: loss ${logs.loss.toFixed(4)}, val_loss ${logs.val_loss.toFixed(4)} nats/token`);
      },
    });
    const validation = await textBitsPerCharacter(model, tokenizer, validationText, { blockSize, batchSize: 64 });
    model.dispose();
    const charactersPerToken = split.validation.length / valIds.length;
    print(`  ${validation.bitsPerCharacter.toFixed(4)} bits/char on the validation text (${validation.tokens.toLocaleString('en')} tokens, ${validation.natsPerToken.toFixed(4)} nats/token); ${Math.round(run.tokensPerSec)} training tokens/s`);
    runs.push({
      tokenizer: name,
      vocabSize: tokenizer.vocabSize,
      parameters,
      trainTokens: trainIds.length,
      charactersPerToken,
      firstLoss: run.firstLoss,
      lastLoss: run.lastLoss,
      valLoss: run.valLoss,
      validation,
      tokensPerSec: run.tokensPerSec,
      charactersPerSec: run.tokensPerSec * charactersPerToken,
      seconds: run.seconds,
    });
  }
  print();
  print(
    table(
      ['tokenizer', 'vocabulary', 'parameters', 'chars/token', 'training chars seen', 'val nats/token', 'bits/char', 'train tokens/s', 'train chars/s'],
      runs.map((r) => [r.tokenizer, r.vocabSize, r.parameters, r.charactersPerToken, Math.round(config.steps * batchSize * blockSize * r.charactersPerToken), r.validation.natsPerToken, r.validation.bitsPerCharacter, Math.round(r.tokensPerSec), Math.round(r.charactersPerSec)]),
    ),
  );

  // "About four tokens per three words", with GPT-2's tokenizer.
  const gpt2 = gpt2Tokenizer();
  const asPrinted = tokensPerWord(gpt2, text);
  // Moby Dick is hard-wrapped: every line break is a token of its own; joined lines show the words alone.
  const joinedLines = tokensPerWord(gpt2, text.replace(/\s+/g, ' '));
  print();
  const line = (name: string, r: TokensPerWord) => [name, r.words, r.tokens, r.tokensPerWord, r.tokensPerThreeWords];
  print(table(['GPT-2 tokenizer on Moby Dick', 'words', 'tokens', 'tokens/word', 'tokens per 3 words'], [line('as printed (hard-wrapped lines)', asPrinted), line('whitespace runs → one space', joinedLines)]));
  return { steps: config.steps, tokensPerStep: batchSize * blockSize, validationCharacters: validationText.length, runs, gpt2: { asPrinted, joinedLines } };
}
