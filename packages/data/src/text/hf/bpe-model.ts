/**
 * The Hugging Face BPE model of a `tokenizer.json`: the package's one `BPEModel` (character-level,
 * with `continuing_subword_prefix`, `end_of_word_suffix`, `byte_fallback`, `fuse_unk` and
 * `ignore_merges`), its fields validated against the file's paths, and results cached per word.
 */
import { BPEModel } from '../bpe/model';
import type { TokenSink } from '../wordpiece/model';
import { TokenizerJSONError } from './json';
import type { Model } from './models';

/** The configuration of a BPE model, as in `tokenizer.json`. */
export interface BpeModelConfig {
  vocab: Map<string, number>;
  merges: [string, string][];
  unkToken: string | null;
  continuingSubwordPrefix: string | null;
  endOfWordSuffix: string | null;
  fuseUnk: boolean;
  byteFallback: boolean;
  ignoreMerges: boolean;
}

interface CachedWord {
  ids: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
}

const CACHE_LIMIT = 200_000;

/**
 * The pipeline's model for a `tokenizer.json` BPE section (`path` names it in errors): a `BPEModel`
 * behind a per-word cache. Every merge must use tokens of the vocabulary, and `unk_token` must be one.
 * @example
 * const model = hfBpeModel({ vocab: new Map([['a', 0], ['b', 1], ['ab', 2]]), merges: [['a', 'b']], unkToken: null,
 *   continuingSubwordPrefix: null, endOfWordSuffix: null, fuseUnk: false, byteFallback: false, ignoreMerges: false }, 'model');
 * const sink = { ids: [], starts: null, ends: null }; model.tokenize('ab', sink); sink.ids // [2]
 */
export function hfBpeModel(config: BpeModelConfig, path: string): Model {
  const { vocab, merges } = config;
  const prefixLength = config.continuingSubwordPrefix?.length ?? 0;
  merges.forEach(([left, right], rank) => {
    const merged = left + right.slice(prefixLength);
    const missing = !vocab.has(left) ? left : !vocab.has(right) ? right : !vocab.has(merged) ? merged : null;
    if (missing !== null) throw new TokenizerJSONError(`${path}.merges[${rank}]`, `merge ${JSON.stringify(`${left} ${right}`)} uses ${JSON.stringify(missing)}, which is not in model.vocab`);
  });
  if (config.unkToken !== null && !vocab.has(config.unkToken)) {
    throw new TokenizerJSONError(`${path}.unk_token`, `${JSON.stringify(config.unkToken)} is not in model.vocab`);
  }
  const bpe = BPEModel.fromMerges(vocab, merges, {
    byteLevel: false,
    ignoreMerges: config.ignoreMerges,
    unkToken: config.unkToken ?? undefined,
    continuingSubwordPrefix: config.continuingSubwordPrefix,
    endOfWordSuffix: config.endOfWordSuffix,
    byteFallback: config.byteFallback,
    fuseUnk: config.fuseUnk,
    unknownCharacters: 'skip',
  });
  const cache = new Map<string, CachedWord>();
  const scratch: TokenSink = { ids: [], starts: [], ends: [] };
  const encode = (word: string): CachedWord => {
    scratch.ids.length = 0;
    scratch.starts!.length = 0;
    scratch.ends!.length = 0;
    bpe.encodeWord(word, scratch);
    return { ids: Int32Array.from(scratch.ids), starts: Int32Array.from(scratch.starts!), ends: Int32Array.from(scratch.ends!) };
  };
  return {
    vocabSize: vocab.size,
    tokenToId: (token) => vocab.get(token),
    idToToken: (id) => bpe.vocab[id],
    tokenize(word: string, sink: TokenSink): void {
      if (word.length === 0) return;
      let cached = cache.get(word);
      if (cached === undefined) {
        cached = encode(word);
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(word, cached);
      }
      const ids = cached.ids;
      for (let i = 0; i < ids.length; i++) sink.ids.push(ids[i]!);
      if (sink.starts !== null) {
        for (let i = 0; i < ids.length; i++) {
          sink.starts.push(cached.starts[i]!);
          sink.ends!.push(cached.ends[i]!);
        }
      }
    },
  };
}
