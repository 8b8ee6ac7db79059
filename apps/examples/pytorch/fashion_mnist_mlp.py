"""PyTorch reference for the fashion-mnist-mlp example: the same network, data preparation, optimizer,
schedule and batch size, to compare seconds per epoch on the same machine.

    /usr/bin/python3 apps/examples/pytorch/fashion_mnist_mlp.py [epochs] [threads] [loader|slices]

`slices` draws batches by indexing a random permutation instead of torch's DataLoader (whose
per-sample collation costs several seconds per epoch), to time the network alone.
"""
import gzip
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

DIR = '/usr/share/datasets/fashion-mnist'


def load(prefix):
    with gzip.open(f'{DIR}/{prefix}-images-idx3-ubyte.gz') as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255
    with gzip.open(f'{DIR}/{prefix}-labels-idx1-ubyte.gz') as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return torch.from_numpy(images), torch.from_numpy(labels)


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    torch.manual_seed(0)
    x_train, y_train = load('train')
    x_test, y_test = load('t10k')
    mean, std = x_train.mean(), x_train.std()
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    use_slices = len(sys.argv) > 3 and sys.argv[3] == 'slices'
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x_train, y_train), batch_size=128, shuffle=True)

    def batches():
        if not use_slices:
            yield from loader
            return
        order = torch.randperm(len(x_train))
        for start in range(0, len(order), 128):
            index = order[start:start + 128]
            yield x_train[index], y_train[index]
    for epoch in range(epochs):
        started = time.perf_counter()
        model.train()
        for x, y in batches():
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
        scheduler.step()
        print(f'epoch {epoch + 1}/{epochs} - test accuracy {accuracy:.4f} - {time.perf_counter() - started:.2f}s (threads {torch.get_num_threads()})')


if __name__ == '__main__':
    main()
