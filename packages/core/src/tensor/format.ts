/**
 * Printing tensors: values when they can be read synchronously and are small, else a summary.
 */
import { formatShape } from '../shape';
import type { Tensor } from './tensor';

const MAX_PRINTED = 1000;

function formatNumber(value: number, integer: boolean): string {
  if (integer) return String(value);
  if (Number.isInteger(value)) return `${value}.`;
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-4 || abs >= 1e6) ? value.toExponential(4) : String(Number(value.toPrecision(6)));
}

/** A PyTorch-like rendering: `tensor([[1., 2.], [3., 4.]], dtype=float32, device=cpu)`. */
export function formatTensor(tensor: Tensor): string {
  const header = `dtype=${tensor.dtype}, device=${tensor.device}`;
  if (tensor.isDisposed) return `tensor(<disposed>, shape=${formatShape(tensor.shape)}, ${header})`;
  const backend = tensor.storage.backend;
  if (!backend.capabilities.syncRead || tensor.size > MAX_PRINTED) {
    return `tensor(<${tensor.size} elements>, shape=${formatShape(tensor.shape)}, ${header})`;
  }
  const data = tensor.dataSync();
  const integer = tensor.dtype === 'int32' || tensor.dtype === 'bool';
  let position = 0;
  const render = (depth: number): string => {
    if (depth === tensor.ndim) {
      const value = data[position++];
      return tensor.dtype === 'bool' ? (value ? 'true' : 'false') : formatNumber(value, integer);
    }
    const parts: string[] = [];
    for (let i = 0; i < tensor.shape[depth]; i++) parts.push(render(depth + 1));
    const separator = depth === tensor.ndim - 1 ? ', ' : ',\n' + ' '.repeat(depth + 8);
    return `[${parts.join(separator)}]`;
  };
  const grad = tensor.gradFn ? `, gradFn=${tensor.gradFn.opName}` : tensor.requiresGrad ? ', requiresGrad=true' : '';
  return `tensor(${render(0)}, ${header}${grad})`;
}
