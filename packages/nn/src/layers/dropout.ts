/**
 * Dropout layer.
 */
import { ValueError, type Tensor } from '@tessera/core';
import { Module } from '../module';
import { dropout } from '../functional/linear';

/**
 * Inverted dropout with drop probability `p` (default 0.5): in training each element is zeroed with
 * probability p and the rest are scaled by 1/(1 − p); in evaluation (`eval()`) it is the identity.
 * The course's form y = f(Wx)·mask/p uses p as the *keep* probability: it is this layer with p_drop = 1 − p_keep.
 * @example
 * const drop = new Dropout(0.2);
 * drop.forward(x);       // training: about 20% zeros, the rest ×1.25
 * drop.eval().forward(x); // x
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError(`Dropout: p must be a probability in [0, 1], got ${p}`);
  }

  forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
