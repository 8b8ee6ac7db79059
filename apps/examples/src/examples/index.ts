/**
 * The examples, by name: each module exports `main(options)`, which prints what it shows and returns its key numbers.
 */
import type { ExampleOptions } from '../common';

export interface ExampleEntry {
  description: string;
  load: () => Promise<{ main: (options?: ExampleOptions) => Promise<unknown> }>;
}

export const EXAMPLES: Record<string, ExampleEntry> = {
  perceptron: { description: 'the perceptron trick on separable 2-D points, the line after each epoch', load: () => import('./perceptron') },
  'logistic-regression': { description: "logistic regression: the course's per-point rule and fit() with SGD", load: () => import('./logistic-regression') },
  'xor-mlp': { description: 'XOR from combined perceptrons by hand, then a learned 2-4-1 network', load: () => import('./xor-mlp') },
  'backprop-by-hand': { description: "the course's worked backpropagation example through autograd", load: () => import('./backprop-by-hand') },
  iris: { description: 'softmax regression on iris (≥ 0.95), confusion matrix', load: () => import('./iris') },
  digits: { description: 'an MLP on the 8 × 8 digits (≥ 0.95), per-class precision and recall', load: () => import('./digits') },
  'fashion-mnist-mlp': { description: 'a 784-256-128-10 MLP (≥ 0.885) and softmax regression (≥ 0.84) on Fashion-MNIST', load: () => import('./fashion-mnist-mlp') },
  regularization: { description: 'L1 makes weights sparse, L2 shrinks them; train/test curves', load: () => import('./regularization') },
  dropout: { description: 'dropout narrows the train/test gap of an overfitting network', load: () => import('./dropout') },
  'early-stopping': { description: 'stop when the validation loss stops improving, restore the best weights', load: () => import('./early-stopping') },
  momentum: { description: 'SGD with momentum 0, 0.5 and 0.9', load: () => import('./momentum') },
  'lr-decay': { description: 'constant rate vs StepLR, ExponentialLR, InverseSqrtLR and ReduceLROnPlateau', load: () => import('./lr-decay') },
  'random-restarts': { description: 'restart a network that gets stuck on XOR and keep the best run', load: () => import('./random-restarts') },
  'batch-vs-minibatch-vs-sgd': { description: 'batch, mini-batch and stochastic gradient descent as batch sizes', load: () => import('./batch-vs-minibatch-vs-sgd') },
  'hessian-minimum-saddle': { description: 'Hessian eigenvalues at a trained minimum (all > 0) and at a saddle (mixed signs)', load: () => import('./hessian-minimum-saddle') },
  'transfer-learning': { description: "a CNN pre-trained on Fashion-MNIST 0–4 reused for 5–9 in the course's four cases", load: () => import('./transfer-learning') },
  'vanishing-gradients': { description: 'plain RNN vs LSTM/GRU gradients over 100 steps, sigmoid vs ReLU depth, clipping an exploding RNN', load: () => import('./vanishing-gradients') },
  'time-series': { description: 'a GRU forecasts a noisy periodic series (tbptt) and beats the last-value forecast', load: () => import('./time-series') },
  'char-generator': { description: 'a character-level GRU learns first names, sampled with temperature (one-to-many)', load: () => import('./char-generator') },
  'two-books': { description: 'which book is a sentence from: an LSTM vs bag of words + logistic regression (many-to-one)', load: () => import('./two-books') },
  'seq2seq-dates': { description: 'an encoder–decoder turns written-out dates into ISO dates: teacher forcing, greedy and beam search (many-to-many)', load: () => import('./seq2seq-dates') },
  'bert-transfer': { description: 'a tiny BERT pre-trained on Moby Dick (MLM) vs from scratch on which-book (2 labels); "date" in context', load: () => import('./bert-transfer') },
  't5-tasks': { description: 'one small T5 learns reverse:, sort: and date: at once (text-to-text with task prefixes), exact match per task', load: () => import('./t5-tasks') },
  'distill-gpt': { description: 'knowledge distillation: a char GPT with half the blocks learns from a bigger one vs from hard labels (3 seeds)', load: () => import('./distill-gpt') },
  'parallel-gpt': { description: 'a char GPT on two cpu backend instances: data parallel (bitwise the accumulated step) and model parallel (blocks split), cost per step', load: () => import('./parallel-gpt') },
  'gpt-memory-precision': { description: 'a char GPT training step plain, with gradientCheckpointing and under autocast: peak memory in backward, time, losses', load: () => import('./gpt-memory-precision') },
  'prune-mlp': { description: 'the Fashion-MNIST MLP pruned to 50/80/90 % (L1, global) and fine-tuned: accuracy table', load: () => import('./prune-mlp') },
  'rnn-vs-transformer': { description: 'an LSTM and a GPT of the same size on Moby Dick characters (bits/char, tokens/s) and on a long-range copy task', load: () => import('./rnn-vs-transformer') },
  'tokenizer-effect': { description: 'the main-job GPT with characters vs BPE 512 / 2,048 in bits per character; GPT-2 tokens per word', load: () => import('./tokenizer-effect') },
};
