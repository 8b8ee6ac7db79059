/**
 * Activations by their Hugging Face config names (`hidden_act` of BERT, the `dense_act_fn` T5 derives
 * from `feed_forward_proj`): the entries of `transformers.activations.ACT2FN` that these models use.
 */
import { ValueError, type Tensor } from '@tessera/core';
import { F } from '@tessera/nn';

const HF_ACTIVATIONS: Record<string, (x: Tensor) => Tensor> = {
  gelu: (x) => F.gelu(x),
  gelu_new: (x) => F.gelu(x, { approximate: 'tanh' }),
  gelu_pytorch_tanh: (x) => F.gelu(x, { approximate: 'tanh' }),
  gelu_fast: (x) => F.gelu(x, { approximate: 'tanh' }),
  relu: (x) => F.relu(x),
  silu: (x) => x.mul(x.sigmoid()),
  swish: (x) => x.mul(x.sigmoid()),
  tanh: (x) => x.tanh(),
};

/**
 * The activation a Hugging Face config names: `gelu` is exact (erf); `gelu_new`, `gelu_pytorch_tanh`
 * and `gelu_fast` are the tanh approximation; also `relu`, `silu`/`swish`, `tanh`.
 * @example
 * hfActivation('BertModel', 'hidden_act', 'gelu')(x);
 */
export function hfActivation(where: string, field: string, name: unknown): (x: Tensor) => Tensor {
  const activation = typeof name === 'string' && Object.hasOwn(HF_ACTIVATIONS, name) ? HF_ACTIVATIONS[name] : undefined;
  if (!activation) throw new ValueError(`${where}: config.${field} ${JSON.stringify(name)} is not supported; expected one of ${Object.keys(HF_ACTIVATIONS).join(', ')}`);
  return activation;
}
