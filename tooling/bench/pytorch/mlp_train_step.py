"""The MLP 784-256-10 training step as a PyTorch user writes it, on one CPU thread.

nn.Sequential(Linear(784, 256), ReLU(), Linear(256, 10)), F.cross_entropy on int64 class indices (mean
over the batch of 128), loss.backward() and torch.optim.SGD(lr=0.1) with zero_grad(set_to_none=True):
the twin of the bench's `mlp-train-step-nn` case (tooling/bench/src/suites/mlp-nn.ts).

Standalone, it times the step on its own seeded weights and prints the median:

    /usr/bin/python3 tooling/bench/pytorch/mlp_train_step.py [--steps 2000] [--json]

With --serve DIR the bench drives it: DIR holds the bench's weights and batch as raw little-endian
float32 files (w1 [784, 256], b1, w2 [256, 10], b2, x [128, 784]) and labels as int32, so every
implementation starts from the same numbers. It then answers one line per request on stdin:
`check` -> one step from the initial weights, answered with JSON {"loss": ..., "b2": [...]};
`run N` -> N steps, answered with `done` once they are finished.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(1)

INPUT, HIDDEN, CLASSES, BATCH, LR = 784, 256, 10, 128, 0.1


def build(weights=None):
    """The model, its optimizer and one batch; `weights` (from the bench) or a fixed seed."""
    model = nn.Sequential(nn.Linear(INPUT, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, CLASSES))
    if weights is None:
        torch.manual_seed(0)
        x = torch.randn(BATCH, INPUT)
        labels = torch.randint(0, CLASSES, (BATCH,))
    else:
        with torch.no_grad():
            # The bench stores weights as [in, out] (x @ w); Linear keeps [out, in].
            model[0].weight.copy_(torch.from_numpy(weights['w1']).reshape(INPUT, HIDDEN).t())
            model[0].bias.copy_(torch.from_numpy(weights['b1']))
            model[2].weight.copy_(torch.from_numpy(weights['w2']).reshape(HIDDEN, CLASSES).t())
            model[2].bias.copy_(torch.from_numpy(weights['b2']))
        x = torch.from_numpy(weights['x']).reshape(BATCH, INPUT)
        labels = torch.from_numpy(weights['labels']).long()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    return model, optimizer, x, labels


def step(model, optimizer, x, labels):
    """One training step, written as a user writes it; returns the loss (before the update) as a float."""
    optimizer.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x), labels)
    loss.backward()
    optimizer.step()
    return loss.item()


def read_weights(directory):
    def load(name, dtype=np.float32):
        return np.fromfile(os.path.join(directory, name + '.bin'), dtype=dtype)

    return {**{name: load(name) for name in ('w1', 'b1', 'w2', 'b2', 'x')}, 'labels': load('labels', np.int32)}


def serve(directory):
    model, optimizer, x, labels = build(read_weights(directory))
    print('ready', flush=True)
    for line in sys.stdin:
        command = line.split()
        if not command:
            continue
        if command[0] == 'check':
            loss = step(model, optimizer, x, labels)
            print(json.dumps({'loss': loss, 'b2': model[2].bias.detach().tolist()}), flush=True)
        elif command[0] == 'run':
            for _ in range(int(command[1])):
                step(model, optimizer, x, labels)
            print('done', flush=True)
        elif command[0] == 'quit':
            break


def standalone(steps, as_json):
    model, optimizer, x, labels = build()
    for _ in range(50):
        step(model, optimizer, x, labels)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step(model, optimizer, x, labels)
        times.append((time.perf_counter() - start) * 1000)
    quartiles = statistics.quantiles(times, n=4)
    result = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'steps': steps,
              'median_ms': statistics.median(times), 'q1_ms': quartiles[0], 'q3_ms': quartiles[2]}
    if as_json:
        print(json.dumps(result))
    else:
        print(f"PyTorch {result['torch']}, {result['threads']} thread: MLP 784-256-10 train step, batch 128, SGD: "
              f"median {result['median_ms']:.3f} ms (IQR {result['q1_ms']:.3f}-{result['q3_ms']:.3f}) over {steps} steps")


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--serve', metavar='DIR', help='answer check/run requests on stdin (used by the bench)')
    parser.add_argument('--steps', type=int, default=2000, help='timed steps when standalone (default 2000)')
    parser.add_argument('--json', action='store_true', help='print the standalone result as JSON')
    arguments = parser.parse_args()
    if arguments.serve:
        serve(arguments.serve)
    else:
        standalone(arguments.steps, arguments.json)
