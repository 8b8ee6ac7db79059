/**
 * Random restarts: train the same model several times from different random initialisations and keep the
 * run with the lowest validation loss.
 */
import { DEFAULT_SEED, ValueError, manualSeed } from '@tessera/core';
import { checkNumber, describe } from './checks';

/** What a trial must return: at least its validation loss (anything else, such as the model, is kept). */
export interface TrialResult {
  valLoss: number;
}

/** Options of {@link randomRestarts}. */
export interface RandomRestartsOptions {
  /** Restart r runs after `manualSeed(seed + r)` (default core's default seed, PyTorch's). */
  seed?: number;
}

/** What {@link randomRestarts} returns. */
export interface RandomRestartsResult<R extends TrialResult> {
  /** The result with the lowest `valLoss` (the earliest on ties; NaN counts as worst). */
  best: R;
  /** Which restart produced `best`. */
  bestRestart: number;
  /** The seed `best` ran with (`seed + bestRestart`). */
  bestSeed: number;
  /** Every result, indexed by restart. */
  results: R[];
}

/**
 * The course's random restart: gradient descent can settle in a poor local minimum, so start it again
 * from different random initial weights (`w₀ + ε, ε ~ N(0, σ²)`, one seed per run) and keep the solution
 * with the lowest loss, `w* = argmin L(w)` — judged here on validation data.
 *
 * `trial(restart, seed)` runs once per restart, in order, after `manualSeed(seed + restart)`, so the
 * initial weights, dropout masks and shuffles of each run are reproducible. It may be async. Models in
 * the results that are not the best are the caller's to dispose.
 *
 * @example
 * const { best, results } = await randomRestarts(5, async () => {
 *   const model = new MLP([2, 8, 1]);
 *   const history = await fit(model, { train, val, loss, optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 50 });
 *   return { valLoss: history.epochs.at(-1)!.val_loss!, model };
 * }, { seed: 42 });
 */
export async function randomRestarts<R extends TrialResult>(
  n: number,
  trial: (restart: number, seed: number) => R | Promise<R>,
  options: RandomRestartsOptions = {},
): Promise<RandomRestartsResult<R>> {
  const owner = 'randomRestarts';
  checkNumber(owner, 'n', n, { min: 1, integer: true });
  if (typeof trial !== 'function') throw new ValueError(`${owner}: expected trial to be a function, got ${describe(trial)}`);
  const seed = checkNumber(owner, 'seed', options.seed ?? DEFAULT_SEED, { min: 0, integer: true });
  const results: R[] = [];
  let bestRestart = -1;
  for (let restart = 0; restart < n; restart++) {
    manualSeed(seed + restart);
    const result = await trial(restart, seed + restart);
    if (result === null || typeof result !== 'object' || typeof result.valLoss !== 'number') {
      throw new ValueError(`${owner}: trial ${restart} returned ${describe(result)}; expected an object with a numeric valLoss`);
    }
    results.push(result);
    if (bestRestart < 0 || isBetter(result.valLoss, results[bestRestart].valLoss)) bestRestart = restart;
  }
  return { best: results[bestRestart], bestRestart, bestSeed: seed + bestRestart, results };
}

function isBetter(candidate: number, best: number): boolean {
  if (Number.isNaN(candidate)) return false;
  return Number.isNaN(best) || candidate < best;
}
