"""PyTorch's number for the `lstm-train-step` bench case (run by hand; see BENCHMARKS.md):
LSTM(128, 256), batch 32 x 64 steps, batch-first, forward + loss = sum(output * g) + backward to the
weights, float32, medians over timed runs after a warm-up.

Usage: /usr/bin/python3 tooling/bench/pytorch/lstm_train_step.py [threads] [runs]
"""
import statistics
import sys
import time

import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
torch.set_num_threads(threads)
torch.manual_seed(0)
BATCH, STEPS, INPUT, HIDDEN = 32, 64, 128, 256
lstm = torch.nn.LSTM(INPUT, HIDDEN, batch_first=True)
x = torch.randn(BATCH, STEPS, INPUT)
g = torch.randn(BATCH, STEPS, HIDDEN)


def step():
    lstm.zero_grad(set_to_none=True)
    output, _ = lstm(x)
    (output * g).sum().backward()


for _ in range(3):
    step()
times = []
for _ in range(runs):
    start = time.perf_counter()
    step()
    times.append((time.perf_counter() - start) * 1000)
print(f"PyTorch {torch.__version__}, {threads} thread(s): LSTM(128, 256) batch 32 x 64 steps fwd+bwd: "
      f"median {statistics.median(times):.1f} ms (min {min(times):.1f}, max {max(times):.1f}, {runs} runs)")
