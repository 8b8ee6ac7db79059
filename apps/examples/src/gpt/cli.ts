/**
 * Command-line flags of `pnpm start` (training) and `pnpm generate` (sampling), parsed with Node's
 * `util.parseArgs`. Precedence, lowest first: the defaults, `--preset`, `--size`, the environment
 * (`TESSERA_STEPS`, `TESSERA_SIZE`, `TESSERA_EVAL_ITERS`, `TESSERA_RUNS_DIR`: how tests shorten the
 * README's command without changing it), then the individual flags.
 */
import { parseArgs } from 'node:util';
import { ValueError } from '@tessera/core';
import { DEFAULTS, PRESETS, SIZES, type PresetName, type SizeName, type TrainConfig } from './presets';

/** What `pnpm start …` asks for. */
export interface TrainCommand {
  config: TrainConfig;
  /** Continue the run folder's checkpoint instead of starting afresh. */
  resume: boolean;
  help: boolean;
  /** The flags given explicitly (a resumed run takes only `--steps` and `--backend` from them). */
  given: string[];
}

/** What `pnpm generate …` asks for. */
export interface GenerateCommand {
  run: string;
  prompt: string;
  tokens: number;
  temperature: number;
  topK: number | undefined;
  topP: number | undefined;
  seed: number;
  backend: TrainConfig['backend'];
  help: boolean;
}

/** Flags that set one numeric hyperparameter: flag name → config key. */
const NUMBER_FLAGS = {
  steps: 'steps',
  'vocab-size': 'vocabSize',
  'n-layer': 'nLayer',
  'n-head': 'nHead',
  'n-embd': 'nEmbd',
  'block-size': 'blockSize',
  'batch-size': 'batchSize',
  lr: 'lr',
  'min-lr': 'minLr',
  warmup: 'warmup',
  'lr-decay-steps': 'lrDecaySteps',
  dropout: 'dropout',
  'weight-decay': 'weightDecay',
  beta1: 'beta1',
  beta2: 'beta2',
  'grad-clip': 'gradClip',
  'eval-interval': 'evalInterval',
  'eval-iters': 'evalIters',
  'train-fraction': 'trainFraction',
  seed: 'seed',
  'sample-tokens': 'sampleTokens',
} as const satisfies Record<string, keyof TrainConfig>;

/** Keys that must be whole numbers, and the smallest value each may take. */
const INTEGER_MINIMUMS: Partial<Record<keyof TrainConfig, number>> = {
  steps: 0, vocabSize: 2, nLayer: 1, nHead: 1, nEmbd: 1, blockSize: 1, batchSize: 1, warmup: 0,
  lrDecaySteps: 0, evalInterval: 1, evalIters: 1, seed: 0, sampleTokens: 0,
};

export const TRAIN_USAGE = `Usage: pnpm start [flags]   (train a character-level GPT on Moby Dick, then sample from it)

  --preset nanogpt-cpu     nanoGPT's CPU configuration (4 layers, 4 heads, 128 dims, 2,000 steps)
  --size tiny|small|medium model and batch size (default small)
  --steps N                optimizer steps (default ${DEFAULTS.steps})
  --backend auto|cpu|webgpu  (default auto: a hardware WebGPU adapter if there is one, else cpu)
  --text FILE              train on this UTF-8 file instead of Moby Dick
  --tokenizer char|bpe     (default char); --vocab-size N for bpe (default ${DEFAULTS.vocabSize})
  --name NAME              run folder runs/NAME (default <text>-<preset or size>-<tokenizer>)
  --runs-dir DIR           where run folders go (default runs)
  --resume                 continue runs/NAME from its checkpoint (Ctrl-C leaves one)
  --n-layer --n-head --n-embd --block-size --batch-size --dropout --bias
  --lr --min-lr --warmup --lr-decay-steps --weight-decay --beta1 --beta2 --grad-clip
  --eval-interval --eval-iters --train-fraction --seed --sample-tokens
`;

export const GENERATE_USAGE = `Usage: pnpm generate --run runs/NAME [--prompt TEXT] [--tokens N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--backend auto|cpu|webgpu]
`;

function parseNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new ValueError(`--${flag}: expected a number, got ${JSON.stringify(text)}`);
  return value;
}

function checkChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new ValueError(`--${flag}: expected one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

/** Checks that the configuration can train: whole numbers where needed, heads dividing the width, rates in range. */
export function validateConfig(config: TrainConfig): TrainConfig {
  for (const [key, minimum] of Object.entries(INTEGER_MINIMUMS) as [keyof TrainConfig, number][]) {
    const value = config[key] as number;
    if (!Number.isInteger(value) || value < minimum) throw new ValueError(`${key} must be an integer ≥ ${minimum}, got ${value}`);
  }
  if (config.nEmbd % config.nHead !== 0) throw new ValueError(`n-embd (${config.nEmbd}) must be a multiple of n-head (${config.nHead})`);
  if (!(config.dropout >= 0 && config.dropout < 1)) throw new ValueError(`dropout must be in [0, 1), got ${config.dropout}`);
  if (!(config.trainFraction > 0 && config.trainFraction < 1)) throw new ValueError(`train-fraction must be in (0, 1), got ${config.trainFraction}`);
  if (!(config.lr > 0) || !(config.minLr >= 0)) throw new ValueError(`lr must be > 0 and min-lr ≥ 0, got ${config.lr} and ${config.minLr}`);
  if (!/^[\w.-]+$/.test(config.name)) throw new ValueError(`--name: letters, digits, '.', '-' and '_' only, got ${JSON.stringify(config.name)}`);
  return config;
}

/** The default run name: `<text>-<preset or size>-<tokenizer>`, e.g. `moby-dick-small-char`. */
export function defaultRunName(config: Pick<TrainConfig, 'text' | 'tokenizer'>, preset: string | undefined, size: string): string {
  const text = config.text === null ? 'moby-dick' : (config.text.split(/[\\/]/).pop() ?? 'text').replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '-');
  return `${text}-${preset ?? size}-${config.tokenizer}`;
}

/**
 * Parses `pnpm start`'s flags.
 * @example
 * parseTrainCommand(['--size', 'tiny', '--steps', '20']).config.nLayer; // 2
 */
export function parseTrainCommand(args: readonly string[], env: Record<string, string | undefined> = process.env): TrainCommand {
  const { values: parsed } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      resume: { type: 'boolean' },
      bias: { type: 'boolean' },
      preset: { type: 'string' },
      size: { type: 'string' },
      backend: { type: 'string' },
      text: { type: 'string' },
      tokenizer: { type: 'string' },
      name: { type: 'string' },
      'runs-dir': { type: 'string' },
      ...Object.fromEntries(Object.keys(NUMBER_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    },
  });
  const values = parsed as Record<string, string | boolean | undefined>;
  const given = Object.keys(values).filter((key) => key !== 'help');
  const preset = values.preset === undefined ? undefined : checkChoice('preset', values.preset as string, Object.keys(PRESETS) as PresetName[]);
  const envSize = env.TESSERA_SIZE || undefined;
  const size = checkChoice(values.size === undefined ? 'size (TESSERA_SIZE)' : 'size', (values.size as string | undefined) ?? envSize ?? 'small', Object.keys(SIZES) as SizeName[]);
  const config: TrainConfig = { ...DEFAULTS, ...(preset ? PRESETS[preset] : {}) };
  if (values.size !== undefined || envSize !== undefined) Object.assign(config, SIZES[size]);
  if (env.TESSERA_STEPS) config.steps = parseNumber('steps (TESSERA_STEPS)', env.TESSERA_STEPS);
  if (env.TESSERA_EVAL_ITERS) config.evalIters = parseNumber('eval-iters (TESSERA_EVAL_ITERS)', env.TESSERA_EVAL_ITERS);
  if (env.TESSERA_RUNS_DIR) config.runsDir = env.TESSERA_RUNS_DIR;
  for (const [flag, key] of Object.entries(NUMBER_FLAGS)) {
    const text = values[flag];
    if (typeof text === 'string') (config as unknown as Record<string, number>)[key] = parseNumber(flag, text);
  }
  if (values.backend !== undefined) config.backend = checkChoice('backend', values.backend as string, ['auto', 'cpu', 'webgpu'] as const);
  if (values.tokenizer !== undefined) config.tokenizer = checkChoice('tokenizer', values.tokenizer as string, ['char', 'bpe'] as const);
  if (values.text !== undefined) config.text = values.text as string;
  if (values.bias !== undefined) config.bias = values.bias as boolean;
  if (values['runs-dir'] !== undefined) config.runsDir = values['runs-dir'] as string;
  // nanoGPT decays over lr_decay_iters, which its configs set equal to max_iters.
  if (config.lrDecaySteps === 0) config.lrDecaySteps = Math.max(config.steps, 1);
  if (config.warmup >= config.lrDecaySteps) {
    // A run shortened below the default warm-up (tests, smoke runs) warms up over its first 10%.
    if (values.warmup !== undefined) throw new ValueError(`--warmup (${config.warmup}) must be smaller than the decay steps (${config.lrDecaySteps})`);
    config.warmup = Math.floor(config.lrDecaySteps / 10);
  }
  config.name = (values.name as string | undefined) ?? defaultRunName(config, preset, size);
  return { config: validateConfig(config), resume: values.resume === true, help: values.help === true, given };
}

/**
 * Parses `pnpm generate`'s flags.
 * @example
 * parseGenerateCommand(['--run', 'runs/x', '--prompt', 'Call me']).tokens; // 200
 */
export function parseGenerateCommand(args: readonly string[]): GenerateCommand {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      run: { type: 'string' },
      prompt: { type: 'string' },
      tokens: { type: 'string' },
      temperature: { type: 'string' },
      'top-k': { type: 'string' },
      'top-p': { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
    },
  });
  const number = (flag: string, fallback: number): number => (values[flag as keyof typeof values] === undefined ? fallback : parseNumber(flag, values[flag as keyof typeof values] as string));
  const command: GenerateCommand = {
    run: (values.run as string | undefined) ?? '',
    prompt: (values.prompt as string | undefined) ?? '\n',
    tokens: number('tokens', 200),
    temperature: number('temperature', 0.8),
    topK: values['top-k'] === undefined ? undefined : number('top-k', 0),
    topP: values['top-p'] === undefined ? undefined : number('top-p', 1),
    seed: number('seed', 0),
    backend: values.backend === undefined ? 'auto' : checkChoice('backend', values.backend as string, ['auto', 'cpu', 'webgpu'] as const),
    help: values.help === true,
  };
  if (!command.help && command.run === '') throw new ValueError('pnpm generate: --run runs/NAME is required (a folder written by pnpm start)');
  if (!Number.isInteger(command.tokens) || command.tokens < 0) throw new ValueError(`--tokens: expected a whole number ≥ 0, got ${command.tokens}`);
  if (!(command.temperature >= 0)) throw new ValueError(`--temperature: expected a number ≥ 0, got ${command.temperature}`);
  return command;
}
