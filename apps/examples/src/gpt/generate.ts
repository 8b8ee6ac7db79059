/**
 * Sampling from a run folder: the GPT rebuilt from `config.json`, its weights from `model.safetensors`,
 * the tokenizer from `tokenizer.json`.
 */
import { readFileSync } from 'node:fs';
import { loadSafetensors } from '@tessera/core';
import { GPT } from '@tessera/models-transformer';
import { chooseBackend } from './backend';
import type { GenerateCommand } from './cli';
import { RunFolder } from './run-folder';
import { loadTokenizer, type RunTokenizer } from './tokenizer';

/**
 * The trained model and tokenizer of a run folder.
 * @example
 * const { model, tokenizer } = loadRun('runs/moby-dick-small-char');
 */
export function loadRun(dir: string): { model: GPT; tokenizer: RunTokenizer; folder: RunFolder } {
  const folder = new RunFolder(dir);
  const { config, vocabSize } = folder.readRecord();
  const tokenizer = loadTokenizer(folder.readTokenizer(), config.tokenizer);
  const model = new GPT({ vocabSize, blockSize: config.blockSize, nLayer: config.nLayer, nHead: config.nHead, nEmbd: config.nEmbd, dropout: config.dropout, bias: config.bias });
  const weights = loadSafetensors(readFileSync(folder.modelPath));
  model.loadStateDict(weights);
  for (const weight of Object.values(weights)) weight.dispose();
  model.eval();
  return { model, tokenizer, folder };
}

/**
 * Streams a continuation of the prompt, piece by piece, to `write`; returns the whole text.
 * @example
 * await generateFromRun(parseGenerateCommand(['--run', 'runs/x', '--prompt', 'Call me']), (piece) => process.stdout.write(piece));
 */
export async function generateFromRun(command: GenerateCommand, write: (piece: string) => void): Promise<string> {
  await chooseBackend(command.backend);
  const { model, tokenizer } = loadRun(command.run);
  const prompt = tokenizer.encode(command.prompt);
  let text = command.prompt;
  write(command.prompt);
  // Decode the whole continuation each time: a BPE token can end inside a multi-byte character.
  const generated: number[] = [];
  let shown = '';
  for await (const id of model.stream(prompt, { maxNewTokens: command.tokens, temperature: command.temperature, topK: command.topK, topP: command.topP, seed: command.seed })) {
    generated.push(id);
    const decoded = tokenizer.decode(generated);
    if (decoded.endsWith('\uFFFD')) continue;
    write(decoded.slice(shown.length));
    shown = decoded;
  }
  const final = tokenizer.decode(generated);
  if (final.length > shown.length) write(final.slice(shown.length));
  text += final;
  model.dispose();
  return text;
}
