"""gensim's side of Tessera's Word2Vec / FastText measurements: the same corpus, tokenized by the same
rule as `tokenizeText` in src/training/corpus.ts, trained with the same settings; prints one JSON object.

    /usr/bin/python3 gensim_twin.py --corpus data.txt --model word2vec --sg 1 --workers 1 --seed 1 \
        [--hs 0 --negative 5 --dim 100 --window 5 --min-count 5 --epochs 5] [--neighbours 500] [--save vectors.txt]
    /usr/bin/python3 gensim_twin.py --corpus data.txt --model fasttext --sg 1 --misspellings list.txt --bucket 200000

With --serve it reads commands on stdin instead (for `pnpm bench`): `run <workers> <seed>` trains once
(vocabulary + epochs) and answers {"seconds", "trainSeconds", "vocab"}; `quit` ends.

Output: {"words": raw tokens of one epoch, "vocab": size, "seconds": train() time, "wordsPerSecond": raw
tokens × epochs / seconds, "neighbours": {word: [10 nearest]} for the most frequent words (--neighbours N),
"misspellings": {typo: nearest in-vocabulary word} (FastText, --misspellings)}. Debian: apt-get install python3-gensim.
"""
import argparse
import json
import re
import sys
import time

from gensim.models import FastText, Word2Vec

SENTENCE_BREAK = re.compile(r"[.!?;:]+|\n\s*\n")
WORD = re.compile(r"[^\W_]+(?:['’][^\W\d_]+)*")


def tokenize(text):
    """The rule of tokenizeText: sentences at . ! ? ; : and blank lines, lowercase words with inner apostrophes."""
    sentences = []
    for part in SENTENCE_BREAK.split(text):
        words = [w.replace("’", "'") for w in WORD.findall(part.lower())]
        if words:
            sentences.append(words)
    return sentences


def build(args, sentences, workers, seed):
    common = dict(vector_size=args.dim, window=args.window, min_count=args.min_count, sg=args.sg, hs=args.hs,
                  negative=args.negative, workers=workers, seed=seed, epochs=args.epochs)
    if args.model == "fasttext":
        return FastText(min_n=args.min_n, max_n=args.max_n, bucket=args.bucket, **common)
    return Word2Vec(**common)


def serve(args, sentences):
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        workers, seed = int(command[1]), int(command[2])
        started = time.perf_counter()
        model = build(args, sentences, workers, seed)
        model.build_vocab(sentences)
        trained = time.perf_counter()
        model.train(sentences, total_examples=len(sentences), epochs=args.epochs)
        done = time.perf_counter()
        print(json.dumps({"seconds": done - started, "trainSeconds": done - trained, "vocab": len(model.wv.index_to_key)}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--model", choices=["word2vec", "fasttext"], default="word2vec")
    parser.add_argument("--sg", type=int, default=1)
    parser.add_argument("--hs", type=int, default=0)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bucket", type=int, default=2000000)
    parser.add_argument("--min-n", type=int, default=3)
    parser.add_argument("--max-n", type=int, default=6)
    parser.add_argument("--neighbours", type=int, default=0)
    parser.add_argument("--misspellings", default=None)
    parser.add_argument("--save", default=None)
    parser.add_argument("--vocabulary", action="store_true", help="also output the vocabulary in gensim's order")
    parser.add_argument("--serve", action="store_true", help="answer `run <workers> <seed>` commands on stdin")
    args = parser.parse_args()

    with open(args.corpus, encoding="utf8") as f:
        sentences = tokenize(f.read())
    if args.serve:
        serve(args, sentences)
        return
    raw = sum(len(s) for s in sentences)
    model = build(args, sentences, args.workers, args.seed)
    model.build_vocab(sentences)
    started = time.perf_counter()
    model.train(sentences, total_examples=len(sentences), epochs=args.epochs)
    seconds = time.perf_counter() - started
    out = {"words": raw, "vocab": len(model.wv.index_to_key), "seconds": seconds, "wordsPerSecond": raw * args.epochs / seconds,
           "workers": args.workers, "seed": args.seed}
    if args.vocabulary:
        out["vocabulary"] = list(model.wv.index_to_key)
    if args.neighbours:
        out["neighbours"] = {w: [n for n, _ in model.wv.most_similar(w, topn=10)] for w in model.wv.index_to_key[: args.neighbours]}
    if args.misspellings:
        result = {}
        with open(args.misspellings, encoding="utf8") as f:
            for line in f:
                line = line.split("#")[0].strip()
                if not line:
                    continue
                typo, intended = line.split()
                result[typo] = {"intended": intended, "nearest": model.wv.most_similar(typo, topn=1)[0][0]}
        out["misspellings"] = result
    if args.save:
        model.wv.save_word2vec_format(args.save)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
