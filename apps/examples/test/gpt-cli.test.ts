/**
 * The main job's flags: presets, sizes, the environment's shortening variables and validation.
 */
import { describe, expect, it } from 'vitest';
import { parseGenerateCommand, parseTrainCommand } from '../src/gpt/cli';
import { DEFAULTS, PRESETS, SIZES } from '../src/gpt/presets';

const noEnv = {};

describe('pnpm start flags', () => {
  it('with no flags trains the default: the small model, Moby Dick, characters, best backend', () => {
    const { config, resume } = parseTrainCommand([], noEnv);
    expect(config).toMatchObject({ ...SIZES.small, text: null, tokenizer: 'char', backend: 'auto', steps: DEFAULTS.steps, lrDecaySteps: DEFAULTS.steps, name: 'moby-dick-small-char', runsDir: 'runs' });
    expect(resume).toBe(false);
  });

  it('--preset nanogpt-cpu is nanoGPT\'s CPU configuration exactly', () => {
    const { config } = parseTrainCommand(['--preset', 'nanogpt-cpu'], noEnv);
    expect(config).toMatchObject({
      nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, batchSize: 12, dropout: 0, bias: false,
      steps: 2000, lr: 1e-3, minLr: 1e-4, warmup: 100, lrDecaySteps: 2000, weightDecay: 0.1, beta1: 0.9, beta2: 0.99,
      gradClip: 1, evalInterval: 250, evalIters: 200, trainFraction: 0.9, seed: 1337, name: 'moby-dick-nanogpt-cpu-char',
    });
    expect(PRESETS['nanogpt-cpu'].steps).toBe(2000);
  });

  it('every hyperparameter has a flag, and flags win over the preset and the size', () => {
    const { config } = parseTrainCommand(
      ['--preset', 'nanogpt-cpu', '--size', 'tiny', '--n-layer', '3', '--n-head', '2', '--n-embd', '48', '--block-size', '16', '--batch-size', '4',
        '--lr', '3e-4', '--min-lr', '3e-5', '--warmup', '5', '--dropout', '0.1', '--weight-decay', '0.01', '--grad-clip', '0.5',
        '--eval-interval', '10', '--eval-iters', '3', '--seed', '7', '--steps', '50', '--bias', '--tokenizer', 'bpe', '--vocab-size', '300',
        '--backend', 'cpu', '--text', 'books/some text.txt', '--name', 'x1'],
      noEnv,
    );
    expect(config).toMatchObject({
      nLayer: 3, nHead: 2, nEmbd: 48, blockSize: 16, batchSize: 4, lr: 3e-4, minLr: 3e-5, warmup: 5, dropout: 0.1, weightDecay: 0.01,
      gradClip: 0.5, evalInterval: 10, evalIters: 3, seed: 7, steps: 50, lrDecaySteps: 50, bias: true, tokenizer: 'bpe', vocabSize: 300,
      backend: 'cpu', text: 'books/some text.txt', name: 'x1',
    });
    expect(parseTrainCommand(['--text', 'books/some text.txt', '--tokenizer', 'bpe'], noEnv).config.name).toBe('some-text-small-bpe');
  });

  it('TESSERA_STEPS, TESSERA_SIZE, TESSERA_EVAL_ITERS and TESSERA_RUNS_DIR shorten the README command; flags still win', () => {
    const env = { TESSERA_STEPS: '20', TESSERA_SIZE: 'tiny', TESSERA_EVAL_ITERS: '2', TESSERA_RUNS_DIR: '/tmp/r' };
    expect(parseTrainCommand([], env).config).toMatchObject({ ...SIZES.tiny, steps: 20, lrDecaySteps: 20, evalIters: 2, runsDir: '/tmp/r', name: 'moby-dick-tiny-char' });
    expect(parseTrainCommand(['--steps', '30', '--size', 'small'], env).config).toMatchObject({ ...SIZES.small, steps: 30 });
  });

  it('a short run keeps a warm-up shorter than the decay; an explicit one that does not fit is an error', () => {
    expect(parseTrainCommand([], { TESSERA_STEPS: '20' }).config.warmup).toBeLessThan(20);
    expect(() => parseTrainCommand(['--steps', '20', '--warmup', '50'], noEnv)).toThrow(/warmup \(50\) must be smaller than the decay/);
  });

  it('mistakes name the flag and what it expects', () => {
    expect(() => parseTrainCommand(['--steps', 'many'], noEnv)).toThrow(/--steps: expected a number, got "many"/);
    expect(() => parseTrainCommand(['--size', 'huge'], noEnv)).toThrow(/--size: expected one of tiny, small, medium/);
    expect(() => parseTrainCommand(['--n-embd', '100', '--n-head', '3'], noEnv)).toThrow(/multiple of n-head/);
    expect(() => parseTrainCommand(['--batch-size', '2.5'], noEnv)).toThrow(/batchSize must be an integer/);
    expect(() => parseTrainCommand(['--name', '../x'], noEnv)).toThrow(/--name/);
    expect(() => parseTrainCommand(['--lerning-rate', '1'], noEnv)).toThrow(/lerning-rate/);
    expect(() => parseTrainCommand([], { TESSERA_SIZE: 'big' })).toThrow(/TESSERA_SIZE/);
  });
});

describe('pnpm generate flags', () => {
  it('needs --run; defaults to 200 tokens at temperature 0.8', () => {
    expect(parseGenerateCommand(['--run', 'runs/a', '--prompt', 'Call me'])).toMatchObject({ run: 'runs/a', prompt: 'Call me', tokens: 200, temperature: 0.8, topK: undefined, seed: 0 });
    expect(parseGenerateCommand(['--run', 'r', '--top-k', '5', '--top-p', '0.9', '--seed', '3', '--tokens', '10', '--temperature', '0'])).toMatchObject({ topK: 5, topP: 0.9, seed: 3, tokens: 10, temperature: 0 });
    expect(() => parseGenerateCommand(['--prompt', 'x'])).toThrow(/--run runs\/NAME is required/);
    expect(() => parseGenerateCommand(['--run', 'r', '--tokens', '-1'])).toThrow(/--tokens/);
  });
});
