"""PyTorch's numbers for the `gpt` bench cases (run by hand; see BENCHMARKS.md): nanoGPT's CPU
configuration (vocab 65, block 64, 4 layers, 4 heads, 128 dims, no dropout), float32.

- greedy generation of 60 tokens after a 4-token prompt, with a key/value cache (one position per
  step) and without (nanoGPT's generate: the whole context per step); ms per token;
- one AdamW training step (weight decay 0.1 on the matrices, as nanoGPT's configure_optimizers) on a
  batch of 12 x 64 tokens; ms per step.

The model is nanoGPT's (bias, GELU tanh approximation as GPT-2, tied lm_head), written out here since
PyTorch 1.13 has no scaled_dot_product_attention. Medians over timed runs after a warm-up.

Usage: /usr/bin/python3 tooling/bench/pytorch/gpt_cpu.py [threads] [runs]
"""
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
torch.set_num_threads(threads)
torch.manual_seed(0)
V, BLOCK, L, H, C = 65, 64, 4, 4, 128


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(C), nn.LayerNorm(C)
        self.c_attn, self.c_proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        self.c_fc, self.mlp_proj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)

    def forward(self, x, past=None):
        B, T, _ = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        if past is not None:
            k, v = torch.cat([past[0], k], 2), torch.cat([past[1], v], 2)
        scores = q @ k.transpose(-1, -2) / math.sqrt(C // H)
        S = k.shape[2]
        mask = torch.ones(T, S, dtype=torch.bool).tril(S - T)
        y = scores.masked_fill(~mask, float("-inf")).softmax(-1) @ v
        x = x + self.c_proj(y.transpose(1, 2).reshape(B, T, C))
        x = x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))
        return x, (k, v)


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(BLOCK, C)
        self.h = nn.ModuleList(Block() for _ in range(L))
        self.ln_f = nn.LayerNorm(C)

    def forward(self, idx, cache=None, targets=None):
        T = idx.shape[1]
        start = 0 if cache is None else cache[0][0].shape[2]
        x = self.wte(idx) + self.wpe(torch.arange(start, start + T))
        new_cache = []
        for i, block in enumerate(self.h):
            x, kv = block(x, None if cache is None else cache[i])
            new_cache.append(kv)
        logits = self.ln_f(x) @ self.wte.weight.T
        loss = None if targets is None else F.cross_entropy(logits.view(-1, V), targets.view(-1))
        return logits, loss, new_cache


def median_ms(fn, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), max(times)


model = GPT().eval()
prompt = torch.tensor([[0, 1, 2, 3]])


@torch.no_grad()
def generate(use_cache, steps=60):
    idx, cache, last = prompt, None, prompt
    for _ in range(steps):
        if use_cache:
            logits, _, cache = model(last if cache is not None else idx, cache)
        else:
            logits, _, _ = model(idx[:, -BLOCK:])
        last = logits[:, -1].argmax(-1, keepdim=True)
        idx = torch.cat([idx, last], 1)
    return idx


assert torch.equal(generate(True), generate(False))
for use_cache in (True, False):
    med, lo, hi = median_ms(lambda: generate(use_cache))
    print(f"PyTorch {torch.__version__}, {threads} thread(s): generation {'with' if use_cache else 'without'} cache: "
          f"{med / 60:.2f} ms/token (min {lo / 60:.2f}, max {hi / 60:.2f}; {runs} runs of 60 tokens)")

model.train()
decay = [p for p in model.parameters() if p.dim() >= 2]
no_decay = [p for p in model.parameters() if p.dim() < 2]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=6e-4, betas=(0.9, 0.99))
x = torch.tensor([[(b * 7 + t) % V for t in range(BLOCK)] for b in range(12)])
y = torch.tensor([[(b * 7 + t + 1) % V for t in range(BLOCK)] for b in range(12)])


def train_step():
    _, loss, _ = model(x, targets=y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()


med, lo, hi = median_ms(train_step)
print(f"PyTorch {torch.__version__}, {threads} thread(s): training step batch 12 x 64, AdamW: median {med:.1f} ms (min {lo:.1f}, max {hi:.1f}; {runs} runs)")
