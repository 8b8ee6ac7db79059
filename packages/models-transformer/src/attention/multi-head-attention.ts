/**
 * Multi-head attention with PyTorch 1.13's `nn.MultiheadAttention` semantics: constructor options,
 * parameter names and initialisation, input layouts (sequence-first, `batchFirst`, unbatched 2-D),
 * bool and float masks, key padding, `bias_k`/`bias_v`, the zero attention slot, and the returned
 * weights (averaged over heads or per head).
 *
 * Inside, every input is laid out batch-first `[B, L, E]` and split into heads `[B, H, L, E/H]`; the
 * masks become one additive float mask broadcastable to `[B, H, L, S]`.
 */
import { cat, formatShape, scaledDotProductAttention, tidy, zeros, ShapeError, ValueError, type DType, type Tensor } from '@tessera/core';
import { F, Linear, Module, init, parameter, type FactoryOptions } from '@tessera/nn';
import {
  expectDType, expectFeatures, expectMaskDType, expectPositiveInteger, expectProbability, expectRank, expectShape, expectTensor,
} from '../validation';
import { causalAdditiveMask, combineAdditiveMasks, toAdditiveMask } from './additive-mask';
import { softmaxAttention } from './softmax-attention';

/** Options of {@link MultiHeadAttention} (PyTorch's keyword arguments in camelCase). */
export interface MultiHeadAttentionOptions extends FactoryOptions {
  /** Dropout probability on the attention weights, in training mode (default 0). */
  dropout?: number;
  /** Learn `in_proj_bias` and `out_proj.bias` (default true). */
  bias?: boolean;
  /** Learn one extra key and value, `bias_k` and `bias_v`, appended to every sequence (default false). */
  addBiasKV?: boolean;
  /** Append a key and a value of zeros to every sequence after the projections (default false). */
  addZeroAttn?: boolean;
  /** Features of `key` (default embedDim); when kdim or vdim differ, q, k and v get separate weights. */
  kdim?: number;
  /** Features of `value` (default embedDim). */
  vdim?: number;
  /** Inputs and output are `[B, L, E]` instead of `[L, B, E]` (default false). */
  batchFirst?: boolean;
}

/** Options of {@link MultiHeadAttention.forward}. */
export interface MultiHeadAttentionForwardOptions {
  /**
   * `[B, S]` (unbatched: `[S]`): bool with true = ignore that key (padding), or float added to the scores.
   */
  keyPaddingMask?: Tensor | null;
  /**
   * `[L, S]`, or `[B·numHeads, L, S]` for a mask per batch entry and head (unbatched: `[numHeads, L, S]`):
   * bool with true = not allowed to attend, or float added to the scores (e.g. 0 / −∞).
   */
  attnMask?: Tensor | null;
  /** Return the attention weights (default true); false returns `null` in their place. */
  needWeights?: boolean;
  /** Average the weights over heads, `[B, L, S]` (default true); false gives `[B, numHeads, L, S]`. */
  averageAttnWeights?: boolean;
  /** Also hide key j from query i when j > i (top-left aligned), combined with any other mask (default false). */
  isCausal?: boolean;
}

/**
 * Multi-head attention: each of `numHeads` heads attends with its own `embedDim / numHeads` slice of
 * the projected queries, keys and values; the heads are concatenated and projected by `out_proj`.
 *
 * Parameters are PyTorch's, so `loadStateDict` takes a PyTorch `state_dict` unchanged: `in_proj_weight`
 * `[3E, E]` (or `q_proj_weight` `[E, E]`, `k_proj_weight` `[E, kdim]`, `v_proj_weight` `[E, vdim]` when
 * kdim or vdim differ from E), `in_proj_bias` `[3E]`, `bias_k`/`bias_v` `[1, 1, E]`, `out_proj.weight`,
 * `out_proj.bias`. Initialised as PyTorch does: Xavier-uniform projections, zero biases.
 *
 * A query row whose keys are all masked gives zeros (PyTorch 1.13 gives NaN).
 * @example
 * const mha = new MultiHeadAttention(64, 8, { batchFirst: true });
 * const x = randn([2, 10, 64]);
 * const [output, weights] = mha.forward(x, x, x, { isCausal: true }); // [2, 10, 64], [2, 10, 10]
 */
export class MultiHeadAttention extends Module {
  // Declared in PyTorch's registration order, which is the order of stateDict keys.
  readonly q_proj_weight: Tensor | null = null;
  readonly k_proj_weight: Tensor | null = null;
  readonly v_proj_weight: Tensor | null = null;
  readonly in_proj_weight: Tensor | null = null;
  readonly in_proj_bias: Tensor | null = null;
  readonly bias_k: Tensor | null = null;
  readonly bias_v: Tensor | null = null;
  readonly out_proj: Linear;

  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly addZeroAttn: boolean;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    options: MultiHeadAttentionOptions = {},
  ) {
    super();
    const name = 'MultiHeadAttention';
    expectPositiveInteger(name, 'embedDim', embedDim);
    expectPositiveInteger(name, 'numHeads', numHeads);
    if (embedDim % numHeads !== 0) {
      throw new ValueError(
        `${name}: embedDim ${embedDim} is not divisible by numHeads ${numHeads} (each head takes embedDim / numHeads features); choose numHeads among the divisors of ${embedDim}`,
      );
    }
    this.headDim = embedDim / numHeads;
    this.kdim = options.kdim ?? embedDim;
    this.vdim = options.vdim ?? embedDim;
    expectPositiveInteger(name, 'kdim', this.kdim);
    expectPositiveInteger(name, 'vdim', this.vdim);
    this.dropout = options.dropout ?? 0;
    expectProbability(name, 'dropout', this.dropout);
    this.batchFirst = options.batchFirst ?? false;
    this.addZeroAttn = options.addZeroAttn ?? false;
    const factory = { dtype: options.dtype ?? 'float32', device: options.device };
    const bias = options.bias ?? true;
    if (this.kdim === embedDim && this.vdim === embedDim) {
      this.in_proj_weight = parameter(zeros([3 * embedDim, embedDim], factory));
    } else {
      this.q_proj_weight = parameter(zeros([embedDim, embedDim], factory));
      this.k_proj_weight = parameter(zeros([embedDim, this.kdim], factory));
      this.v_proj_weight = parameter(zeros([embedDim, this.vdim], factory));
    }
    if (bias) this.in_proj_bias = parameter(zeros([3 * embedDim], factory));
    this.out_proj = new Linear(embedDim, embedDim, { ...factory, bias });
    if (options.addBiasKV) {
      this.bias_k = parameter(zeros([1, 1, embedDim], factory));
      this.bias_v = parameter(zeros([1, 1, embedDim], factory));
    }
    this.resetParameters();
  }

  /** Whether q, k and v share one packed `in_proj_weight` (kdim = vdim = embedDim). */
  get packedProjection(): boolean {
    return this.in_proj_weight !== null;
  }

  /**
   * PyTorch's `_reset_parameters`: Xavier-uniform projection weights, zero biases, Xavier-normal
   * `bias_k`/`bias_v`; `out_proj.weight` keeps Linear's default.
   * @example
   * mha.resetParameters();
   */
  resetParameters(): void {
    for (const weight of [this.in_proj_weight, this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) {
      if (weight) init.xavierUniform(weight);
    }
    if (this.in_proj_bias) {
      init.zeros(this.in_proj_bias);
      if (this.out_proj.bias) init.zeros(this.out_proj.bias);
    }
    if (this.bias_k) init.xavierNormal(this.bias_k);
    if (this.bias_v) init.xavierNormal(this.bias_v);
  }

  /**
   * Attend from `query` to `key`/`value`. Shapes (L queries, S keys, B batch entries):
   * `[L, B, E]`, `[S, B, kdim]`, `[S, B, vdim]`; with `batchFirst`, `[B, L, E]`, …; unbatched,
   * `[L, E]`, `[S, kdim]`, `[S, vdim]`. Returns `[output, weights]`: output shaped like `query`,
   * weights `[B, L, S]` (or `[B, numHeads, L, S]` without `averageAttnWeights`; unbatched without the
   * B dim), or `null` with `needWeights: false`. S counts `bias_k` and the zero slot when present.
   * @example
   * const [output] = mha.forward(query, memory, memory, { keyPaddingMask: padding, needWeights: false });
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiHeadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const where = 'MultiHeadAttention.forward';
    expectTensor(where, 'query', query);
    expectTensor(where, 'key', key);
    expectTensor(where, 'value', value);
    const weight = this.in_proj_weight ?? this.q_proj_weight!;
    this.checkInputDevice(query, weight);
    const layout = this.batchFirst ? '[batch, length, features]' : '[length, batch, features]';
    expectRank(where, 'query', query, [2, 3], `(batched ${layout} or unbatched [length, features])`);
    const batched = query.ndim === 3;
    for (const [what, tensor] of [['key', key], ['value', value]] as const) {
      if (tensor.ndim !== query.ndim) {
        throw new ShapeError(
          `${where}: for a ${batched ? 'batched 3-D' : 'unbatched 2-D'} query (shape ${formatShape(query.shape)}), ${what} must be ${query.ndim}-D too, got shape ${formatShape(tensor.shape)}`,
        );
      }
    }
    expectFeatures(where, 'query', query, this.embedDim, 'embedDim');
    expectFeatures(where, 'key', key, this.kdim, this.kdim === this.embedDim ? 'embedDim (kdim)' : 'kdim');
    expectFeatures(where, 'value', value, this.vdim, this.vdim === this.embedDim ? 'embedDim (vdim)' : 'vdim');
    for (const [what, tensor] of [['query', query], ['key', key], ['value', value]] as const) expectDType(where, what, tensor, weight.dtype);

    const batchDim = batched ? (this.batchFirst ? 0 : 1) : -1;
    const lengthDim = batched ? 1 - batchDim : 0;
    const batch = batched ? query.shape[batchDim] : 1;
    const targetLength = query.shape[lengthDim];
    const sourceLength = key.shape[lengthDim];
    if (batched && (key.shape[batchDim] !== batch || value.shape[batchDim] !== batch)) {
      throw new ShapeError(
        `${where}: query, key and value must have the same batch size (dim ${batchDim}), got shapes ${formatShape(query.shape)}, ${formatShape(key.shape)}, ${formatShape(value.shape)}`,
      );
    }
    if (value.shape[lengthDim] !== sourceLength) {
      throw new ShapeError(
        `${where}: key and value must have the same length (dim ${lengthDim}), got shapes ${formatShape(key.shape)} and ${formatShape(value.shape)}`,
      );
    }
    const { attnMask, keyPaddingMask, isCausal = false } = options;
    this.checkMasks(where, attnMask ?? null, keyPaddingMask ?? null, { batched, batch, targetLength, sourceLength, dtype: weight.dtype });
    const needWeights = options.needWeights ?? true;
    const average = options.averageAttnWeights ?? true;

    return tidy(() => {
      const toBatchFirst = (x: Tensor) => (batched ? (this.batchFirst ? x : x.transpose(0, 1)) : x.unsqueeze(0));
      let [q, k, v] = this.project(toBatchFirst(query), key === query ? null : toBatchFirst(key), value === key ? null : toBatchFirst(value));
      if (this.bias_k && this.bias_v) {
        k = cat([k, this.bias_k.expand([batch, 1, this.embedDim])], 1);
        v = cat([v, this.bias_v.expand([batch, 1, this.embedDim])], 1);
      }
      const heads = (x: Tensor) => x.reshape([batch, x.shape[1], this.numHeads, this.headDim]).permute([0, 2, 1, 3]);
      [q, k, v] = [heads(q), heads(k), heads(v)];
      if (this.addZeroAttn) {
        const slot = zeros([batch, this.numHeads, 1, this.headDim], { dtype: k.dtype, device: k.device });
        k = cat([k, slot], 2);
        v = cat([v, slot], 2);
      }
      const mask = this.additiveMask(attnMask ?? null, keyPaddingMask ?? null, isCausal, { batched, batch, targetLength, sourceLength, dtype: weight.dtype });
      // Without weights to return, core's fused op (a flash-attention kernel where the backend has
      // one) never materialises them; with weights, the softmax path keeps them.
      const dropoutP = this.training ? this.dropout : 0;
      const { output: attended, weights } = needWeights
        ? softmaxAttention(q, k, v, mask, dropoutP)
        : { output: scaledDotProductAttention(q, k, v, { attnMask: mask, dropoutP }), weights: null };
      const merged = attended.permute([0, 2, 1, 3]).reshape([batch, targetLength, this.embedDim]);
      const projected = this.out_proj.forward(merged);
      const output = batched ? (this.batchFirst ? projected : projected.transpose(0, 1)) : projected.squeeze(0);
      if (!weights) return [output, null] as [Tensor, Tensor | null];
      const returned = average ? weights.sum(1).div(this.numHeads) : weights;
      return [output, batched ? returned : returned.squeeze(0)] as [Tensor, Tensor | null];
    });
  }

  /**
   * The input projections of batch-first inputs. `key` is null when it is `query` (self-attention)
   * and `value` null when it is `key`: packed weights then project them in one matmul, as PyTorch does.
   */
  private project(query: Tensor, key: Tensor | null, value: Tensor | null): [Tensor, Tensor, Tensor] {
    const E = this.embedDim;
    const b = this.in_proj_bias;
    const biasPart = (index: number) => (b ? b.narrow(0, index * E, E) : null);
    if (this.in_proj_weight) {
      const w = this.in_proj_weight;
      if (key === null && value === null) {
        const [q, k, v] = F.linear(query, w, b).chunk(3, -1);
        return [q, k, v];
      }
      const q = F.linear(query, w.narrow(0, 0, E), biasPart(0));
      if (value === null) {
        const [k, v] = F.linear(key ?? query, w.narrow(0, E, 2 * E), b ? b.narrow(0, E, 2 * E) : null).chunk(2, -1);
        return [q, k, v];
      }
      const k = F.linear(key ?? query, w.narrow(0, E, E), biasPart(1));
      return [q, k, F.linear(value, w.narrow(0, 2 * E, E), biasPart(2))];
    }
    const keyInput = key ?? query;
    return [
      F.linear(query, this.q_proj_weight!, biasPart(0)),
      F.linear(keyInput, this.k_proj_weight!, biasPart(1)),
      F.linear(value ?? keyInput, this.v_proj_weight!, biasPart(2)),
    ];
  }

  private checkMasks(where: string, attnMask: Tensor | null, keyPaddingMask: Tensor | null, sizes: MaskSizes): void {
    const { batched, batch, targetLength: L, sourceLength: S, dtype } = sizes;
    if (keyPaddingMask !== null) {
      expectTensor(where, 'keyPaddingMask', keyPaddingMask);
      expectShape(where, 'keyPaddingMask', keyPaddingMask, batched ? [batch, S] : [S], batched ? ' ([batch, keys])' : ' ([keys], unbatched)');
      expectMaskDType(where, 'keyPaddingMask', keyPaddingMask, dtype);
    }
    if (attnMask !== null) {
      expectTensor(where, 'attnMask', attnMask);
      const perHead = batched ? batch * this.numHeads : this.numHeads;
      if (attnMask.ndim === 3) {
        expectShape(
          where, 'a 3-D attnMask', attnMask, [perHead, L, S],
          batched ? ` ([batch·numHeads, queries, keys] = [${batch}·${this.numHeads}, ${L}, ${S}])` : ` ([numHeads, queries, keys])`,
        );
      } else {
        expectShape(where, 'attnMask', attnMask, [L, S], ` ([queries, keys], or 3-D [${batched ? 'batch·' : ''}numHeads, queries, keys])`);
      }
      expectMaskDType(where, 'attnMask', attnMask, dtype);
    }
  }

  /** Every mask as one additive mask broadcastable to `[B, H, L, S′]` (S′ counts bias_k and the zero slot). */
  private additiveMask(attnMask: Tensor | null, keyPaddingMask: Tensor | null, isCausal: boolean, sizes: MaskSizes): Tensor | null {
    const { batched, batch, targetLength: L, sourceLength: S, dtype } = sizes;
    const device = (this.in_proj_weight ?? this.q_proj_weight!).device;
    let attn: Tensor | null = null;
    if (attnMask) {
      const additive = toAdditiveMask(attnMask, dtype);
      attn = attnMask.ndim === 2 ? additive : additive.reshape([batched ? batch : 1, this.numHeads, L, S]);
    }
    const padding = keyPaddingMask ? toAdditiveMask(keyPaddingMask, dtype).reshape([batched ? batch : 1, 1, 1, S]) : null;
    const causal = isCausal ? causalAdditiveMask(L, S, dtype, device) : null;
    const mask = combineAdditiveMasks([attn, padding, causal]);
    const extraKeys = (this.bias_k ? 1 : 0) + (this.addZeroAttn ? 1 : 0);
    // The appended bias_k and zero slots are visible to every query.
    return mask && extraKeys > 0 ? mask.pad([0, extraKeys]) : mask;
  }

  override extraRepr(): string {
    const extras = [`embedDim=${this.embedDim}`, `numHeads=${this.numHeads}`];
    if (!this.packedProjection) extras.push(`kdim=${this.kdim}`, `vdim=${this.vdim}`);
    if (this.dropout) extras.push(`dropout=${this.dropout}`);
    if (!this.in_proj_bias) extras.push('bias=false');
    if (this.bias_k) extras.push('addBiasKV=true');
    if (this.addZeroAttn) extras.push('addZeroAttn=true');
    if (this.batchFirst) extras.push('batchFirst=true');
    return extras.join(', ');
  }
}

interface MaskSizes {
  batched: boolean;
  batch: number;
  targetLength: number;
  sourceLength: number;
  dtype: DType;
}
