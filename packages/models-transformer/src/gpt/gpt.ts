/**
 * GPT: a decoder-only transformer language model as nanoGPT writes it (Karpathy), with GPT-2's
 * parameter names, so Hugging Face GPT-2 checkpoints load directly (`GPT.fromGPT2`).
 *
 * Token embedding `wte` plus learned position embedding `wpe`, dropout, `nLayer` pre-norm blocks
 * (`ln_1` → causal self-attention → residual, `ln_2` → MLP → residual), final `ln_f`, and `lm_head`
 * sharing `wte`'s weight. Initialisation as nanoGPT: N(0, 0.02) for linear and embedding weights,
 * N(0, 0.02/√(2·nLayer)) for every `c_proj.weight` (the residual projections), zero biases.
 */
import { arange, checkpoint, isGradEnabled, ShapeError, tidy, type Tensor } from '@tessera/core';
import { Dropout, Embedding, F, init, LayerNorm, Linear, Module, ModuleList, type BeamHypothesis } from '@tessera/nn';
import { GPTBlock } from './block';
import { resolveGPTConfig, type GPTConfig, type GPTOptions } from './config';
import { cacheLength, type KVCache, type LayerKeyValue } from './kv-cache';
import { TiedLMHead } from './lm-head';
import { idsTensor, type TokenIds } from './token-ids';
import { beamSearchCausalLM, generateCausalLM, streamCausalLM, type CausalLMBeamSearchOptions, type CausalLMGenerateOptions } from '../generation/causal-lm';
import { gpt2ConfigToOptions, loadGPT2Weights, writeGPT2, type GPT2Config, type GPT2LoadOptions } from '../io/gpt2';

/** What {@link GPT.forward} returns. */
export interface GPTOutput {
  /** `[B, T, vocabSize]` next-token logits at every position. */
  logits: Tensor;
  /** Mean cross-entropy against `targets` (present when targets were given). */
  loss?: Tensor;
}

/** Options of {@link GPT.forward}. */
export interface GPTForwardOptions {
  /** `[B, T]` int32: the token that follows each position (nanoGPT's `targets`; no shift inside); −1 ignores a position. */
  targets?: Tensor | readonly (readonly number[])[];
}

/** An AdamW parameter group (what `new AdamW(groups, options)` takes). */
export interface GPTParameterGroup {
  params: Tensor[];
  weightDecay: number;
}

/**
 * The embeddings, blocks and final norm: nanoGPT's `transformer` ModuleDict, named as GPT-2's `GPT2Model`.
 * @example
 * gpt.transformer.h.length; // nLayer blocks; gpt.transformer.wte.weight is [vocabSize, nEmbd] (tied with lm_head)
 */
export class GPTTransformer extends Module {
  readonly wte: Embedding;
  readonly wpe: Embedding;
  readonly drop: Dropout;
  readonly h: ModuleList;
  readonly ln_f: LayerNorm;

  constructor(config: GPTConfig, factory: { dtype?: 'float32' | 'float64'; device?: string }) {
    super();
    this.wte = new Embedding(config.vocabSize, config.nEmbd, factory);
    this.wpe = new Embedding(config.blockSize, config.nEmbd, factory);
    this.drop = new Dropout(config.dropout);
    this.h = new ModuleList(Array.from({ length: config.nLayer }, () => new GPTBlock(config, factory)));
    this.ln_f = new LayerNorm(config.nEmbd, { eps: config.layerNormEpsilon, bias: config.bias, ...factory });
  }

  /** GPTTransformer has no forward of its own: GPT runs it. */
  forward(): Tensor {
    throw new ShapeError('GPTTransformer: call GPT.forward (the transformer trunk has no forward of its own)');
  }
}

/**
 * A GPT language model.
 * @example
 * import '@tessera/backend-cpu';
 * const gpt = new GPT({ vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0.1 });
 * const { logits, loss } = gpt.forward(ids, { targets });       // [B, T, 65], scalar
 * const out = await gpt.generate([0], { maxNewTokens: 100, temperature: 0.8, topK: 40, seed: 1 });
 */
export class GPT extends Module {
  readonly config: GPTConfig;
  readonly transformer: GPTTransformer;
  readonly lm_head: TiedLMHead;

  constructor(options: GPTOptions) {
    super();
    this.config = resolveGPTConfig(options);
    const factory = { dtype: options.dtype, device: options.device };
    this.transformer = new GPTTransformer(this.config, factory);
    this.lm_head = new TiedLMHead(this.transformer.wte.weight);
    this.initWeights();
  }

  /** nanoGPT's `_init_weights` and the scaled residual projections. */
  private initWeights(): void {
    for (const module of this.modules()) {
      if (module instanceof Linear) {
        init.normal(module.weight, 0, 0.02);
        if (module.bias) init.zeros(module.bias);
      } else if (module instanceof Embedding) {
        init.normal(module.weight, 0, 0.02);
      }
    }
    const residualStd = 0.02 / Math.sqrt(2 * this.config.nLayer);
    for (const [name, param] of this.namedParameters()) if (name.endsWith('c_proj.weight')) init.normal(param, 0, residualStd);
  }

  /** The blocks, typed. */
  get blocks(): GPTBlock[] {
    return this.transformer.h.children() as GPTBlock[];
  }

  /** Longest context the model reads (`config.blockSize`). @example gpt.blockSize // 64 */
  get blockSize(): number {
    return this.config.blockSize;
  }

  /**
   * Logits for `ids` `[B, T]` (T ≤ blockSize) and, with `targets`, the mean cross-entropy over every
   * position whose target is not −1.
   * @example
   * const { logits, loss } = gpt.forward(x, { targets: y }); // x, y int32 [B, T]
   * loss!.backward();
   */
  forward(ids: Tensor | readonly (readonly number[])[], options: GPTForwardOptions = {}): GPTOutput {
    const where = 'GPT.forward';
    const input = idsTensor(where, 'ids', ids, this.config.vocabSize);
    const targets = options.targets === undefined ? null : idsTensor(where, 'targets', options.targets, this.config.vocabSize, -1);
    try {
      const [batch, time] = input.ids.shape;
      if (targets && (targets.ids.shape[0] !== batch || targets.ids.shape[1] !== time)) {
        throw new ShapeError(`${where}: targets must have the shape of ids [${batch}, ${time}], got [${targets.ids.shape.join(', ')}]`);
      }
      return tidy(() => {
        const { logits, cache } = this.forwardCached(input.ids, null);
        for (const [key, value] of cache) {
          key.dispose();
          value.dispose();
        }
        if (!targets) return { logits };
        const vocab = this.config.vocabSize;
        const loss = F.crossEntropy(logits.reshape([batch * time, vocab]), targets.ids.reshape([batch * time]), { ignoreIndex: -1 });
        return { logits, loss };
      });
    } finally {
      if (input.owned) input.ids.dispose();
      if (targets?.owned) targets.ids.dispose();
    }
  }

  /**
   * The model over new positions `ids` `[B, T]` int32 after the positions in `past` (a {@link KVCache},
   * or null/empty): their logits (only the last position's with `lastPositionOnly`) and the cache
   * extended by them. What generation runs; the caller disposes the returned cache.
   * @example
   * const first = gpt.forwardCached(prompt, null, { lastPositionOnly: true });
   * const next = gpt.forwardCached(nextToken, first.cache, { lastPositionOnly: true });
   */
  forwardCached(ids: Tensor, past: KVCache | null, options: { lastPositionOnly?: boolean } = {}): { logits: Tensor; cache: LayerKeyValue[] } {
    const where = 'GPT.forward';
    const [batch, time] = ids.shape;
    const pastLength = cacheLength(past);
    if (time < 1) throw new ShapeError(`${where}: ids must hold at least one position, got shape [${ids.shape.join(', ')}]`);
    if (pastLength + time > this.config.blockSize) {
      const cached = pastLength ? ` after ${pastLength} cached positions` : '';
      throw new ShapeError(
        `${where}: sequence length ${time}${cached} exceeds blockSize ${this.config.blockSize}; crop the input to its last ${this.config.blockSize - pastLength} tokens (generate crops by itself)`,
      );
    }
    if (past && past.length && past[0][0].shape[0] !== batch) {
      throw new ShapeError(`${where}: the cache holds ${past[0][0].shape[0]} rows but ids has batch ${batch}`);
    }
    return tidy(() => {
      const { wte, wpe, drop, ln_f } = this.transformer;
      const positions = arange(pastLength, pastLength + time, 1, { device: ids.device });
      let x = drop.forward(wte.forward(ids).add(wpe.forward(positions)));
      const cache: LayerKeyValue[] = [];
      // Activation checkpointing (config.gradientCheckpointing): in training, over new positions (no KV cache).
      const recompute = this.config.gradientCheckpointing && this.training && past === null && isGradEnabled();
      this.blocks.forEach((block, layer) => {
        const [output, present] = recompute ? checkpoint((h: Tensor) => block.forwardCached(h, null), x) : block.forwardCached(x, past?.[layer] ?? null);
        x = output;
        cache.push(present);
      });
      x = ln_f.forward(x);
      if (options.lastPositionOnly) x = x.narrow(1, time - 1, 1).reshape([batch, this.config.nEmbd]);
      return { logits: this.lm_head.forward(x), cache };
    });
  }

  /**
   * Continue `ids` by up to `maxNewTokens` tokens; returns prompt + new tokens in the form given (a
   * `[B, T + n]` int32 tensor, a number array, or arrays of them). Temperature 0 is greedy; `topK`,
   * `topP`, `seed`, `stopTokens` and `useCache` (default true) as in {@link CausalLMGenerateOptions}.
   * Contexts longer than `blockSize` are cropped to their last `blockSize` tokens. Runs in evaluation
   * mode without gradients (the module's mode is restored afterwards).
   * @example
   * const out = await gpt.generate(tensor([[0]], { dtype: 'int32' }), { maxNewTokens: 20, temperature: 0 }); // [1, 21]
   * const text = await gpt.generate([0, 5, 9], { maxNewTokens: 50, temperature: 0.8, topK: 40, seed: 1 }); // number[]
   */
  generate(ids: Tensor, options: CausalLMGenerateOptions): Promise<Tensor>;
  generate(ids: readonly number[], options: CausalLMGenerateOptions): Promise<number[]>;
  generate(ids: readonly (readonly number[])[], options: CausalLMGenerateOptions): Promise<number[][]>;
  generate(ids: TokenIds, options: CausalLMGenerateOptions): Promise<Tensor | number[] | number[][]> {
    return generateCausalLM(this, ids, options);
  }

  /**
   * The tokens of one sequence's continuation as they are produced (an async iterator), on the same
   * decoding core as {@link generate}; break out of the loop to stop.
   * @example
   * for await (const token of gpt.stream(tokenizer.encode('Once'), { maxNewTokens: 50, temperature: 0.8, seed: 1 })) {
   *   process.stdout.write(tokenizer.decode([token]));
   * }
   */
  stream(ids: TokenIds, options: CausalLMGenerateOptions): AsyncGenerator<number, void, undefined> {
    return streamCausalLM(this, ids, options);
  }

  /**
   * Beam search for one prompt (nn's shared `beamSearch` over this model's KV cache): the `beamWidth`
   * best continuations of up to `maxNewTokens` tokens, best first, ending before `eos` when given.
   * @example
   * const [best] = await gpt.beamSearch([0, 5, 9], { beamWidth: 4, maxNewTokens: 20, eos: 50256 });
   */
  beamSearch(ids: TokenIds, options: CausalLMBeamSearchOptions): Promise<BeamHypothesis[]> {
    return beamSearchCausalLM(this, ids, options);
  }

  /**
   * nanoGPT's `configure_optimizers` split: weight decay on every 2-D+ parameter (the matmul weights
   * and embeddings), none on biases and layer-norm parameters. Pass the groups to AdamW.
   * @example
   * const optimizer = new AdamW(gpt.parameterGroups(0.1), { lr: 6e-4, betas: [0.9, 0.95] });
   */
  parameterGroups(weightDecay: number): [GPTParameterGroup, GPTParameterGroup] {
    const params = this.parameters();
    return [
      { params: params.filter((p) => p.ndim >= 2), weightDecay },
      { params: params.filter((p) => p.ndim < 2), weightDecay: 0 },
    ];
  }

  /**
   * A model with the weights of a Hugging Face GPT-2 checkpoint: `model.safetensors` bytes and the
   * object of its `config.json`. Conv1D weights (`[in, out]`) are transposed into Linear's
   * `[out, in]`; `lm_head.weight` (tied) may be present or absent; `attn.bias` / `attn.masked_bias`
   * buffers are ignored; keys may carry the `transformer.` prefix. The model is in evaluation mode.
   * @example
   * const gpt = GPT.fromGPT2(new Uint8Array(readFileSync('gpt2/model.safetensors')), JSON.parse(readFileSync('gpt2/config.json', 'utf8')));
   */
  static fromGPT2(weights: Uint8Array | ArrayBuffer, config: GPT2Config, options: GPT2LoadOptions = {}): GPT {
    const model = new GPT(gpt2ConfigToOptions(config, options));
    try {
      loadGPT2Weights(model, weights, config);
    } catch (error) {
      model.dispose();
      throw error;
    }
    return model.eval();
  }

  /**
   * The same loader as {@link GPT.fromGPT2} (the name the other model classes use).
   * @example
   * const gpt = GPT.fromPretrained(bytes, config);
   */
  static fromPretrained(weights: Uint8Array | ArrayBuffer, config: GPT2Config, options: GPT2LoadOptions = {}): GPT {
    return GPT.fromGPT2(weights, config, options);
  }

  /**
   * This model in Hugging Face GPT-2's layout: `model.safetensors` bytes (the keys, dtypes and shapes
   * of the `gpt2` checkpoint: Conv1D weights `[in, out]`, `h.N.attn.bias` causal-mask buffers, no
   * `lm_head.weight`) and the `config.json` object.
   * @example
   * const { weights, config } = await gpt.toGPT2();
   * writeFileSync('model.safetensors', weights); writeFileSync('config.json', JSON.stringify(config, null, 2));
   */
  toGPT2(): Promise<{ weights: Uint8Array; config: GPT2Config }> {
    return writeGPT2(this);
  }

  override extraRepr(): string {
    const { vocabSize, blockSize, nLayer, nHead, nEmbd } = this.config;
    return `vocabSize=${vocabSize}, blockSize=${blockSize}, nLayer=${nLayer}, nHead=${nHead}, nEmbd=${nEmbd}`;
  }
}
