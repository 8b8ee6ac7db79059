/**
 * Multi-class losses: CrossEntropyLoss (on logits) and NLLLoss (on log-probabilities).
 */
import { keep, type Tensor } from '@tessera/core';
import { crossEntropy, nllLoss } from '../functional/losses';
import { Loss, type LossOptions } from './reduction';

/** Options of {@link NLLLoss}. */
export interface NLLLossOptions extends LossOptions {
  /** Per-class weights `[C]`; the mean is then Σ w[t]·loss / Σ w[t]. */
  weight?: Tensor | null;
  /** Targets with this value are skipped (default −100). */
  ignoreIndex?: number;
}

/** Options of {@link CrossEntropyLoss}. */
export interface CrossEntropyLossOptions extends NLLLossOptions {
  /** ε ∈ [0, 1]: the target becomes (1 − ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}

/**
 * Softmax + negative log-likelihood on logits `[N, C]` (or `[C]`, `[N, C, d1, …]`), with int32 class
 * indices or class probabilities as the target.
 * @example
 * const criterion = new CrossEntropyLoss({ labelSmoothing: 0.1 });
 * criterion.forward(model.forward(x), labels);
 */
export class CrossEntropyLoss extends Loss {
  readonly weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(options: CrossEntropyLossOptions = {}) {
    super(options);
    this.weight = options.weight ? keep(options.weight) : null;
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
    if (this.weight) this.registerBuffer('weight', this.weight);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, {
      reduction: this.reduction,
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      labelSmoothing: this.labelSmoothing,
    });
  }

  override extraRepr(): string {
    return `reduction='${this.reduction}', ignoreIndex=${this.ignoreIndex}, labelSmoothing=${this.labelSmoothing}`;
  }
}

/**
 * Negative log-likelihood of log-probabilities (e.g. after LogSoftmax) at int32 class indices.
 * @example
 * new NLLLoss().forward(logits.logSoftmax(1), labels);
 */
export class NLLLoss extends Loss {
  readonly weight: Tensor | null;
  readonly ignoreIndex: number;

  constructor(options: NLLLossOptions = {}) {
    super(options);
    this.weight = options.weight ? keep(options.weight) : null;
    this.ignoreIndex = options.ignoreIndex ?? -100;
    if (this.weight) this.registerBuffer('weight', this.weight);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { reduction: this.reduction, weight: this.weight, ignoreIndex: this.ignoreIndex });
  }
}
