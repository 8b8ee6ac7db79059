/**
 * GPT's hyperparameters: nanoGPT's `GPTConfig` in camelCase, plus the Hugging Face GPT-2 fields a
 * checkpoint may change (inner MLP size, layer-norm epsilon, activation).
 */
import { ValueError } from '@tessera/core';
import type { FactoryOptions } from '@tessera/nn';

/** The MLP's activation, by its Hugging Face name: `gelu_new` is GPT-2's tanh approximation of GELU. */
export type GPTActivation = 'gelu_new' | 'gelu' | 'relu';

/** Options of `new GPT(options)`. */
export interface GPTOptions extends FactoryOptions {
  /** Tokens in the vocabulary (GPT-2: 50257). */
  vocabSize: number;
  /** Longest context: positions learned by `wpe` (GPT-2: 1024). */
  blockSize: number;
  /** Transformer blocks. */
  nLayer: number;
  /** Attention heads per block (must divide `nEmbd`). */
  nHead: number;
  /** Embedding size. */
  nEmbd: number;
  /** Dropout after the embeddings, on the attention weights and on each residual branch (default 0). */
  dropout?: number;
  /** Biases in the linear layers and layer norms (default true, as GPT-2; nanoGPT's `bias=False` drops them). */
  bias?: boolean;
  /** Hidden size of each block's MLP (default 4 · nEmbd; Hugging Face's `n_inner`). */
  nInner?: number;
  /** Layer-norm epsilon (default 1e-5). */
  layerNormEpsilon?: number;
  /** MLP activation (default `'gelu_new'`, GPT-2's tanh approximation). */
  activation?: GPTActivation;
  /**
   * Activation checkpointing in training (core's `checkpoint` around each block): the blocks keep only
   * their inputs for backward and recompute the rest, trading about one more forward pass for memory
   * (default false). Gradients are bitwise the same.
   */
  gradientCheckpointing?: boolean;
}

/** Every option resolved. */
export interface GPTConfig {
  readonly vocabSize: number;
  readonly blockSize: number;
  readonly nLayer: number;
  readonly nHead: number;
  readonly nEmbd: number;
  readonly dropout: number;
  readonly bias: boolean;
  readonly nInner: number;
  readonly layerNormEpsilon: number;
  readonly activation: GPTActivation;
  readonly gradientCheckpointing: boolean;
}

const ACTIVATIONS: readonly GPTActivation[] = ['gelu_new', 'gelu', 'relu'];

/**
 * Check the options and fill in the defaults; errors name the option, the value and the rule.
 * @example
 * resolveGPTConfig({ vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 }).nInner; // 512
 */
export function resolveGPTConfig(options: GPTOptions): GPTConfig {
  if (options === null || typeof options !== 'object') {
    throw new ValueError(`GPT: expected options { vocabSize, blockSize, nLayer, nHead, nEmbd, dropout?, bias? }, got ${String(options)}`);
  }
  for (const key of ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd'] as const) {
    const value = options[key];
    if (!Number.isInteger(value) || value < 1) throw new ValueError(`GPT: ${key} must be a positive integer, got ${String(value)}`);
  }
  if (options.nEmbd % options.nHead !== 0) {
    throw new ValueError(`GPT: nEmbd ${options.nEmbd} must be divisible by nHead ${options.nHead} (each head gets nEmbd / nHead features)`);
  }
  const dropout = options.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new ValueError(`GPT: dropout must be in [0, 1), got ${dropout}`);
  const nInner = options.nInner ?? 4 * options.nEmbd;
  if (!Number.isInteger(nInner) || nInner < 1) throw new ValueError(`GPT: nInner must be a positive integer, got ${nInner}`);
  const layerNormEpsilon = options.layerNormEpsilon ?? 1e-5;
  if (!(layerNormEpsilon > 0)) throw new ValueError(`GPT: layerNormEpsilon must be positive, got ${layerNormEpsilon}`);
  const activation = options.activation ?? 'gelu_new';
  if (!ACTIVATIONS.includes(activation)) throw new ValueError(`GPT: activation must be one of ${ACTIVATIONS.join(', ')}, got ${String(activation)}`);
  return {
    vocabSize: options.vocabSize,
    blockSize: options.blockSize,
    nLayer: options.nLayer,
    nHead: options.nHead,
    nEmbd: options.nEmbd,
    dropout,
    bias: options.bias ?? true,
    nInner,
    layerNormEpsilon,
    activation,
    gradientCheckpointing: options.gradientCheckpointing ?? false,
  };
}
