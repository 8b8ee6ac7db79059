/**
 * GPT's position-wise feed-forward network: `c_fc` → activation → `c_proj` → dropout.
 */
import { tidy, type Tensor } from '@tessera/core';
import { Dropout, GELU, Linear, Module, ReLU } from '@tessera/nn';
import type { GPTActivation, GPTConfig } from './config';

function activationModule(activation: GPTActivation): Module {
  if (activation === 'gelu_new') return new GELU('tanh');
  if (activation === 'gelu') return new GELU();
  return new ReLU();
}

/**
 * The block's MLP with GPT-2's names: `c_fc` `[nInner, nEmbd]`, `c_proj` `[nEmbd, nInner]`.
 * @example
 * new GPTMLP(config).forward(x); // x [B, T, nEmbd] → [B, T, nEmbd]
 */
export class GPTMLP extends Module {
  readonly c_fc: Linear;
  readonly act: Module;
  readonly c_proj: Linear;
  readonly dropout: Dropout;

  constructor(config: GPTConfig, factory: { dtype?: 'float32' | 'float64'; device?: string } = {}) {
    super();
    this.c_fc = new Linear(config.nEmbd, config.nInner, { bias: config.bias, ...factory });
    this.act = activationModule(config.activation);
    this.c_proj = new Linear(config.nInner, config.nEmbd, { bias: config.bias, ...factory });
    this.dropout = new Dropout(config.dropout);
  }

  forward(x: Tensor): Tensor {
    return tidy(() => this.dropout.forward(this.c_proj.forward(this.act.forward(this.c_fc.forward(x)) as Tensor)));
  }
}
