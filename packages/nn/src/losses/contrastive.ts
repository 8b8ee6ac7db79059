/**
 * InfoNCELoss: the module form of `F.infoNCE` (in-batch negatives).
 */
import type { Tensor } from '@tessera/core';
import { infoNCE, type InfoNCEOptions } from '../functional/contrastive';
import { Loss } from './reduction';

/**
 * InfoNCE with in-batch negatives: `forward(queries, keys)` with row i of both a positive pair; every
 * other key of the batch is a negative. See `F.infoNCE` for the formula.
 * @example
 * const criterion = new InfoNCELoss({ temperature: 0.05 });
 * criterion.forward(encoder.forward(sentences), encoder.forward(paraphrases)).backward();
 */
export class InfoNCELoss extends Loss {
  readonly temperature: number;
  readonly normalize: boolean;
  readonly symmetric: boolean;

  constructor(options: InfoNCEOptions = {}) {
    super(options);
    this.temperature = options.temperature ?? 0.1;
    this.normalize = options.normalize ?? true;
    this.symmetric = options.symmetric ?? false;
  }

  forward(queries: Tensor, keys: Tensor): Tensor {
    return infoNCE(queries, keys, { temperature: this.temperature, normalize: this.normalize, symmetric: this.symmetric, reduction: this.reduction });
  }

  override extraRepr(): string {
    return `temperature=${this.temperature}, normalize=${this.normalize}, symmetric=${this.symmetric}, reduction='${this.reduction}'`;
  }
}
