/**
 * Regression losses: MSELoss and L1Loss.
 */
import type { Tensor } from '@tessera/core';
import { l1Loss, mseLoss } from '../functional/losses';
import { Loss } from './reduction';

/**
 * Mean squared error, mean((input − target)²).
 * @example
 * new MSELoss().forward(tensor([1, 2]), tensor([1, 4])); // 2
 */
export class MSELoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/**
 * Mean absolute error, mean(|input − target|).
 * @example
 * new L1Loss({ reduction: 'sum' }).forward(tensor([1, 2]), tensor([1, 4])); // 2
 */
export class L1Loss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}
