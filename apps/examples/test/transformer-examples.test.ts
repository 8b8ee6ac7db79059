/**
 * The BERT and T5 examples in quick mode (seconds): their key numbers are checked. The full runs, with
 * the real targets, are run by hand (`pnpm example bert-transfer`, `pnpm example t5-tasks`); their
 * numbers are in the README.
 */
import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../src/examples/index';

const quiet = { quick: true, print: () => {} };

async function run<T>(name: string): Promise<T> {
  const module = await EXAMPLES[name].load();
  return (await module.main(quiet)) as T;
}

describe('transformer examples (quick mode)', () => {
  it('bert-transfer: MLM pre-training lowers the loss; one input vector of "date" becomes four contextual ones', async () => {
    const result = await run<{
      mlm: { firstLoss: number; lastLoss: number };
      accuracy: { pretrainedMean: number; scratchMean: number };
      date: { inputSimilarity: number[][]; similarity: number[][] };
    }>('bert-transfer');
    expect(result.mlm.lastLoss).toBeLessThan(result.mlm.firstLoss - 0.2);
    for (const accuracy of [result.accuracy.pretrainedMean, result.accuracy.scratchMean]) expect(accuracy).toBeGreaterThanOrEqual(0.4);
    // "the date …": same token, same position, so the same vector before the encoder; the words after it
    // (which BERT attends to as well) give it another vector in every sentence.
    const { inputSimilarity, similarity } = result.date;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        expect(1 - inputSimilarity[i][j]).toBeLessThan(1e-7);
        if (i !== j) expect(1 - similarity[i][j]).toBeGreaterThan(1e-5);
      }
    }
  });

  it('t5-tasks: one T5 on three prefixed tasks — the loss falls well below its start in a short run', async () => {
    const result = await run<{ firstLoss: number; lastLoss: number; exactMatch: Record<string, number> }>('t5-tasks');
    expect(result.lastLoss).toBeLessThan(0.75 * result.firstLoss);
    expect(Object.keys(result.exactMatch)).toEqual(['reverse', 'sort', 'date']);
  });
});
