/**
 * What every learning-rate schedule has in common: `step()`, `getLastLr()` and a state dict, and the
 * base class of the schedules that are a closed-form function of the step count.
 */
import { ValueError } from '@tessera/core';
import { describe } from '../checks';

/** What a schedule needs of an optimizer: parameter groups with a writable `lr`. */
export interface OptimizerLike {
  paramGroups: { lr: number }[];
}

/**
 * A learning-rate schedule. Call `step()` once per epoch (or per batch, as the schedule is meant),
 * after `optimizer.step()`; `ReduceLROnPlateau` takes the monitored metric: `step(valLoss)`.
 * @example
 * const scheduler = new StepLR(optimizer, { stepSize: 10, gamma: 0.5 });
 * for (let epoch = 0; epoch < 30; epoch++) { trainOneEpoch(); scheduler.step(); }
 */
export interface Scheduler {
  /** Whether `step()` needs the monitored metric (true for ReduceLROnPlateau); training loops read it. */
  readonly requiresMetric: boolean;
  /** Advance the schedule by one step and write the new learning rates into the optimizer. */
  step(metric?: number): void;
  /** The learning rate of each parameter group after the last `step()` (or at construction). */
  getLastLr(): number[];
  /** The schedule's position, as plain numbers. */
  stateDict(): SchedulerStateDict;
  /** Resume from {@link stateDict}; the optimizer's learning rates come from the optimizer's own state dict. */
  loadStateDict(stateDict: SchedulerStateDict): void;
}

/** A schedule's state: plain numbers (and nested state dicts for composed schedules). */
export type SchedulerStateDict = Record<string, unknown>;

/** @internal Throw unless `optimizer` has parameter groups with numeric learning rates. */
export function checkOptimizer(owner: string, optimizer: unknown): OptimizerLike {
  const groups = (optimizer as OptimizerLike | null)?.paramGroups;
  if (!Array.isArray(groups) || groups.length === 0 || groups.some((group) => typeof group?.lr !== 'number')) {
    throw new ValueError(`${owner}: expected an optimizer with paramGroups that have a numeric lr, got ${describe(optimizer)}`);
  }
  return optimizer as OptimizerLike;
}

/**
 * Base class of the schedules whose learning rate is a closed-form function of the base learning rates
 * (the groups' `lr` when the schedule is made) and of the number of `step()` calls — PyTorch's closed forms.
 * Because each rate is computed from the base rate, two such schedules on one optimizer do not multiply:
 * compose them with {@link LinearWarmup} instead.
 * @example
 * class Halving extends LRScheduler { protected lrAt(epoch: number) { return this.baseLrs.map((lr) => lr / 2 ** epoch); } }
 */
export abstract class LRScheduler implements Scheduler {
  readonly requiresMetric: boolean = false;
  /** The learning rate of each group when the schedule was made. */
  baseLrs: number[];
  /** How many times `step()` was called. */
  lastEpoch = 0;
  private lastLr: number[];

  protected constructor(
    protected readonly name: string,
    readonly optimizer: OptimizerLike,
  ) {
    checkOptimizer(name, optimizer);
    this.baseLrs = optimizer.paramGroups.map((group) => group.lr);
    this.lastLr = [...this.baseLrs];
  }

  /** The learning rate of each group after `epoch` steps, from {@link baseLrs}. */
  protected abstract lrAt(epoch: number): number[];

  /** Write the schedule's rates for the current position into the optimizer (subclasses call it once constructed). */
  protected apply(): void {
    this.lastLr = this.lrAt(this.lastEpoch);
    this.optimizer.paramGroups.forEach((group, index) => {
      if (index < this.lastLr.length) group.lr = this.lastLr[index];
    });
  }

  /** Advance by one step (any argument is ignored: only `ReduceLROnPlateau` reads a metric). */
  step(_metric?: number): void {
    this.lastEpoch += 1;
    this.apply();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  loadStateDict(stateDict: SchedulerStateDict): void {
    const { lastEpoch, baseLrs, lastLr } = stateDict as { lastEpoch: unknown; baseLrs: unknown; lastLr: unknown };
    const groups = this.optimizer.paramGroups.length;
    if (typeof lastEpoch !== 'number' || !isNumberList(baseLrs, groups) || !isNumberList(lastLr, groups)) {
      throw new ValueError(`${this.name}.loadStateDict: expected { lastEpoch, baseLrs, lastLr } with one rate per parameter group (${groups}), as returned by stateDict()`);
    }
    this.lastEpoch = lastEpoch;
    this.baseLrs = [...baseLrs];
    this.lastLr = [...lastLr];
  }
}

/** @internal */
export function isNumberList(value: unknown, length: number): value is number[] {
  return Array.isArray(value) && value.length === length && value.every((item) => typeof item === 'number');
}
