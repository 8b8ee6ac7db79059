/**
 * GPT on the CPU backend, nanoGPT's CPU configuration (shakespeare_char: vocab 65, blockSize 64,
 * 4 layers, 4 heads, 128 dims, no dropout) from `@tessera/models-transformer`. Library comparisons
 * (see suite.ts), since the tfjs sides have no GPT:
 *
 * - `gpt-generate-cpu`: greedy generation of 60 tokens after a 4-token prompt (the context stays inside
 *   the 64-token window), with the key/value cache (one position per step) and without it (the whole
 *   context per step, as nanoGPT's `generate`); ms per generated token. Output check: the two produce
 *   exactly the same tokens.
 * - `gpt-train-step-cpu`: one AdamW step (weight decay on the matrices, `parameterGroups(0.1)`) on a
 *   batch of 12 × 64 tokens: forward, cross-entropy, backward, update; ms per step. Output: the first
 *   step's loss, which must be ln(65) ± 0.1 at nanoGPT's initialisation.
 *
 * PyTorch's numbers on the same machine come from tooling/bench/pytorch/gpt_cpu.py (run by hand; see
 * BENCHMARKS.md).
 */
import type { ComparisonCase, Implementation, PreparedImplementation } from './suite';

type Core = typeof import('@tessera/core');

const CONFIG = { vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0 } as const;
const PROMPT = [0, 1, 2, 3];
const NEW_TOKENS = 60;
const [BATCH, BLOCK] = [12, 64];

async function load(): Promise<{ core: Core; GPT: typeof import('@tessera/models-transformer').GPT }> {
  const core = await import('@tessera/core');
  await import('@tessera/backend-cpu'); // registers 'cpu'
  await core.ensureBackend('cpu');
  const { GPT } = await import('@tessera/models-transformer');
  return { core, GPT };
}

function generation(useCache: boolean): Implementation {
  return {
    id: useCache ? 'tessera-kv-cache' : 'tessera-no-cache',
    name: `Tessera GPT.generate, ${useCache ? 'key/value cache' : 'no cache (whole context per token)'}`,
    packageName: '@tessera/models-transformer',
    async prepare(): Promise<PreparedImplementation> {
      const { core, GPT } = await load();
      core.manualSeed(0);
      const gpt = new GPT(CONFIG).eval();
      const generate = () => gpt.generate(PROMPT, { maxNewTokens: NEW_TOKENS, temperature: 0, useCache });
      return {
        async run() {
          await generate();
        },
        async output() {
          return (await generate()).slice(PROMPT.length);
        },
        dispose() {
          gpt.dispose();
        },
      };
    },
  };
}

const trainStep: Implementation = {
  id: 'tessera',
  name: 'Tessera GPT.forward + backward + AdamW',
  packageName: '@tessera/models-transformer',
  async prepare(): Promise<PreparedImplementation> {
    const { core, GPT } = await load();
    const { AdamW } = await import('@tessera/optim');
    core.manualSeed(0);
    const gpt = new GPT(CONFIG).train();
    const optimizer = new AdamW(gpt.parameterGroups(0.1), { lr: 6e-4, betas: [0.9, 0.99] });
    // Fixed batch: windows of a repeating token stream, targets shifted by one.
    const rows = (shift: number) => Array.from({ length: BATCH }, (_, b) => Array.from({ length: BLOCK }, (_, t) => (b * 7 + t + shift) % CONFIG.vocabSize));
    const x = core.tensor(rows(0), { dtype: 'int32' });
    const y = core.tensor(rows(1), { dtype: 'int32' });
    const step = async (): Promise<number> => {
      const { logits, loss } = gpt.forward(x, { targets: y });
      optimizer.zeroGrad();
      loss!.backward();
      optimizer.step();
      const value = await loss!.item();
      loss!.dispose();
      logits.dispose();
      return value;
    };
    return {
      async run() {
        await step();
      },
      async output() {
        return [Math.abs((await step()) - Math.log(CONFIG.vocabSize)) < 0.1 ? 1 : 0];
      },
      dispose() {
        [x, y].forEach((t) => t.dispose());
        optimizer.dispose();
        gpt.dispose();
      },
    };
  },
};

/**
 * The GPT rows: generation with and without the KV cache, and the training step.
 * @example gptCases().map((c) => c.id) // ['gpt-generate-cpu', 'gpt-train-step-cpu']
 */
export function gptCases(): ComparisonCase[] {
  const size = `${CONFIG.nLayer} layers, ${CONFIG.nHead} heads, ${CONFIG.nEmbd} dims, block ${CONFIG.blockSize}, vocab ${CONFIG.vocabSize}`;
  return [
    {
      kind: 'comparison',
      id: 'gpt-generate-cpu',
      suite: 'gpt',
      label: `GPT (${size}) greedy generation, ${NEW_TOKENS} tokens after ${PROMPT.length}, cpu`,
      unit: 'ms',
      opsPerRun: NEW_TOKENS,
      subject: 'tessera-kv-cache',
      reference: ['tessera-no-cache'],
      checkDescription: 'the generated tokens, identical with and without the cache',
      implementations: [generation(true), generation(false)],
    },
    {
      kind: 'comparison',
      id: 'gpt-train-step-cpu',
      suite: 'gpt',
      label: `GPT (${size}) training step, batch ${BATCH} × ${BLOCK}, AdamW, cpu`,
      unit: 'ms',
      opsPerRun: 1,
      subject: 'tessera',
      checkDescription: 'the first step’s loss is ln(65) ± 0.1 at initialisation',
      implementations: [trainStep],
    },
  ];
}
