/**
 * Activation checkpointing with PyTorch's non-reentrant semantics (`torch.utils.checkpoint(…,
 * use_reentrant=False)`): trade compute for memory by keeping none of a region's intermediate tensors
 * for backward, and recomputing them when backward first needs one.
 *
 * The forward runs `fn` once, recording the graph as usual — every op gets its node, its parents and its
 * place — except that the nodes save nothing (the {@link RecordInterceptor} in record.ts makes them), so
 * the region's intermediates die with the `tidy` around it. When backward reaches the first of those
 * nodes, the region runs again from its saved inputs, with the random-number state, grad mode and
 * autocast setting of the forward, and this time its nodes are kept: the k-th node of the forward applies
 * the rule of the k-th node of the recomputation, which holds identical saved tensors. Gradients flow
 * through the forward's own graph, so they are bitwise those of the run without checkpointing, reach
 * tensors `fn` reads from its closure (parameters), and work with `grad()` and `retainGraph`. Each
 * recomputed node is freed as soon as backward is past it.
 */
import { AutogradError, ValueError } from '../errors';
import { Scope, tidy } from '../memory/scope';
import { getRngState, setRngState, type RngState } from '../ops/random';
import { isTensor, type Tensor } from '../tensor/tensor';
import { AutocastGuard, autocastState, type AutocastState } from './autocast';
import { GradModeGuard, isGradEnabled } from './grad-mode';
import { GradNode, type GradTarget } from './node';
import { setRecordInterceptor, type RecordInterceptor } from './record';

/** A forward node of a checkpointed region: saves nothing, and applies its recomputed twin's rule. */
class DeferredNode extends GradNode {
  private dropped = false;

  constructor(
    private readonly frame: CheckpointFrame,
    private readonly index: number,
    opName: string,
    parents: GradTarget[],
    outputShape: readonly number[],
  ) {
    super(opName, parents, [], null, (grad) => frame.apply(index, opName, grad), outputShape);
  }

  /** Backward is past this node (or the graph died): its recomputed twin can go. */
  override freeSaved(): void {
    super.freeSaved();
    if (this.dropped) return;
    this.dropped = true;
    this.frame.drop(this.index);
  }
}

/** One call of {@link checkpoint}: what is needed to run the region again, and the nodes it made. */
class CheckpointFrame implements RecordInterceptor {
  private mode: 'forward' | 'recompute' | 'idle' = 'idle';
  /** The forward's op names, in recording order. */
  private readonly opNames: string[] = [];
  /** The recomputation's nodes, by position (undefined once dropped); null before recomputing. */
  private recomputed: (GradNode | undefined)[] | null = null;
  /** Forward nodes whose twins may still be needed. */
  private live = 0;
  /** Handles of the tensor inputs (keeping their storage and graph links), released after recomputing. */
  private inputs: unknown[] | null;
  private readonly rng: RngState = getRngState();
  private readonly autocast: AutocastState = autocastState();

  constructor(
    private readonly fn: (...inputs: any[]) => unknown,
    inputs: readonly unknown[],
  ) {
    this.inputs = inputs.map((value) => (isTensor(value) ? value.shareInternal(true) : value));
  }

  /** Run the forward: every op records a node that saves nothing. */
  forward<T>(inputs: readonly unknown[]): T {
    this.mode = 'forward';
    const previous = setRecordInterceptor(this);
    try {
      return tidy(() => this.fn(...inputs)) as T;
    } finally {
      setRecordInterceptor(previous);
      this.mode = 'idle';
      if (this.live === 0) this.releaseInputs(); // nothing recorded: nothing to recompute
    }
  }

  defer(opName: string, parents: GradTarget[], outputShape: readonly number[]): GradNode | null {
    if (this.mode !== 'forward') return null;
    this.live++;
    return new DeferredNode(this, this.opNames.push(opName) - 1, opName, parents, outputShape);
  }

  recorded(node: GradNode): void {
    if (this.mode !== 'recompute') return;
    node.retain();
    this.recomputed!.push(node);
  }

  /** The gradient rule of forward node `index`: its recomputed twin's, on the same gradient. */
  apply(index: number, opName: string, grad: Tensor): (Tensor | null | undefined)[] {
    if (isGradEnabled()) {
      throw new AutogradError(
        `checkpoint: backward with createGraph through a checkpointed region ('${opName}') is not supported; ` +
          'differentiate the region without checkpoint for gradients of gradients',
      );
    }
    if (this.recomputed === null) this.recompute();
    const twin = this.recomputed![index];
    if (!twin) throw new AutogradError(`checkpoint: the recomputed node of '${opName}' was already freed (a second backward needs retainGraph: true the first time)`);
    return twin.apply(grad, null);
  }

  /** Forward node `index` is done with: free its twin; after the last, free everything. */
  drop(index: number): void {
    const twin = this.recomputed?.[index];
    if (twin) {
      this.recomputed![index] = undefined;
      twin.release();
    }
    if (--this.live > 0) return;
    this.releaseInputs();
    for (const node of this.recomputed ?? []) node?.release();
    this.recomputed = [];
  }

  /** Run the region again as the forward ran it (random numbers, grad mode, autocast), keeping its nodes. */
  private recompute(): void {
    const inputs = this.inputs;
    if (inputs === null) throw new AutogradError('checkpoint: the region can no longer be recomputed (its inputs were released)');
    this.recomputed = [];
    const rngNow = getRngState();
    setRngState(this.rng);
    const gradMode = new GradModeGuard(true);
    const autocast = new AutocastGuard(this.autocast.enabled, this.autocast.dtype);
    const previous = setRecordInterceptor(this);
    const scope = new Scope();
    this.mode = 'recompute';
    try {
      scope.run(() => this.fn(...inputs));
    } finally {
      this.mode = 'idle';
      setRecordInterceptor(previous);
      autocast.release();
      gradMode.release();
      setRngState(rngNow);
      scope.dispose(); // the recomputed tensors; the kept nodes hold what backward reads
    }
    const names = this.recomputed.map((node) => node!.opName);
    const mismatch = names.length !== this.opNames.length ? -1 : names.findIndex((name, i) => name !== this.opNames[i]);
    if (names.length !== this.opNames.length || mismatch !== -1) {
      const where = mismatch === -1 ? `${names.length} ops instead of ${this.opNames.length}` : `'${names[mismatch]}' where the forward recorded '${this.opNames[mismatch]}' (op ${mismatch})`;
      throw new AutogradError(
        `checkpoint: recomputing the region recorded ${where}; fn must run the same ops on every call (no branches on data or state that backward changed)`,
      );
    }
    this.releaseInputs();
  }

  private releaseInputs(): void {
    for (const value of this.inputs ?? []) if (isTensor(value)) value.dispose();
    this.inputs = null;
  }
}

/**
 * Run `fn(...inputs)` without keeping its intermediate tensors for backward; backward recomputes them
 * (PyTorch's `torch.utils.checkpoint.checkpoint(fn, *inputs, use_reentrant=False)`). The gradients are
 * bitwise those of `fn(...inputs)` run plainly: the recomputation restores the random-number state, so
 * dropout masks repeat, and runs under the forward's autocast setting. Memory: a region keeps only its
 * inputs (and outputs) until backward; backward holds one region's intermediates at a time.
 *
 * `fn` must be synchronous and deterministic (the same ops each call). Tensors it reads besides its
 * `inputs` — parameters, captured from its closure — must still be alive at backward. Outside grad mode
 * it just runs `fn`. Gradients of gradients (`createGraph`) through a checkpointed region are refused.
 * @example
 * for (const block of blocks) x = checkpoint((h) => block.forward(h), x); // e.g. transformer blocks
 * loss.backward(); // each block's activations are recomputed when backward reaches it
 */
export function checkpoint<A extends unknown[], T>(fn: (...inputs: A) => T, ...inputs: A): T {
  if (typeof fn !== 'function') throw new ValueError(`checkpoint: expected a function, got ${fn === null ? 'null' : typeof fn}`);
  if (fn.constructor?.name === 'AsyncFunction') throw new ValueError('checkpoint: fn must be synchronous (an async region cannot be recomputed inside backward)');
  for (const value of inputs) if (isTensor(value)) value.assertLive('checkpoint');
  if (!isGradEnabled()) return fn(...inputs);
  const frame = new CheckpointFrame(fn as (...values: unknown[]) => unknown, inputs);
  const result = frame.forward<T>(inputs);
  if (result instanceof Promise) throw new ValueError('checkpoint: fn returned a Promise; it must be synchronous');
  return result;
}
