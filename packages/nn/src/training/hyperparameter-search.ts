/**
 * Hyperparameter search over training runs: a grid (every combination) or random sampling of a search
 * space, one `run(config)` per trial (typically a `fit`), the metric read from what it returns, and the
 * best configuration with a results table.
 */
import { DEFAULT_SEED, ValueError, manualSeed } from '@tessera/core';
import { PhiloxGenerator } from '../generation/philox-generator';
import { History } from './history';

/** A continuous or integer range to sample from (random search only). */
export type Distribution =
  | { uniform: readonly [number, number] }
  | { logUniform: readonly [number, number] }
  | { int: readonly [number, number] };

/** Per hyperparameter: the values to try (grid or random choice), or a range (random search). */
export type SearchSpace = Record<string, readonly unknown[] | Distribution>;

/** A configuration: one value per hyperparameter of the space. */
export type Config = Record<string, any>;

/** What a trial may return: the metric itself, a `fit` History, or an object with the metric (and anything else to keep). */
export type TrialOutcome = number | History | Record<string, unknown>;

/** Options of {@link hyperparameterSearch}. */
export interface HyperparameterSearchOptions<C extends Config, R extends TrialOutcome> {
  /** The hyperparameters and their candidate values or ranges. */
  space: SearchSpace;
  /** `'grid'` (every combination of the lists, in order; the default when every entry is a list) or `'random'`. */
  strategy?: 'grid' | 'random';
  /** Number of trials: required for a random search; for a grid, the first `trials` combinations (default all). */
  trials?: number;
  /** Train and evaluate one configuration. It may be async. */
  run: (config: C, trial: number) => R | Promise<R>;
  /** The metric: a log key read from a History (its last logged value) or from the returned object (default `'val_loss'`). */
  metric?: string;
  /** Whether a lower (`'min'`, default) or higher (`'max'`) metric is better. */
  mode?: 'min' | 'max';
  /**
   * Seeds the random sampling of configurations, and `manualSeed(seed)` runs before every trial, so each
   * starts from the same initial weights and data order and the configurations alone differ (default core's default seed).
   */
  seed?: number;
  /** Called after each trial with its result (e.g. to print progress). */
  onTrialEnd?: (result: TrialResult<C, R>) => void;
}

/** One trial's configuration, metric and what `run` returned. */
export interface TrialResult<C extends Config, R extends TrialOutcome> {
  trial: number;
  config: C;
  /** The metric (NaN when the run diverged or did not log it: never the best). */
  value: number;
  seconds: number;
  outcome: R;
}

/** What {@link hyperparameterSearch} returns. */
export interface SearchResult<C extends Config, R extends TrialOutcome> {
  /** The trial with the best metric (the earliest on ties). */
  best: TrialResult<C, R>;
  /** Every trial, in the order run. */
  results: TrialResult<C, R>[];
  /** A plain-text table: one row per trial, its hyperparameters and metric, the best marked with `*`, sorted best first. */
  table(): string;
}

function isDistribution(value: unknown): value is Distribution {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && ('uniform' in value || 'logUniform' in value || 'int' in value);
}

function checkSpace(space: SearchSpace, strategy: 'grid' | 'random'): void {
  const op = 'hyperparameterSearch';
  if (space === null || typeof space !== 'object' || Object.keys(space).length === 0) throw new ValueError(`${op}: space must be an object with at least one hyperparameter`);
  for (const [name, entry] of Object.entries(space)) {
    if (Array.isArray(entry)) {
      if (entry.length === 0) throw new ValueError(`${op}: space.${name} lists no values`);
      continue;
    }
    if (!isDistribution(entry)) throw new ValueError(`${op}: space.${name} must be a list of values or { uniform | logUniform | int: [low, high] }`);
    if (strategy === 'grid') throw new ValueError(`${op}: space.${name} is a range, which a grid cannot enumerate; use strategy: 'random' or list the values`);
    const [low, high] = Object.values(entry)[0] as [number, number];
    if (!(typeof low === 'number' && typeof high === 'number' && low <= high)) throw new ValueError(`${op}: space.${name} needs [low, high] with low ≤ high, got [${low}, ${high}]`);
    if ('logUniform' in entry && !(low > 0)) throw new ValueError(`${op}: space.${name} logUniform needs low > 0, got ${low}`);
    if ('int' in entry && !(Number.isInteger(low) && Number.isInteger(high))) throw new ValueError(`${op}: space.${name} int needs integer bounds, got [${low}, ${high}]`);
  }
}

/** Every combination of the lists, the last hyperparameter varying fastest. */
function grid(space: SearchSpace): Config[] {
  let configs: Config[] = [{}];
  for (const [name, values] of Object.entries(space) as [string, readonly unknown[]][]) {
    configs = configs.flatMap((config) => values.map((value) => ({ ...config, [name]: value })));
  }
  return configs;
}

function sample(space: SearchSpace, generator: PhiloxGenerator): Config {
  const config: Config = {};
  for (const [name, entry] of Object.entries(space)) {
    const u = generator.uniform();
    if (!isDistribution(entry)) config[name] = (entry as readonly unknown[])[Math.floor(u * entry.length)];
    else if ('uniform' in entry) config[name] = entry.uniform[0] + u * (entry.uniform[1] - entry.uniform[0]);
    else if ('logUniform' in entry) config[name] = Math.exp(Math.log(entry.logUniform[0]) + u * (Math.log(entry.logUniform[1]) - Math.log(entry.logUniform[0])));
    else config[name] = entry.int[0] + Math.floor(u * (entry.int[1] - entry.int[0] + 1));
  }
  return config;
}

/** The metric from what a trial returned: a number, a History's last logged value of `metric`, or a field. */
function metricOf(outcome: TrialOutcome, metric: string, trial: number): number {
  if (typeof outcome === 'number') return outcome;
  if (outcome instanceof History) {
    const lastOf = (logs: readonly Record<string, number>[]) => logs.filter((entry) => entry[metric] !== undefined).at(-1)?.[metric];
    const value = lastOf(outcome.epochs) ?? lastOf(outcome.steps);
    if (value === undefined) throw new ValueError(`hyperparameterSearch: trial ${trial}'s History has no '${metric}' (give fit val data, or choose another metric)`);
    return value;
  }
  if (outcome !== null && typeof outcome === 'object' && typeof outcome[metric] === 'number') return outcome[metric] as number;
  throw new ValueError(`hyperparameterSearch: trial ${trial} returned ${outcome === null ? 'null' : typeof outcome}; return the metric, a fit History, or an object with a numeric '${metric}'`);
}

function isBetter(candidate: number, best: number, mode: 'min' | 'max'): boolean {
  if (Number.isNaN(candidate)) return false;
  if (Number.isNaN(best)) return true;
  return mode === 'min' ? candidate < best : candidate > best;
}

function formatValue(value: unknown): string {
  if (typeof value !== 'number') return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e4 ? value.toPrecision(4) : value.toExponential(3);
}

/**
 * Search hyperparameters by training once per configuration — the course's "careful hyperparameter
 * tuning" as a loop: a grid over lists of values, or random sampling (lists, `uniform`, `logUniform`,
 * `int` ranges). Each trial runs `run(config, trial)` after `manualSeed(seed)`; the metric is what it
 * returns — a number, a `fit` History (the last logged value of `metric`, `val_loss` by default), or an
 * object with that field. Returns every trial, the best one and a results table. Models in the outcomes
 * are the caller's to dispose.
 * @example
 * const search = await hyperparameterSearch({
 *   space: { lr: [0.3, 0.1, 0.03], hidden: [16, 64] },
 *   run: async ({ lr, hidden }) => {
 *     const model = new MLP({ sizes: [4, hidden, 3] });
 *     return fit(model, { train, val, loss, optimizer: new SGD(model.parameters(), { lr }), epochs: 20 });
 *   },
 * });
 * console.log(search.table());
 * search.best.config; // { lr: 0.1, hidden: 64 }
 */
export async function hyperparameterSearch<C extends Config = Config, R extends TrialOutcome = TrialOutcome>(
  options: HyperparameterSearchOptions<C, R>,
): Promise<SearchResult<C, R>> {
  const op = 'hyperparameterSearch';
  if (options === null || typeof options !== 'object') throw new ValueError(`${op}: expected options { space, run, trials?, strategy?, metric?, mode? }`);
  const { space, run } = options;
  const lists = space && typeof space === 'object' && Object.values(space).every(Array.isArray);
  const strategy = options.strategy ?? (lists ? 'grid' : 'random');
  if (strategy !== 'grid' && strategy !== 'random') throw new ValueError(`${op}: strategy must be 'grid' or 'random', got ${JSON.stringify(strategy)}`);
  checkSpace(space, strategy);
  if (typeof run !== 'function') throw new ValueError(`${op}: run must be a function (config, trial) => metric | History`);
  const metric = options.metric ?? 'val_loss';
  const mode = options.mode ?? 'min';
  if (mode !== 'min' && mode !== 'max') throw new ValueError(`${op}: mode must be 'min' or 'max', got ${JSON.stringify(mode)}`);
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ValueError(`${op}: seed must be a non-negative safe integer, got ${seed}`);
  const trials = options.trials;
  if (trials !== undefined && !(Number.isSafeInteger(trials) && trials >= 1)) throw new ValueError(`${op}: trials must be a positive integer, got ${trials}`);
  if (strategy === 'random' && trials === undefined) throw new ValueError(`${op}: a random search needs trials: the number of configurations to sample`);

  const generator = new PhiloxGenerator(seed);
  const configs = strategy === 'grid' ? grid(space).slice(0, trials) : Array.from({ length: trials! }, () => sample(space, generator));
  const results: TrialResult<C, R>[] = [];
  let best = -1;
  for (const [trial, config] of configs.entries()) {
    manualSeed(seed);
    const started = performance.now();
    const outcome = await run(config as C, trial);
    const result: TrialResult<C, R> = { trial, config: config as C, value: metricOf(outcome, metric, trial), seconds: (performance.now() - started) / 1000, outcome };
    results.push(result);
    if (best < 0 || isBetter(result.value, results[best].value, mode)) best = trial;
    options.onTrialEnd?.(result);
  }
  const names = Object.keys(space);
  return {
    best: results[best],
    results,
    table: () => {
      const ranked = [...results].sort((a, b) => (isBetter(a.value, b.value, mode) ? -1 : isBetter(b.value, a.value, mode) ? 1 : a.trial - b.trial));
      const header = ['', 'trial', ...names, metric, 'seconds'];
      const rows = ranked.map((r) => [r.trial === best ? '*' : '', String(r.trial), ...names.map((name) => formatValue(r.config[name])), formatValue(r.value), r.seconds.toFixed(2)]);
      const widths = header.map((_, c) => Math.max(header[c].length, ...rows.map((row) => row[c].length)));
      const line = (cells: string[]) => cells.map((cell, c) => cell.padStart(widths[c])).join('  ');
      return [line(header), ...rows.map(line)].join('\n');
    },
  };
}
