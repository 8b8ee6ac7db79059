"""The copy task of `pnpm example rnn-vs-transformer`, for an LSTM in PyTorch.

Is the LSTM's trouble with long gaps the LSTM's or Tessera's? This script trains PyTorch's LSTM on the
same task with the same recipe (Embedding 64 -> LSTM(64, hidden) -> Linear, AdamW lr 3e-3 betas
(0.9, 0.99) no weight decay, 20 warm-up steps then cosine to lr/10 over the budget, gradient clipping
at 1, batches of 32, a check on 256 held-out sequences every 50 steps that stops the run at 99 %
symbol accuracy) over several seeds, and prints the step at which each run solved the task.

    /usr/bin/python3 pytorch/copy_task_lstm.py [--k 2] [--gaps 10 50 100] [--steps 1000] [--seeds 5]

The sequence: [marker] k symbols of 8 [filler x gap] [marker] the k symbols; only the answers are scored.
"""
import argparse
import math
import time

import torch
import torch.nn as nn

ALPHABET = 8
FILLER, MARKER, VOCAB = ALPHABET, ALPHABET + 1, ALPHABET + 2


def batch(n, k, gap, generator):
    symbols = torch.randint(0, ALPHABET, (n, k), generator=generator)
    sequence = torch.cat([torch.full((n, 1), MARKER), symbols, torch.full((n, gap), FILLER), torch.full((n, 1), MARKER), symbols], 1)
    x, y = sequence[:, :-1], sequence[:, 1:].clone()
    y[:, :-k] = -1
    return x, y


class LSTMLanguageModel(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, 64)
        self.lstm = nn.LSTM(64, hidden, batch_first=True)
        self.head = nn.Linear(hidden, VOCAB)

    def forward(self, x):
        return self.head(self.lstm(self.embedding(x))[0])


def accuracy(model, x, y):
    with torch.no_grad():
        predicted = model(x).argmax(-1)
    mask = y != -1
    return ((predicted == y) & mask).sum().item() / mask.sum().item()


def run(k, gap, steps, hidden, seed, lr=3e-3, batch_size=32):
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    check = batch(256, k, gap, torch.Generator().manual_seed(seed + 1))
    model = LSTMLanguageModel(hidden)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.99), weight_decay=0)
    warmup, min_factor = 20, 0.1

    def factor(t):
        if t < warmup:
            return (t + 1) / (warmup + 1)
        return min_factor + (1 - min_factor) * 0.5 * (1 + math.cos(math.pi * (t - warmup) / (steps - warmup)))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    for step in range(1, steps + 1):
        x, y = batch(batch_size, k, gap, generator)
        loss = nn.functional.cross_entropy(model(x).reshape(-1, VOCAB), y.reshape(-1), ignore_index=-1)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if step % 50 == 0 and accuracy(model, *check) >= 0.99:
            return step, accuracy(model, *batch(512, k, gap, torch.Generator().manual_seed(seed + 2)))
    return None, accuracy(model, *batch(512, k, gap, torch.Generator().manual_seed(seed + 2)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--k', type=int, default=2)
    parser.add_argument('--gaps', type=int, nargs='+', default=[10, 50, 100])
    parser.add_argument('--steps', type=int, default=1000)
    parser.add_argument('--hidden', type=int, default=128, help='the size Tessera picks to match the copy GPT (2 layers, 64 dims)')
    parser.add_argument('--seeds', type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f'PyTorch {torch.__version__}, 1 thread; k={args.k}, alphabet {ALPHABET}, budget {args.steps} steps, LSTM hidden {args.hidden}')
    for gap in args.gaps:
        started = time.time()
        results = [run(args.k, gap, args.steps, args.hidden, seed) for seed in range(args.seeds)]
        solved = [step for step, _ in results if step is not None]
        accuracies = ' '.join(f'{acc:.3f}' for _, acc in results)
        print(f'gap {gap}: solved {len(solved)}/{args.seeds} (at steps {solved}); test accuracy per seed {accuracies}; {time.time() - started:.0f} s')


if __name__ == '__main__':
    main()
