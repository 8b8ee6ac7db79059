/**
 * The repository's main job, as the root README's quick start runs it: `pnpm start` trains a GPT on
 * Moby Dick and leaves a run folder; shortened here by the environment (TESSERA_STEPS, TESSERA_SIZE, …),
 * the command itself unchanged. Then: sampling from the run folder, and Ctrl-C + `--resume` ending
 * exactly where an uninterrupted run ends.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSafetensors } from '@tessera/core';
import type { Callback } from '@tessera/nn';
import { parseGenerateCommand, parseTrainCommand } from '../src/gpt/cli';
import { generateFromRun, loadRun } from '../src/gpt/generate';
import { RunFolder, type RunRecord } from '../src/gpt/run-folder';
import { trainGPT } from '../src/gpt/train';

const root = resolve(__dirname, '../../..');
const scratch = mkdtempSync(join(tmpdir(), 'tessera-main-job-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The quick start's command that runs the main job, from the root README. */
function quickStartCommand(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /## Quick start\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme);
  expect(block, 'README.md has a "## Quick start" section with a sh block').not.toBeNull();
  const commands = block![1].split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean);
  expect(commands).toHaveLength(2);
  const start = commands.find((command) => / start$/.test(command));
  expect(start, `one quick-start command ends with "start": ${commands.join(' | ')}`).toBeDefined();
  return start!;
}

describe('the main job (pnpm start), shortened', () => {
  it('runs the README command: 20 tiny steps leave a complete run folder and end with "final val loss X.XXXX"', () => {
    const command = quickStartCommand();
    // CI (and a fresh clone) already installed; what remains is the start command itself.
    const run = command.split('&&').map((part) => part.trim()).filter((part) => !/ install\b/.test(part)).join(' && ');
    expect(run).toMatch(/pnpm start$/);
    const runsDir = join(scratch, 'runs');
    const result = spawnSync('sh', ['-c', run], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TESSERA_STEPS: '20', TESSERA_SIZE: 'tiny', TESSERA_EVAL_ITERS: '4', TESSERA_RUNS_DIR: runsDir, COREPACK_INTEGRITY_KEYS: process.env.COREPACK_INTEGRITY_KEYS ?? '0', COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
      timeout: 240_000,
    });
    expect(result.status, `${run} failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const last = lines.at(-1)!;
    expect(last).toMatch(/^final val loss \d+\.\d{4}$/);
    const finalLoss = Number(last.split(' ').at(-1));
    expect(finalLoss).toBeLessThan(Math.log(83)); // better than uniform over Moby Dick's 83 characters
    expect(result.stdout).toContain('--- sample 2 (prompt "Call me"');

    const folder = new RunFolder(join(runsDir, 'moby-dick-tiny-char'));
    const record: RunRecord = folder.readRecord();
    expect(record).toMatchObject({ vocabSize: 83, backend: expect.stringMatching(/^(cpu|webgpu)$/), step: 20, finalValLoss: expect.any(Number) });
    expect(record.config).toMatchObject({ nLayer: 2, nEmbd: 32, steps: 20, tokenizer: 'char' });
    expect(record.finalValLoss!.toFixed(4)).toBe(last.split(' ').at(-1));
    const metrics = folder.readMetrics();
    expect(metrics.map((line) => line.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(metrics.every((line) => Number.isFinite(line.loss) && Number.isFinite(line.lr) && line.tokens_per_sec! > 0)).toBe(true);
    expect(metrics.at(-1)!.val_loss).toBeCloseTo(record.finalValLoss!, 4);
    expect(readFileSync(folder.chartPath, 'utf8')).toMatch(/^<svg [\s\S]*<polyline[\s\S]*<\/svg>\n$/);
    expect(existsSync(join(folder.checkpointDir, 'checkpoint.json'))).toBe(true);
    const weights = loadSafetensors(readFileSync(folder.modelPath));
    expect(weights['transformer.wte.weight'].shape).toEqual([83, 32]);
    for (const weight of Object.values(weights)) weight.dispose();
  });

  it('pnpm generate\'s sampler continues the prompt from the run folder, the same text for the same seed', async () => {
    const run = join(scratch, 'runs', 'moby-dick-tiny-char');
    const sample = async (seed: number) => {
      const pieces: string[] = [];
      const text = await generateFromRun(parseGenerateCommand(['--run', run, '--prompt', 'Call me', '--tokens', '40', '--seed', String(seed), '--backend', 'cpu']), (piece) => pieces.push(piece));
      expect(pieces.join('')).toBe(text);
      return text;
    };
    const first = await sample(1);
    expect(first.startsWith('Call me')).toBe(true);
    expect([...first]).toHaveLength('Call me'.length + 40);
    expect(await sample(1)).toBe(first);
    expect(await sample(2)).not.toBe(first);
    const { model } = loadRun(run);
    expect(model.training).toBe(false);
    model.dispose();
  });
});

describe('Ctrl-C and --resume', () => {
  const flags = (name: string) => ['--size', 'tiny', '--steps', '24', '--eval-interval', '8', '--eval-iters', '3', '--sample-tokens', '0', '--backend', 'cpu', '--runs-dir', join(scratch, 'resume'), '--name', name];

  it('a run stopped at step 10 by the abort signal and resumed ends with the uninterrupted run\'s loss and weights', async () => {
    const quiet = { print: () => {}, progress: false };
    const whole = await trainGPT(parseTrainCommand(flags('whole'), {}), quiet);
    expect(whole.stopped).toBeNull();

    const controller = new AbortController();
    const stopAtTen: Callback = { onStepEnd: (step) => { if (step === 10) controller.abort(); } };
    const stopped = await trainGPT(parseTrainCommand(flags('split'), {}), { ...quiet, signal: controller.signal, callbacks: [stopAtTen] });
    expect(stopped).toMatchObject({ stopped: 'aborted', steps: 10 });
    expect(Number.isNaN(stopped.finalValLoss)).toBe(true);

    const resumed = await trainGPT(parseTrainCommand([...flags('split'), '--resume'], {}), quiet);
    expect(resumed).toMatchObject({ stopped: null, steps: 24 });
    expect(resumed.finalValLoss).toBe(whole.finalValLoss);

    const strip = (name: string) => new RunFolder(join(scratch, 'resume', name)).readMetrics().map(({ step, loss, lr, grad_norm, val_loss }) => ({ step, loss, lr, grad_norm, val_loss }));
    expect(strip('split')).toEqual(strip('whole'));
    const weights = (name: string) => loadSafetensors(readFileSync(new RunFolder(join(scratch, 'resume', name)).modelPath));
    const [a, b] = [weights('whole'), weights('split')];
    for (const key of Object.keys(a)) expect(Array.from(b[key].dataSync()), key).toEqual(Array.from(a[key].dataSync()));
    for (const t of [...Object.values(a), ...Object.values(b)]) t.dispose();
  });

  it('--resume without a checkpoint says how to start the run', async () => {
    await expect(trainGPT(parseTrainCommand([...flags('never-ran'), '--resume'], {}), { print: () => {}, progress: false })).rejects.toThrow(/has no checkpoint to continue \(run pnpm start --name never-ran first\)/);
  });
});
