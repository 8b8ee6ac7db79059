/**
 * `prune`: PyTorch's `torch.nn.utils.prune` — unstructured (L1, random), structured (Lₙ norm along a
 * dim) and global pruning, with PyTorch's mechanics: the pruned tensor `name` becomes the parameter
 * `name_orig` times the buffer `name_mask`, recomputed by a forward pre-hook, so pruned entries stay
 * exactly zero through training; `prune.remove` makes it permanent. Pruning the same tensor again acts
 * on what is left (the amount counts the remaining entries or channels), as PyTorch's PruningContainer.
 *
 * Computing a mask reads the scores, so the pruning functions are async.
 */
import { rand, tensor, ValueError, type Tensor } from '@tessera/core';
import type { Module } from '../module';
import { resolveAmount, type PruningAmount } from './amount';
import { structuredMask, unstructuredMask, type NormOrder } from './masks';
import { applyMask, currentTensor } from './reparametrize';

export { remove, isPruned, methodsOf } from './reparametrize';
export type { PruningAmount } from './amount';
export type { NormOrder } from './masks';

/** Options of the unstructured and structured pruning functions. */
export interface ImportanceOptions {
  /** Scores of the parameter's shape that decide what is pruned (default: the parameter's values). */
  importanceScores?: Tensor | null;
}

/** The scores and the current mask of `module[name]` as host arrays, with the shape and where the tensor lives. */
async function inputsOf(op: string, module: Module, name: string, importanceScores: Tensor | null | undefined) {
  const { value, mask } = currentTensor(op, module, name);
  const shape = value.shape;
  if (importanceScores && (importanceScores.ndim !== shape.length || importanceScores.shape.some((size, d) => size !== shape[d]))) {
    throw new ValueError(`${op}: importanceScores of shape [${importanceScores.shape.join(', ')}] should have the shape of ${module.constructor.name}.${name}, [${shape.join(', ')}]`);
  }
  const scores = Array.from(await (importanceScores ?? value).data());
  const defaultMask = mask ? Array.from(await mask.data()) : new Array<number>(value.size).fill(1);
  const info = { shape, dtype: value.dtype, device: value.device };
  if (mask) value.dispose(); // the product made to read it
  return { scores, defaultMask, ...info };
}

function maskTensor(values: Float32Array, shape: readonly number[], dtype: Tensor['dtype'], device: string): Tensor {
  const flat = tensor(values, { dtype, device });
  const shaped = flat.reshape([...shape]);
  flat.dispose();
  return shaped;
}

/**
 * Prune the `amount` entries of `module[name]` with the smallest absolute value (or importance score).
 * PyTorch's `prune.l1_unstructured`.
 * @example
 * await prune.l1Unstructured(model.at(0), 'weight', 0.5);   // half of the weights
 * await prune.l1Unstructured(layer, 'weight', 10);           // ten weights
 */
export async function l1Unstructured<M extends Module>(module: M, name: string, amount: PruningAmount, options: ImportanceOptions = {}): Promise<M> {
  const op = 'prune.l1Unstructured';
  const resolved = resolveAmount(op, amount);
  const input = await inputsOf(op, module, name, options.importanceScores);
  const mask = unstructuredMask(op, input.scores, input.defaultMask, resolved);
  applyMask(module, name, maskTensor(mask, input.shape, input.dtype, input.device), 'l1Unstructured');
  return module;
}

/**
 * Prune `amount` entries of `module[name]` chosen at random (core's seeded generator: `manualSeed` makes
 * it reproducible; the draws differ from PyTorch's generator). PyTorch's `prune.random_unstructured`.
 * @example
 * manualSeed(0);
 * await prune.randomUnstructured(layer, 'weight', 0.3);
 */
export async function randomUnstructured<M extends Module>(module: M, name: string, amount: PruningAmount): Promise<M> {
  const op = 'prune.randomUnstructured';
  const resolved = resolveAmount(op, amount);
  const input = await inputsOf(op, module, name, null);
  const draws = await randomDraws(input.defaultMask.filter((v) => v === 1).length);
  const mask = unstructuredMask(op, input.scores, input.defaultMask, resolved, () => draws);
  applyMask(module, name, maskTensor(mask, input.shape, input.dtype, input.device), 'randomUnstructured');
  return module;
}

async function randomDraws(count: number): Promise<Float32Array> {
  const draws = rand([count]);
  const values = (await draws.data()) as Float32Array;
  draws.dispose();
  return values;
}

/**
 * Prune the `amount` channels of `module[name]` along `dim` with the smallest Lₙ norm (`n`: 1, 2,
 * Infinity, −Infinity, 0 or 'fro'), e.g. whole output neurons of a Linear weight with `dim: 0`, or whole
 * filters of a Conv2d weight. PyTorch's `prune.ln_structured`.
 * @example
 * await prune.lnStructured(conv, 'weight', 0.5, 2, 0); // half of the filters, by L2 norm
 */
export async function lnStructured<M extends Module>(module: M, name: string, amount: PruningAmount, n: NormOrder, dim: number, options: ImportanceOptions = {}): Promise<M> {
  const op = 'prune.lnStructured';
  const resolved = resolveAmount(op, amount);
  const input = await inputsOf(op, module, name, options.importanceScores);
  const mask = structuredMask(op, input.scores, input.shape, input.defaultMask, resolved, n, dim);
  applyMask(module, name, maskTensor(mask, input.shape, input.dtype, input.device), 'lnStructured');
  return module;
}

/**
 * Prune `module[name]` with a mask of your own (1 keeps, 0 prunes), combined with any earlier mask.
 * PyTorch's `prune.custom_from_mask`.
 * @example
 * await prune.customFromMask(layer, 'bias', tensor([0, 1, 0]));
 */
export async function customFromMask<M extends Module>(module: M, name: string, mask: Tensor): Promise<M> {
  const op = 'prune.customFromMask';
  const input = await inputsOf(op, module, name, null);
  if (mask.ndim !== input.shape.length || mask.shape.some((size, d) => size !== input.shape[d])) {
    throw new ValueError(`${op}: mask of shape [${mask.shape.join(', ')}] should have the shape of ${module.constructor.name}.${name}, [${input.shape.join(', ')}]`);
  }
  const given = await mask.data();
  const combined = Float32Array.from(input.defaultMask, (value, i) => value * Number(given[i]));
  applyMask(module, name, maskTensor(combined, input.shape, input.dtype, input.device), 'customFromMask');
  return module;
}

/** Options of {@link globalUnstructured}. */
export interface GlobalUnstructuredOptions {
  /** How entries are chosen: `'l1Unstructured'` (smallest |value|, the default) or `'randomUnstructured'`. */
  pruningMethod?: 'l1Unstructured' | 'randomUnstructured';
  /** Fraction or count of all the entries together (counting the ones left by earlier pruning). */
  amount: PruningAmount;
  /** Scores per parameter, in the order of `parameters` (null or missing: the parameter's values). */
  importanceScores?: readonly (Tensor | null | undefined)[];
}

/**
 * Prune across several tensors at once: their entries are ranked together (as if concatenated), so layers
 * with many small weights lose more than others. PyTorch's `prune.global_unstructured`.
 * @example
 * await prune.globalUnstructured([[mlp.at(0), 'weight'], [mlp.at(2), 'weight']], { amount: 0.8 });
 */
export async function globalUnstructured(parameters: readonly (readonly [Module, string])[], options: GlobalUnstructuredOptions): Promise<void> {
  const op = 'prune.globalUnstructured';
  const method = options.pruningMethod ?? 'l1Unstructured';
  if (method !== 'l1Unstructured' && method !== 'randomUnstructured') {
    throw new ValueError(`${op}: pruningMethod must be 'l1Unstructured' or 'randomUnstructured' (an unstructured method), got ${JSON.stringify(method)}`);
  }
  if (!Array.isArray(parameters) || parameters.length === 0) throw new ValueError(`${op}: expected a non-empty list of [module, name] pairs`);
  const resolved = resolveAmount(op, options.amount);
  const inputs = [];
  for (const [i, [module, name]] of parameters.entries()) inputs.push(await inputsOf(op, module, name, options.importanceScores?.[i]));
  const scores = inputs.flatMap((input) => input.scores);
  const defaultMask = inputs.flatMap((input) => input.defaultMask);
  const draws = method === 'randomUnstructured' ? await randomDraws(defaultMask.filter((v) => v === 1).length) : undefined;
  const mask = unstructuredMask(op, scores, defaultMask, resolved, draws ? () => draws : undefined);
  let offset = 0;
  for (const [i, [module, name]] of parameters.entries()) {
    const { shape, dtype, device, scores: own } = inputs[i];
    const part = mask.subarray(offset, offset + own.length);
    offset += own.length;
    applyMask(module, name, maskTensor(Float32Array.from(part), shape, dtype, device), 'globalUnstructured');
  }
}
