/** ReduceLROnPlateau: lower the learning rate when a monitored metric stops improving. */
import { ValueError } from '@tessera/core';
import { checkChoice, checkNumber, describe } from '../checks';
import { checkOptimizer, isNumberList, type OptimizerLike, type Scheduler, type SchedulerStateDict } from './scheduler';

/** Options of {@link ReduceLROnPlateau} (PyTorch's names and defaults, camelCase). */
export interface ReduceLROnPlateauOptions {
  /** `'min'`: lower is better (a loss); `'max'`: higher is better (an accuracy). Default `'min'`. */
  mode?: 'min' | 'max';
  /** Factor applied to the rate on a plateau, in (0, 1) (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before lowering the rate (default 10). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** `'rel'`: better than best·(1 ∓ threshold); `'abs'`: better than best ∓ threshold (default `'rel'`). */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** Lower bound of the rate: one number, or one per parameter group (default 0). */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/**
 * Reduce the learning rate by `factor` once the metric passed to `step(metric)` has not improved for more
 * than `patience` epochs, as PyTorch's `ReduceLROnPlateau`: then wait `cooldown` epochs before counting
 * again, and never go below `minLr`.
 * @example
 * const scheduler = new ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 2 });
 * for (let epoch = 0; epoch < 50; epoch++) { trainOneEpoch(); scheduler.step(await validationLoss()); }
 */
export class ReduceLROnPlateau implements Scheduler {
  readonly requiresMetric = true;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  /** The best metric so far (±∞ before the first step). */
  best: number;
  /** Consecutive epochs without improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** How many times `step()` was called. */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(
    readonly optimizer: OptimizerLike,
    options: ReduceLROnPlateauOptions = {},
  ) {
    const name = 'ReduceLROnPlateau';
    checkOptimizer(name, optimizer);
    this.mode = checkChoice(name, 'mode', options.mode ?? 'min', ['min', 'max'] as const);
    this.factor = checkNumber(name, 'factor', options.factor ?? 0.1, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
    this.patience = checkNumber(name, 'patience', options.patience ?? 10, { min: 0, integer: true });
    this.threshold = checkNumber(name, 'threshold', options.threshold ?? 1e-4, { min: 0 });
    this.thresholdMode = checkChoice(name, 'thresholdMode', options.thresholdMode ?? 'rel', ['rel', 'abs'] as const);
    this.cooldown = checkNumber(name, 'cooldown', options.cooldown ?? 0, { min: 0, integer: true });
    this.eps = checkNumber(name, 'eps', options.eps ?? 1e-8, { min: 0 });
    const groups = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== groups) {
        throw new ValueError(`${name}: minLr has ${minLr.length} values but the optimizer has ${groups} parameter group(s)`);
      }
      this.minLrs = minLr.map((value, index) => checkNumber(name, `minLr[${index}]`, value, { min: 0 }));
    } else {
      this.minLrs = new Array<number>(groups).fill(checkNumber(name, 'minLr', minLr, { min: 0 }));
    }
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((group) => group.lr);
  }

  /** Whether `value` is an improvement on `best` by the threshold. */
  isBetter(value: number, best: number): boolean {
    if (this.mode === 'min') {
      return this.thresholdMode === 'rel' ? value < best * (1 - this.threshold) : value < best - this.threshold;
    }
    return this.thresholdMode === 'rel' ? value > best * (1 + this.threshold) : value > best + this.threshold;
  }

  /** Record this epoch's metric; lower the rates when the plateau has lasted more than `patience` epochs. */
  step(metric?: number): void {
    if (typeof metric !== 'number') {
      throw new ValueError(`ReduceLROnPlateau.step: expected the monitored metric (a number, e.g. the validation loss), got ${describe(metric)}`);
    }
    this.lastEpoch += 1;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduce();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((group) => group.lr);
  }

  private reduce(): void {
    this.optimizer.paramGroups.forEach((group, index) => {
      const reduced = Math.max(group.lr * this.factor, this.minLrs[index] ?? 0);
      if (group.lr - reduced > this.eps) group.lr = reduced;
    });
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return {
      lastEpoch: this.lastEpoch,
      best: this.best,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastLr: [...this.lastLr],
    };
  }

  loadStateDict(stateDict: SchedulerStateDict): void {
    const { lastEpoch, best, numBadEpochs, cooldownCounter, lastLr } = stateDict as Record<string, unknown>;
    if (
      typeof lastEpoch !== 'number' ||
      typeof best !== 'number' ||
      typeof numBadEpochs !== 'number' ||
      typeof cooldownCounter !== 'number' ||
      !isNumberList(lastLr, this.optimizer.paramGroups.length)
    ) {
      throw new ValueError('ReduceLROnPlateau.loadStateDict: expected { lastEpoch, best, numBadEpochs, cooldownCounter, lastLr } as returned by stateDict()');
    }
    Object.assign(this, { lastEpoch, best, numBadEpochs, cooldownCounter });
    this.lastLr = [...lastLr];
  }
}
