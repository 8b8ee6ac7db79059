/**
 * Text-to-text, T5's idea: one encoder–decoder learns several tasks at once, each named by a prefix of
 * its input — `reverse: whale` → `elahw`, `sort: q3b7a` → `37abq`, `date: march 14, 1987` → `1987-03-14`.
 * A small T5ForConditionalGeneration (relative position bias, RMS norm, tied head) reads and writes
 * characters; training mixes the three tasks in every batch (teacher forcing with `labels`), and the
 * held-out inputs — never seen in training — are answered by greedy generation with the decoder's
 * key/value cache. The score is exact match per task.
 */
import { manualSeed, tensor } from '@tessera/core';
import { PhiloxGenerator } from '@tessera/nn';
import { Adam, CosineAnnealingLR } from '@tessera/optim';
import { T5ForConditionalGeneration, type T5Config } from '@tessera/models-transformer';
import { printer, round, table, type ExampleOptions } from '../common';

const TASKS = ['reverse', 'sort', 'date'] as const;
type Task = (typeof TASKS)[number];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DATE_STYLES: ((day: number, month: number, year: number) => string)[] = [
  (d, m, y) => `${MONTHS[m]} ${d}, ${y}`,
  (d, m, y) => `${d} ${MONTHS[m]} ${y}`,
  (d, m, y) => `${d} ${MONTHS[m].slice(0, 3)} ${y}`,
];

/** The character vocabulary: T5's special ids first (pad 0 also starts the decoder, eos 1), then every character the tasks use. */
const SPECIALS = ['<pad>', '</s>', '<unk>'];
const CHARS = [...new Set(`${LETTERS}${DIGITS} :,-`)].sort();
const VOCAB = [...SPECIALS, ...CHARS];
const [PAD, EOS, UNK] = [0, 1, 2];

function encode(text: string): number[] {
  return [...[...text].map((char) => (VOCAB.indexOf(char) >= 0 ? VOCAB.indexOf(char) : UNK)), EOS];
}

function decode(ids: readonly number[]): string {
  let text = '';
  for (const id of ids) {
    if (id === EOS) break;
    if (id !== PAD) text += VOCAB[id] ?? '?';
  }
  return text;
}

/** A seeded uniform integer in [0, n), from nn's Philox stream (the data do not depend on the backend). */
function generator(seed: number): (n: number) => number {
  const stream = new PhiloxGenerator(seed);
  return (n) => Math.floor(stream.uniform() * n);
}

/** One (input, target) pair of `task`. */
function example(task: Task, random: (n: number) => number): [string, string] {
  if (task === 'reverse') {
    const word = Array.from({ length: 3 + random(6) }, () => LETTERS[random(26)]).join('');
    return [`reverse: ${word}`, [...word].reverse().join('')];
  }
  if (task === 'sort') {
    const symbols = LETTERS + DIGITS;
    const text = Array.from({ length: 4 + random(5) }, () => symbols[random(symbols.length)]).join('');
    return [`sort: ${text}`, [...text].sort().join('')];
  }
  const [day, month, year] = [1 + random(28), random(12), 1900 + random(200)];
  const iso = `${year}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return [`date: ${DATE_STYLES[random(DATE_STYLES.length)](day, month, year)}`, iso];
}

/** `count` training pairs, the tasks in turn. */
function trainingSet(count: number, seed: number): [string, string][] {
  const random = generator(seed);
  return Array.from({ length: count }, (_, i) => example(TASKS[i % TASKS.length], random));
}

/** `perTask` held-out pairs of each task whose inputs are not in `seen`. */
function heldOutSet(perTask: number, seed: number, seen: Set<string>): Record<Task, [string, string][]> {
  const random = generator(seed);
  const sets = { reverse: [], sort: [], date: [] } as Record<Task, [string, string][]>;
  for (const task of TASKS) {
    while (sets[task].length < perTask) {
      const pair = example(task, random);
      if (!seen.has(pair[0])) sets[task].push(pair);
    }
  }
  return sets;
}

/** Rows of ids padded with `fill` to the longest row. */
function pad(rows: number[][], fill: number): number[][] {
  const width = Math.max(...rows.map((row) => row.length));
  return rows.map((row) => [...row, ...new Array<number>(width - row.length).fill(fill)]);
}

/** The tensors of one batch: inputs and their mask, labels with −100 after each target's eos. */
function batchOf(pairs: [string, string][]) {
  const inputs = pad(pairs.map(([input]) => encode(input)), PAD);
  const attentionMask = pad(pairs.map(([input]) => encode(input).map(() => 1)), 0);
  const labels = pad(pairs.map(([, target]) => encode(target)), -100);
  return { inputIds: tensor(inputs, { dtype: 'int32' }), attentionMask: tensor(attentionMask, { dtype: 'int32' }), labels: tensor(labels, { dtype: 'int32' }) };
}

/** Greedy answers for `inputs` (batched, cached generation). */
async function answer(model: T5ForConditionalGeneration, inputs: string[], maxNewTokens: number): Promise<string[]> {
  const answers: string[] = [];
  for (let start = 0; start < inputs.length; start += 100) {
    const chunk = inputs.slice(start, start + 100);
    const ids = pad(chunk.map(encode), PAD);
    const attentionMask = tensor(pad(chunk.map((text) => encode(text).map(() => 1)), 0), { dtype: 'int32' });
    const out = (await model.generate(ids, { maxNewTokens, attentionMask })) as number[][];
    attentionMask.dispose();
    answers.push(...out.map((row) => decode(row.slice(1))));
  }
  return answers;
}

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const quick = options.quick ?? false;
  const steps = quick ? 60 : 4000;
  const batchSize = quick ? 32 : 64;
  const train = trainingSet(steps * batchSize, 1);
  const heldOut = heldOutSet(quick ? 30 : 300, 2, new Set(train.map(([input]) => input)));
  const config: T5Config = {
    vocab_size: VOCAB.length,
    d_model: 64,
    d_kv: 16,
    d_ff: quick ? 128 : 256,
    num_layers: quick ? 1 : 3,
    num_decoder_layers: quick ? 1 : 3,
    num_heads: 4,
    relative_attention_num_buckets: 32,
    relative_attention_max_distance: 64,
    dropout_rate: 0,
    feed_forward_proj: 'relu',
    tie_word_embeddings: true,
    decoder_start_token_id: PAD,
    pad_token_id: PAD,
    eos_token_id: EOS,
  };
  manualSeed(0);
  const model = new T5ForConditionalGeneration(config);
  const optimizer = new Adam(model.parameters(), { lr: 3e-3 });
  const schedule = new CosineAnnealingLR(optimizer, { tMax: steps, etaMin: quick ? 3e-3 : 1e-4 });
  print(`${VOCAB.length} characters; T5 d_model ${config.d_model}, ${config.num_layers} + ${config.num_decoder_layers} blocks, ${model.numParameters()} parameters; ${steps} steps of ${batchSize} (the three tasks mixed)`);
  print(`e.g. ${TASKS.map((task) => `"${heldOut[task][0][0]}" → "${heldOut[task][0][1]}"`).join(', ')}`);

  const losses: number[] = [];
  const started = performance.now();
  for (let step = 0; step < steps; step++) {
    const batch = batchOf(train.slice(step * batchSize, (step + 1) * batchSize));
    optimizer.zeroGrad();
    const output = model.forward(batch.inputIds, { attentionMask: batch.attentionMask, labels: batch.labels });
    output.loss!.backward();
    optimizer.step();
    schedule.step();
    losses.push(await output.loss!.item());
    for (const t of [...Object.values(output), ...Object.values(batch)]) t.dispose();
    if ((step + 1) % (quick ? 20 : 250) === 0) {
      const recent = losses.slice(-20);
      print(`step ${step + 1}: loss ${(recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(4)} (${((performance.now() - started) / (step + 1)).toFixed(0)} ms/step)`);
    }
  }

  const exactMatch = {} as Record<Task, number>;
  const samples: string[][] = [];
  for (const task of TASKS) {
    const pairs = heldOut[task];
    const answers = await answer(model, pairs.map(([input]) => input), 12);
    exactMatch[task] = round(answers.filter((output, i) => output === pairs[i][1]).length / pairs.length);
    pairs.slice(0, 3).forEach(([input, target], i) => samples.push([input, answers[i], target]));
  }
  print();
  print(table(['input', 'generated', 'expected'], samples));
  print();
  print(table(['task', `exact match on ${heldOut.reverse.length} held-out inputs`], TASKS.map((task) => [task, exactMatch[task]])));
  const firstLoss = losses.slice(0, 5).reduce((a, b) => a + b, 0) / 5;
  const lastLoss = losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
  optimizer.dispose();
  return { exactMatch, firstLoss: round(firstLoss), lastLoss: round(lastLoss), steps, msPerStep: round((performance.now() - started) / steps, 1) };
}
