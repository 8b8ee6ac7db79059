/**
 * The examples, by name: each module exports `main(options)`, which prints what it shows and returns its key numbers.
 */
import type { ExampleOptions } from '../common';

export interface ExampleEntry {
  description: string;
  load: () => Promise<{ main: (options?: ExampleOptions) => Promise<unknown> }>;
}

export const EXAMPLES: Record<string, ExampleEntry> = {
  'fashion-mnist-mlp': { description: 'a 784-256-128-10 MLP and softmax regression on Fashion-MNIST', load: () => import('./fashion-mnist-mlp') },
};
