/**
 * The recurrent side of the course's RNN-vs-transformer comparison: Embedding → LSTM → Linear over
 * tokens, with GPT's `forward(ids, { targets })` → `{ logits, loss }` contract so the same `fit`
 * call, loss and evaluation serve both models.
 */
import { F, Embedding, Linear, Module } from '@tessera/nn';
import { tensor, tidy, type Tensor } from '@tessera/core';
import { LSTM } from '@tessera/models-rnn';

/** Sizes of an {@link LSTMLanguageModel}. */
export interface LSTMLanguageModelOptions {
  vocabSize: number;
  /** Embedding width (the LSTM's input size). */
  embeddingSize: number;
  hiddenSize: number;
}

/** What a language model returns: next-token logits `[B, T, V]` and, with targets, the mean cross-entropy. */
export interface LanguageModelOutput {
  logits: Tensor;
  loss?: Tensor;
}

/** The interface both compared models share (GPT has it natively). */
export interface LanguageModel extends Module {
  forward(ids: Tensor, options?: { targets?: Tensor }): LanguageModelOutput;
}

function asIds(value: Tensor | readonly (readonly number[])[]): Tensor {
  return 'shape' in value ? (value as Tensor) : tensor(value as number[][], { dtype: 'int32' });
}

/**
 * A character (or token) language model: Embedding → one-layer LSTM → Linear to the vocabulary. Each
 * forward starts from a zero state, as GPT starts from an empty context, so both models see exactly the
 * window they are given.
 * @example
 * const lstm = new LSTMLanguageModel({ vocabSize: 83, embeddingSize: 128, hiddenSize: 384 });
 * const { logits, loss } = lstm.forward(x, { targets: y }); // [B, T, 83], scalar
 */
export class LSTMLanguageModel extends Module implements LanguageModel {
  readonly options: LSTMLanguageModelOptions;
  embedding: Embedding;
  lstm: LSTM;
  head: Linear;

  constructor(options: LSTMLanguageModelOptions) {
    super();
    this.options = { ...options };
    this.embedding = new Embedding(options.vocabSize, options.embeddingSize);
    this.lstm = new LSTM(options.embeddingSize, options.hiddenSize, { batchFirst: true });
    this.head = new Linear(options.hiddenSize, options.vocabSize);
  }

  /** Logits `[B, T, V]` for ids `[B, T]`; with `targets` (`[B, T]`, −1 ignores a position, as GPT's) the mean cross-entropy. */
  forward(ids: Tensor | readonly (readonly number[])[], options: { targets?: Tensor | readonly (readonly number[])[] } = {}): LanguageModelOutput {
    // Inside a tidy, as GPT's forward: only the logits (and loss) outlive the call.
    return tidy(() => {
      const [output] = this.lstm.forward(this.embedding.forward(asIds(ids)));
      const logits = this.head.forward(output);
      if (options.targets === undefined) return { logits };
      const [batch, time, vocab] = logits.shape;
      const loss = F.crossEntropy(logits.reshape([batch * time, vocab]), asIds(options.targets).reshape([batch * time]), { ignoreIndex: -1 });
      return { logits, loss };
    });
  }

  /** Weight decay on matrices only (embedding, LSTM and head weights), none on biases — GPT's `parameterGroups` rule. */
  parameterGroups(weightDecay: number): { params: Tensor[]; weightDecay: number }[] {
    const params = this.parameters();
    return [
      { params: params.filter((p) => p.ndim >= 2), weightDecay },
      { params: params.filter((p) => p.ndim < 2), weightDecay: 0 },
    ];
  }

  /**
   * The parameters of an Embedding(V, E) → LSTM(E, H) → Linear(H, V) model, counted without building it.
   * @example
   * LSTMLanguageModel.parameterCount({ vocabSize: 10, embeddingSize: 4, hiddenSize: 8 }); // 578 = 40 + 384 + 64 + 80 + 10
   */
  static parameterCount({ vocabSize: v, embeddingSize: e, hiddenSize: h }: LSTMLanguageModelOptions): number {
    return v * e + 4 * h * (e + h) + 8 * h + h * v + v;
  }

  /**
   * The hidden size (a multiple of 8) that brings the model closest to `target` parameters: how the
   * comparison gives the LSTM the GPT's budget.
   * @example
   * LSTMLanguageModel.hiddenSizeFor(806_400, { vocabSize: 83, embeddingSize: 128 }); // 376 (802,939 parameters)
   */
  static hiddenSizeFor(target: number, { vocabSize, embeddingSize }: Omit<LSTMLanguageModelOptions, 'hiddenSize'>): number {
    let best = 8;
    for (let h = 8; h <= 8192; h += 8) {
      const gap = (size: number) => Math.abs(LSTMLanguageModel.parameterCount({ vocabSize, embeddingSize, hiddenSize: size }) - target);
      if (gap(h) < gap(best)) best = h;
      else if (LSTMLanguageModel.parameterCount({ vocabSize, embeddingSize, hiddenSize: h }) > target) break;
    }
    return best;
  }
}
