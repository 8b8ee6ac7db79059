/**
 * The main job: train a GPT on a text with nn's `fit` — nanoGPT's recipe (AdamW with weight decay on
 * matrices only, warm-up + cosine schedule, gradient clipping, random windows of the text, periodic
 * validation) — writing the run folder as it goes, then sample from the model.
 */
import { manualSeed, saveSafetensors, type Tensor } from '@tessera/core';
import { ProgressBar, fit, readFitCheckpoint, type Callback, type Logs } from '@tessera/nn';
import { AdamW, WarmupCosineLR, clipGradNorm } from '@tessera/optim';
import { RandomWindowSampler } from '@tessera/data';
import { GPT } from '@tessera/models-transformer';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { chooseBackend } from './backend';
import type { TrainCommand } from './cli';
import type { TrainConfig } from './presets';
import { RunFolder, type RunRecord } from './run-folder';
import { loadText } from './text';
import { bpeTokenizer, charTokenizer, type RunTokenizer } from './tokenizer';

/** What a training run returns (and prints). */
export interface TrainResult {
  runDir: string;
  config: TrainConfig;
  /** Steps done (the requested number unless stopped). */
  steps: number;
  /** The validation loss after the last step; NaN when the run was stopped before it. */
  finalValLoss: number;
  /** `'aborted'` when the signal (Ctrl-C) stopped it, else null. */
  stopped: 'aborted' | 'callback' | null;
  /** Training tokens per second, evaluation and checkpoint steps left out. */
  trainingTokensPerSec: number;
  /** Wall-clock seconds of `fit` (this invocation). */
  seconds: number;
  samples: string[];
}

/** Options of {@link trainGPT} beyond the command. */
export interface TrainIO {
  print?: (line: string) => void;
  /** Stops training cleanly after the current step, with a checkpoint (Ctrl-C). */
  signal?: AbortSignal;
  /** Draw nn's ProgressBar on stderr (default true). */
  progress?: boolean;
  /** More `fit` callbacks (after the metrics writer and the progress bar). */
  callbacks?: Callback[];
}

/** The configuration of a run: the command's, or for `--resume` the saved one with `--steps` / `--backend` from the command. */
function resolveConfig(command: TrainCommand): { config: TrainConfig; folder: RunFolder; record?: RunRecord } {
  const folder = new RunFolder(join(command.config.runsDir, command.config.name));
  if (!command.resume) return { config: command.config, folder };
  if (!folder.canResume()) {
    throw new Error(`--resume: ${folder.dir} has no checkpoint to continue (run pnpm start --name ${command.config.name} first)`);
  }
  const record = folder.readRecord();
  const config = { ...record.config, runsDir: command.config.runsDir };
  if (command.given.includes('steps')) config.steps = command.config.steps;
  if (command.given.includes('backend')) config.backend = command.config.backend;
  return { config, folder, record };
}

/** Builds the tokenizer the configuration asks for (deterministic: a resumed run rebuilds the same one). */
function makeTokenizer(text: string, config: TrainConfig): RunTokenizer {
  return config.tokenizer === 'bpe' ? bpeTokenizer(text, config.vocabSize) : charTokenizer(text);
}

/** Writes a `metrics.jsonl` line per logged step and times the training steps. */
class MetricsWriter implements Callback {
  private last = performance.now();
  private readonly started = performance.now();
  trainingSeconds = 0;
  trainingSteps = 0;

  constructor(
    private readonly folder: RunFolder,
    private readonly tokensPerStep: number,
  ) {}

  onStepEnd(step: number, logs: Logs): void {
    const now = performance.now();
    const seconds = (now - this.last) / 1000;
    this.last = now;
    // A step that ended with an evaluation (and a checkpoint) is not a training-speed sample.
    if (logs.val_loss === undefined) {
      this.trainingSeconds += seconds;
      this.trainingSteps++;
    }
    this.folder.appendMetrics({
      step,
      loss: round(logs.loss),
      lr: logs.lr,
      tokens_per_sec: logs.tokens_per_sec === undefined ? undefined : Math.round(logs.tokens_per_sec),
      grad_norm: round(logs.grad_norm),
      val_loss: round(logs.val_loss),
      elapsed_s: Math.round((now - this.started) / 100) / 10,
    });
  }

  get tokensPerSec(): number {
    return this.trainingSeconds > 0 ? (this.trainingSteps * this.tokensPerStep) / this.trainingSeconds : 0;
  }
}

function round(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value * 1e5) / 1e5;
}

/**
 * Samples `count` continuations of `prompt` from the model.
 * @example
 * sampleText(model, tokenizer, 'Call me', 200, { temperature: 0.8, seed: 0 });
 */
export async function sampleText(model: GPT, tokenizer: RunTokenizer, prompt: string, tokens: number, options: { temperature: number; topK?: number; topP?: number; seed: number }): Promise<string> {
  const ids = tokenizer.encode(prompt);
  const output = await model.generate(ids, { maxNewTokens: tokens, temperature: options.temperature, topK: options.topK, topP: options.topP, seed: options.seed });
  return prompt + tokenizer.decode(output.slice(ids.length));
}

/**
 * Trains a GPT as the command says and writes its run folder. The caller prints the returned final loss.
 * @example
 * const result = await trainGPT(parseTrainCommand(['--size', 'tiny', '--steps', '20']));
 * result.finalValLoss; // about 3.3 after 20 steps
 */
export async function trainGPT(command: TrainCommand, io: TrainIO = {}): Promise<TrainResult> {
  const print = io.print ?? ((line: string) => console.log(line));
  const { config, folder, record: savedRecord } = resolveConfig(command);
  const backend = await chooseBackend(config.backend);

  const text = loadText(config.text);
  const tokenizer = makeTokenizer(text, config);
  if (command.resume && folder.readTokenizer() !== tokenizer.toJSON()) {
    throw new Error(`--resume: the text or tokenizer settings changed since ${folder.dir} was written (its tokenizer.json differs)`);
  }
  const ids = Int32Array.from(tokenizer.encode(text));
  const split = Math.floor(config.trainFraction * ids.length);
  const trainTokens = ids.subarray(0, split);
  const valTokens = ids.subarray(split);

  manualSeed(config.seed);
  const model = new GPT({ vocabSize: tokenizer.vocabSize, blockSize: config.blockSize, nLayer: config.nLayer, nHead: config.nHead, nEmbd: config.nEmbd, dropout: config.dropout, bias: config.bias });
  const parameters = model.parameters().reduce((sum, p) => sum + p.size, 0);
  const optimizer = new AdamW(model.parameterGroups(config.weightDecay), { lr: config.lr, betas: [config.beta1, config.beta2], weightDecay: config.weightDecay });
  const scheduler = new WarmupCosineLR(optimizer, { warmupSteps: config.warmup, totalSteps: config.lrDecaySteps, minLr: config.minLr });
  const train = new RandomWindowSampler(trainTokens, { blockSize: config.blockSize, batchSize: config.batchSize, seed: config.seed });
  const val = new RandomWindowSampler(valTokens, { blockSize: config.blockSize, batchSize: config.batchSize, seed: config.seed + 1 });

  folder.prepare(!command.resume);
  const record: RunRecord = {
    config,
    vocabSize: tokenizer.vocabSize,
    parameters,
    backend: backend.name,
    startedAt: savedRecord?.startedAt ?? new Date().toISOString(),
  };
  folder.writeRecord(record);
  folder.writeTokenizer(tokenizer.toJSON());

  const sizeLine = `${config.nLayer} layers, ${config.nHead} heads, ${config.nEmbd} dims, context ${config.blockSize}, ${(parameters / 1e6).toFixed(2)} M parameters`;
  print(`${command.resume ? 'resuming' : 'training'} ${folder.dir}: GPT (${sizeLine}) on ${config.text ?? 'Moby Dick'}`);
  print(`  ${tokenizer.kind} tokenizer, ${tokenizer.vocabSize} tokens; ${trainTokens.length.toLocaleString('en')} training / ${valTokens.length.toLocaleString('en')} validation tokens; backend ${backend.note}`);
  print(`  ${config.steps} steps of ${config.batchSize} × ${config.blockSize} tokens, AdamW lr ${config.lr} → ${config.minLr} (warm-up ${config.warmup}), weight decay ${config.weightDecay}, clip ${config.gradClip}, eval every ${config.evalInterval} steps on ${config.evalIters} batches`);

  const tokensPerStep = config.batchSize * config.blockSize;
  const metrics = new MetricsWriter(folder, tokensPerStep);
  const callbacks: Callback[] = [metrics];
  if (io.progress ?? true) callbacks.push(new ProgressBar());
  callbacks.push(...(io.callbacks ?? []));
  if (command.resume) {
    // Lines logged after the checkpoint belong to steps that will be run again.
    folder.truncateMetrics((await readFitCheckpoint(folder.checkpointDir)).step);
  }
  const started = performance.now();
  const history = await fit(model, {
    train,
    val,
    computeLoss: (gpt, x, y) => gpt.forward(x, { targets: y }).loss!,
    optimizer,
    scheduler,
    steps: config.steps,
    evalInterval: config.evalInterval,
    evalBatches: config.evalIters,
    clipGradients: config.gradClip > 0 ? (params: Tensor[]) => clipGradNorm(params, config.gradClip) : undefined,
    tokensPerBatch: () => tokensPerStep,
    checkpoint: { dir: folder.checkpointDir, every: config.evalInterval },
    resume: command.resume,
    signal: io.signal,
    callbacks,
  });
  const seconds = (performance.now() - started) / 1000;
  const step = history.steps.at(-1)?.step ?? history.resumedFrom ?? 0;
  const finished = history.stopped === null;
  const finalValLoss = finished ? (history.stepSeries('val_loss').at(-1)?.[1] ?? Number.NaN) : Number.NaN;

  writeFileSync(folder.modelPath, await saveSafetensors(model.stateDict(), { format: 'pt', step: String(step), ...(finished ? { val_loss: String(finalValLoss) } : {}) }));
  folder.writeRecord({ ...record, step, finishedAt: new Date().toISOString(), ...(finished ? { finalValLoss } : {}) });
  folder.writeLossChart(`${folder.dir}: GPT ${config.nLayer}×${config.nEmbd}, ${config.tokenizer} tokens`);

  const samples: string[] = [];
  if (finished && config.sampleTokens > 0) {
    print('');
    for (const [index, prompt] of ['\n', 'Call me'].entries()) {
      const sample = await sampleText(model, tokenizer, prompt, config.sampleTokens, { temperature: 0.8, topK: 200, seed: config.seed + index });
      samples.push(sample);
      print(`--- sample ${index + 1} (prompt ${JSON.stringify(prompt)}, temperature 0.8, top-k 200) ---`);
      print(sample.trim());
    }
    print('---');
  }
  print(`run folder ${folder.dir}: config.json, tokenizer.json, model.safetensors, metrics.jsonl, loss.svg, checkpoint/`);
  print(`${step - (history.resumedFrom ?? 0)} steps in ${seconds.toFixed(1)} s; training ${Math.round(metrics.tokensPerSec)} tokens/s (evaluation steps excluded)`);
  model.dispose?.();
  optimizer.dispose?.();
  return { runDir: folder.dir, config, steps: step, finalValLoss, stopped: history.stopped, trainingTokensPerSec: metrics.tokensPerSec, seconds, samples };
}
