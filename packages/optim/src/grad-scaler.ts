/**
 * Dynamic loss scaling for float16 training, with the algorithm of PyTorch's `torch.cuda.amp.GradScaler`
 * (1.13): multiply the loss by a scale S before backward so small float16 gradients do not underflow;
 * before the step divide the gradients by S and look for inf/NaN; skip the step when any is found.
 * After each iteration, `update()` halves S (`backoffFactor`) if a step was skipped, and doubles it
 * (`growthFactor`) after `growthInterval` clean steps in a row — ATen's `_amp_update_scale_`, including
 * its refusal to grow S past float32's range.
 *
 * One difference from PyTorch: reads are asynchronous in Tessera, so `unscale_` and `step` return
 * Promises (the inf/NaN check is read once, where PyTorch's `step` reads it with `.item()`), and the
 * scale lives on the host as a float32 number rather than in a device tensor.
 */
import { ValueError, isTensor, noGrad, rowSparseGrad, tidy, type Tensor } from '@tessera/core';
import { checkNumber, describe } from './checks';

/** Options of {@link GradScaler} (PyTorch's defaults). */
export interface GradScalerOptions {
  /** The scale before the first update (default 2¹⁶). */
  initScale?: number;
  /** Multiplies the scale after `growthInterval` clean steps (default 2; must be > 1). */
  growthFactor?: number;
  /** Multiplies the scale after a step with inf/NaN gradients (default 0.5; must be < 1). */
  backoffFactor?: number;
  /** Clean steps in a row before the scale grows (default 2000). */
  growthInterval?: number;
  /** When false, every method is a pass-through: `scale` returns its input, `step` just steps (default true). */
  enabled?: boolean;
}

/** What the scaler needs from an optimizer: its parameter groups and `step()` (optim's optimizers have them). */
export interface ScalableOptimizer {
  readonly paramGroups: readonly { params: readonly Tensor[] }[];
  step(): void | Promise<void>;
}

/** {@link GradScaler.stateDict}: the numbers that resume a scaler (PyTorch's keys, camelCase). */
export interface GradScalerStateDict {
  scale: number;
  growthFactor: number;
  backoffFactor: number;
  growthInterval: number;
  /** Clean steps since the scale last changed. */
  growthTracker: number;
}

/** Where an optimizer is in the current iteration (PyTorch's `OptState`). */
type Stage = 'ready' | 'unscaled' | 'stepped';

interface OptimizerRecord {
  stage: Stage;
  /** Whether its gradients held inf/NaN (known after unscale_). */
  foundInf: boolean | null;
}

/**
 * Loss scaling for mixed-precision training (PyTorch's `torch.cuda.amp.GradScaler`).
 * @example
 * const scaler = new GradScaler();
 * for (const [x, y] of loader) {
 *   optimizer.zeroGrad();
 *   const loss = autocast(() => F.crossEntropy(model.forward(x), y));
 *   scaler.scale(loss).backward();
 *   await scaler.unscale_(optimizer);           // optional: to clip the true gradients
 *   clipGradNorm(model.parameters(), 1.0);
 *   await scaler.step(optimizer);                // skipped when a gradient is inf/NaN
 *   scaler.update();
 * }
 */
export class GradScaler {
  private readonly enabled: boolean;
  private initScale: number;
  private scaleValue: number | null = null;
  private growthFactor: number;
  private backoffFactor: number;
  private growthInterval: number;
  private initGrowthTracker = 0;
  private growthTracker = 0;
  private optimizers = new Map<ScalableOptimizer, OptimizerRecord>();

  constructor(options: GradScalerOptions = {}) {
    const owner = 'GradScaler';
    if (options === null || typeof options !== 'object') throw new ValueError(`${owner}: options must be an object, got ${describe(options)}`);
    this.enabled = options.enabled ?? true;
    if (typeof this.enabled !== 'boolean') throw new ValueError(`${owner}: enabled must be a boolean, got ${describe(options.enabled)}`);
    this.initScale = checkNumber(owner, 'initScale', options.initScale ?? 2 ** 16, { min: 0, minExclusive: true });
    this.growthFactor = checkGrowthFactor(owner, options.growthFactor ?? 2);
    this.backoffFactor = checkBackoffFactor(owner, options.backoffFactor ?? 0.5);
    this.growthInterval = checkNumber(owner, 'growthInterval', options.growthInterval ?? 2000, { min: 1, integer: true });
  }

  /**
   * The outputs (a loss, or a list of tensors) multiplied by the current scale; call `backward()` on
   * the result. The first call starts the scaler (PyTorch initialises its scale lazily here).
   * @example
   * scaler.scale(loss).backward();
   */
  scale<T extends Tensor | readonly Tensor[]>(outputs: T): T {
    if (!this.enabled) return outputs;
    if (this.scaleValue === null) {
      this.scaleValue = Math.fround(this.initScale);
      this.growthTracker = this.initGrowthTracker;
    }
    const factor = this.scaleValue;
    if (isTensor(outputs)) return outputs.mul(factor) as T;
    if (Array.isArray(outputs) && outputs.every(isTensor)) return outputs.map((t: Tensor) => t.mul(factor)) as unknown as T;
    throw new ValueError(`GradScaler.scale: outputs must be a Tensor or an array of Tensors, got ${describe(outputs)}`);
  }

  /**
   * Divide the optimizer's gradients by the scale, in place, and record whether any is inf/NaN (checked
   * on the scaled values, as PyTorch). Call it before clipping or inspecting gradients; `step` calls it
   * when you did not. At most once per optimizer per iteration. float16 gradients are refused: keep
   * float32 master weights (autocast casts them for the float16 ops).
   * @example
   * await scaler.unscale_(optimizer);
   * clipGradNorm(model.parameters(), 1.0);
   */
  async unscale_(optimizer: ScalableOptimizer): Promise<void> {
    if (!this.enabled) return;
    const scale = this.checkStarted('unscale_');
    const record = this.recordOf(optimizer);
    if (record.stage === 'unscaled') throw new ValueError('GradScaler.unscale_: unscale_() has already been called on this optimizer since the last update()');
    if (record.stage === 'stepped') throw new ValueError('GradScaler.unscale_: unscale_() is being called after step()');
    // As PyTorch: the reciprocal in double, then rounded to float32.
    const invScale = Math.fround(1 / scale);
    const grads = gradientsOf(optimizer);
    const nonFinite = noGrad(() =>
      tidy(() => {
        let flags: Tensor | null = null;
        for (const grad of grads) {
          // inf·0 and NaN·0 are NaN, finite·0 is 0: one sum per gradient flags it.
          const flag = grad.mul(0).sum().float();
          flags = flags ? flags.add(flag) : flag;
          if (invScale !== 1) grad.assign(grad.mul(invScale));
        }
        return flags;
      }),
    );
    record.foundInf = nonFinite === null ? false : !Number.isFinite(await nonFinite.item());
    nonFinite?.dispose();
    record.stage = 'unscaled';
  }

  /**
   * Unscale the gradients (unless `unscale_` already did) and run `optimizer.step()` only if none of them
   * is inf/NaN. Resolves to whether the step ran. Once per optimizer per iteration.
   * @example
   * const stepped = await scaler.step(optimizer);
   */
  async step(optimizer: ScalableOptimizer): Promise<boolean> {
    if (!this.enabled) {
      await optimizer.step();
      return true;
    }
    this.checkStarted('step');
    const record = this.recordOf(optimizer);
    if (record.stage === 'stepped') throw new ValueError('GradScaler.step: step() has already been called since the last update()');
    if (record.stage === 'ready') await this.unscale_(optimizer);
    const stepped = record.foundInf === false;
    if (stepped) await optimizer.step();
    record.stage = 'stepped';
    return stepped;
  }

  /**
   * End the iteration: set the scale to `newScale`, or else halve it if any optimizer found inf/NaN this
   * iteration, or double it after `growthInterval` clean iterations in a row (never past float32's range).
   * @example
   * scaler.update();
   */
  update(newScale?: number): void {
    if (!this.enabled) return;
    const scale = this.checkStarted('update');
    if (newScale !== undefined) {
      this.scaleValue = Math.fround(checkNumber('GradScaler.update', 'newScale', newScale, { min: 0, minExclusive: true }));
    } else {
      const checks = [...this.optimizers.values()].filter((record) => record.foundInf !== null);
      if (checks.length === 0) throw new ValueError('GradScaler.update: no inf checks were recorded prior to update(); call step(optimizer) (or unscale_) first');
      const foundInf = checks.some((record) => record.foundInf);
      // ATen's _amp_update_scale_: float32 scale times a double factor, narrowed to float32.
      if (foundInf) {
        this.scaleValue = Math.fround(scale * this.backoffFactor);
        this.growthTracker = 0;
      } else {
        const successful = this.growthTracker + 1;
        if (successful === this.growthInterval) {
          const grown = Math.fround(scale * this.growthFactor);
          if (Number.isFinite(grown)) this.scaleValue = grown;
          this.growthTracker = 0;
        } else {
          this.growthTracker = successful;
        }
      }
    }
    this.optimizers = new Map();
  }

  /** The current scale (the initial one before the first `scale()`; 1 when disabled). @example scaler.getScale() // 65536 */
  getScale(): number {
    if (!this.enabled) return 1;
    return this.scaleValue ?? this.initScale;
  }

  /** @example scaler.getGrowthFactor() // 2 */
  getGrowthFactor(): number {
    return this.growthFactor;
  }

  /** @example scaler.setGrowthFactor(1.5) */
  setGrowthFactor(value: number): void {
    this.growthFactor = checkGrowthFactor('GradScaler.setGrowthFactor', value);
  }

  /** @example scaler.getBackoffFactor() // 0.5 */
  getBackoffFactor(): number {
    return this.backoffFactor;
  }

  /** @example scaler.setBackoffFactor(0.25) */
  setBackoffFactor(value: number): void {
    this.backoffFactor = checkBackoffFactor('GradScaler.setBackoffFactor', value);
  }

  /** @example scaler.getGrowthInterval() // 2000 */
  getGrowthInterval(): number {
    return this.growthInterval;
  }

  /** @example scaler.setGrowthInterval(100) */
  setGrowthInterval(value: number): void {
    this.growthInterval = checkNumber('GradScaler.setGrowthInterval', 'growthInterval', value, { min: 1, integer: true });
  }

  /** Whether scaling is on. @example new GradScaler({ enabled: false }).isEnabled() // false */
  isEnabled(): boolean {
    return this.enabled;
  }

  /**
   * The scale, the factors, the interval and the clean-step count, to save with a checkpoint (empty when
   * disabled, as PyTorch).
   * @example
   * const state = scaler.stateDict(); // { scale: 65536, growthFactor: 2, backoffFactor: 0.5, growthInterval: 2000, growthTracker: 0 }
   */
  stateDict(): GradScalerStateDict | Record<string, never> {
    if (!this.enabled) return {};
    return {
      scale: this.getScale(),
      growthFactor: this.growthFactor,
      backoffFactor: this.backoffFactor,
      growthInterval: this.growthInterval,
      growthTracker: this.scaleValue === null ? this.initGrowthTracker : this.growthTracker,
    };
  }

  /**
   * Restore a state from {@link stateDict}.
   * @example
   * scaler.loadStateDict(saved);
   */
  loadStateDict(state: GradScalerStateDict | Record<string, never>): void {
    if (!this.enabled) return;
    if (state === null || typeof state !== 'object' || Object.keys(state).length === 0) {
      throw new ValueError('GradScaler.loadStateDict: the state dict is empty, possibly because it was saved from a disabled GradScaler');
    }
    const owner = 'GradScaler.loadStateDict';
    const full = state as GradScalerStateDict;
    this.initScale = checkNumber(owner, 'scale', full.scale, { min: 0, minExclusive: true });
    if (this.scaleValue !== null) this.scaleValue = Math.fround(this.initScale);
    this.growthFactor = checkGrowthFactor(owner, full.growthFactor);
    this.backoffFactor = checkBackoffFactor(owner, full.backoffFactor);
    this.growthInterval = checkNumber(owner, 'growthInterval', full.growthInterval, { min: 1, integer: true });
    this.initGrowthTracker = checkNumber(owner, 'growthTracker', full.growthTracker, { min: 0, integer: true });
    if (this.scaleValue !== null) this.growthTracker = this.initGrowthTracker;
  }

  private checkStarted(method: string): number {
    if (this.scaleValue === null) {
      throw new ValueError(`GradScaler.${method}: the scaler has no scale yet; call scaler.scale(loss) earlier in the iteration`);
    }
    return this.scaleValue;
  }

  private recordOf(optimizer: ScalableOptimizer): OptimizerRecord {
    if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(optimizer.paramGroups) || typeof optimizer.step !== 'function') {
      throw new ValueError(`GradScaler: expected an optimizer with paramGroups and step(), got ${describe(optimizer)}`);
    }
    let record = this.optimizers.get(optimizer);
    if (!record) this.optimizers.set(optimizer, (record = { stage: 'ready', foundInf: null }));
    return record;
  }
}

/** Every gradient the optimizer will read: dense `.grad`s and the values of row-sparse ones. */
function gradientsOf(optimizer: ScalableOptimizer): Tensor[] {
  const grads: Tensor[] = [];
  for (const group of optimizer.paramGroups) {
    for (const param of group.params) {
      const grad = param.grad ?? rowSparseGrad(param)?.values ?? null;
      if (grad === null) continue;
      if (grad.dtype === 'float16') {
        throw new ValueError(
          `GradScaler.unscale_: attempting to unscale float16 gradients (a parameter of shape [${param.shape.join(', ')}]); ` +
            'keep the parameters in float32 and let autocast cast them for the float16 ops',
        );
      }
      grads.push(grad);
    }
  }
  return grads;
}

function checkGrowthFactor(owner: string, value: number): number {
  const factor = checkNumber(owner, 'growthFactor', value);
  if (!(factor > 1)) throw new ValueError(`${owner}: growthFactor must be > 1, got ${factor}`);
  return factor;
}

function checkBackoffFactor(owner: string, value: number): number {
  const factor = checkNumber(owner, 'backoffFactor', value);
  if (!(factor < 1) || !(factor > 0)) throw new ValueError(`${owner}: backoffFactor must be in (0, 1), got ${factor}`);
  return factor;
}
