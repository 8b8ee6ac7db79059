/**
 * BERT's configuration as Hugging Face's `config.json` writes it (snake_case fields, `BertConfig`'s
 * defaults — those of bert-base), checked field by field.
 */
import { ValueError } from '@tessera/core';

/** The fields of a BERT `config.json` that shape the model (others are carried along and ignored). */
export interface BertConfig {
  /** Token vocabulary (default 30522). */
  vocab_size?: number;
  /** Width of every hidden state (default 768). */
  hidden_size?: number;
  /** Encoder layers (default 12). */
  num_hidden_layers?: number;
  /** Attention heads per layer; must divide hidden_size (default 12). */
  num_attention_heads?: number;
  /** Feed-forward width (default 3072). */
  intermediate_size?: number;
  /** Feed-forward and MLM-transform activation: `gelu` (erf, default), `gelu_new`, `relu`, `silu`, … */
  hidden_act?: string;
  /** Dropout after embeddings and every sublayer (default 0.1). */
  hidden_dropout_prob?: number;
  /** Dropout on the attention weights (default 0.1). */
  attention_probs_dropout_prob?: number;
  /** Positions the learned position table holds (default 512). */
  max_position_embeddings?: number;
  /** Segment (token type) ids (default 2). */
  type_vocab_size?: number;
  /** Standard deviation of the normal initialisation (default 0.02). */
  initializer_range?: number;
  /** LayerNorm epsilon (default 1e-12). */
  layer_norm_eps?: number;
  /** The padding token, whose embedding row starts at zero (default 0). */
  pad_token_id?: number;
  /** Only `absolute` (the default) is supported. */
  position_embedding_type?: string;
  /** Classes of BertForSequenceClassification (default: the size of `id2label`, else 2); 1 is regression. */
  num_labels?: number;
  id2label?: Record<string, string>;
  /** Dropout before the classifier (default: hidden_dropout_prob). */
  classifier_dropout?: number | null;
  /** `single_label_classification`, `multi_label_classification` or `regression` (default: from num_labels and the labels' dtype, as Hugging Face). */
  problem_type?: string | null;
  /** Tie the MLM decoder to the word embeddings (default true). */
  tie_word_embeddings?: boolean;
  [key: string]: unknown;
}

/** A checked BERT configuration, camelCase. */
export interface ResolvedBertConfig {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly intermediateSize: number;
  readonly hiddenAct: string;
  readonly hiddenDropoutProb: number;
  readonly attentionProbsDropoutProb: number;
  readonly maxPositionEmbeddings: number;
  readonly typeVocabSize: number;
  readonly initializerRange: number;
  readonly layerNormEps: number;
  readonly padTokenId: number | null;
  readonly numLabels: number;
  readonly classifierDropout: number;
  readonly problemType: 'single_label_classification' | 'multi_label_classification' | 'regression' | null;
  readonly tieWordEmbeddings: boolean;
}

const PROBLEM_TYPES = ['single_label_classification', 'multi_label_classification', 'regression'] as const;

function integer(where: string, config: BertConfig, field: keyof BertConfig & string, fallback: number, min = 1): number {
  const value = config[field] ?? fallback;
  if (!Number.isInteger(value) || (value as number) < min) throw new ValueError(`${where}: config.${field} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return value as number;
}

function probability(where: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new ValueError(`${where}: config.${field} must be a probability in [0, 1], got ${JSON.stringify(value)}`);
  return value;
}

function positive(where: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw new ValueError(`${where}: config.${field} must be a positive number, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Check a BERT `config.json` object and fill in `BertConfig`'s defaults (errors name the field).
 * @example
 * resolveBertConfig('BertModel', { vocab_size: 1000, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 256 }).maxPositionEmbeddings; // 512
 */
export function resolveBertConfig(where: string, config: BertConfig): ResolvedBertConfig {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ValueError(`${where}: expected a BERT config object (the fields of config.json: vocab_size, hidden_size, …), got ${config === null ? 'null' : typeof config}`);
  }
  const hiddenSize = integer(where, config, 'hidden_size', 768);
  const numAttentionHeads = integer(where, config, 'num_attention_heads', 12);
  if (hiddenSize % numAttentionHeads !== 0) {
    throw new ValueError(`${where}: config.hidden_size ${hiddenSize} is not a multiple of config.num_attention_heads ${numAttentionHeads}`);
  }
  const positionType = config.position_embedding_type ?? 'absolute';
  if (positionType !== 'absolute') throw new ValueError(`${where}: config.position_embedding_type '${String(positionType)}' is not supported (only 'absolute')`);
  if (config.is_decoder === true || config.add_cross_attention === true) {
    throw new ValueError(`${where}: config.is_decoder / add_cross_attention describe a BERT decoder, which is not supported (BERT here is the bidirectional encoder)`);
  }
  const id2labelCount = config.id2label && typeof config.id2label === 'object' ? Object.keys(config.id2label).length : undefined;
  const numLabels = integer(where, config, 'num_labels', id2labelCount ?? 2);
  if (config.num_labels !== undefined && id2labelCount !== undefined && id2labelCount !== config.num_labels) {
    throw new ValueError(`${where}: config.num_labels ${config.num_labels} disagrees with config.id2label, which names ${id2labelCount} labels`);
  }
  const problemType = config.problem_type ?? null;
  if (problemType !== null && !(PROBLEM_TYPES as readonly string[]).includes(problemType)) {
    throw new ValueError(`${where}: config.problem_type must be one of ${PROBLEM_TYPES.join(', ')} or null, got ${JSON.stringify(problemType)}`);
  }
  const hiddenDropoutProb = probability(where, 'hidden_dropout_prob', config.hidden_dropout_prob ?? 0.1);
  const padTokenId = config.pad_token_id ?? 0;
  const vocabSize = integer(where, config, 'vocab_size', 30522);
  if (padTokenId !== null && !(Number.isInteger(padTokenId) && padTokenId >= 0 && padTokenId < vocabSize)) {
    throw new ValueError(`${where}: config.pad_token_id must be a token id in [0, ${vocabSize - 1}] or null, got ${JSON.stringify(padTokenId)}`);
  }
  if (config.tie_word_embeddings !== undefined && typeof config.tie_word_embeddings !== 'boolean') {
    throw new ValueError(`${where}: config.tie_word_embeddings must be a boolean, got ${JSON.stringify(config.tie_word_embeddings)}`);
  }
  return {
    vocabSize,
    hiddenSize,
    numHiddenLayers: integer(where, config, 'num_hidden_layers', 12),
    numAttentionHeads,
    intermediateSize: integer(where, config, 'intermediate_size', 3072),
    hiddenAct: config.hidden_act ?? 'gelu',
    hiddenDropoutProb,
    attentionProbsDropoutProb: probability(where, 'attention_probs_dropout_prob', config.attention_probs_dropout_prob ?? 0.1),
    maxPositionEmbeddings: integer(where, config, 'max_position_embeddings', 512),
    typeVocabSize: integer(where, config, 'type_vocab_size', 2),
    initializerRange: positive(where, 'initializer_range', config.initializer_range ?? 0.02),
    layerNormEps: positive(where, 'layer_norm_eps', config.layer_norm_eps ?? 1e-12),
    padTokenId,
    numLabels,
    classifierDropout: probability(where, 'classifier_dropout', config.classifier_dropout ?? hiddenDropoutProb),
    problemType: problemType as ResolvedBertConfig['problemType'],
    tieWordEmbeddings: config.tie_word_embeddings ?? true,
  };
}

/** Where a BERT model is built or loaded, with the dtype and backend of its parameters. */
export interface BertFactoryOptions {
  /** Parameter dtype (default float32). */
  dtype?: 'float32' | 'float64';
  /** Backend (default: the current one). */
  device?: string;
}
