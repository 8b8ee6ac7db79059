/**
 * The autograd graph: one GradNode per recorded op output. A node knows its op's gradient rule,
 * the tensors the rule needs (saved handles that keep their storage alive) and its parents.
 *
 * Lifetime: a node is reference-counted by the tensors whose `gradFn` it is and by its child nodes.
 * When the count reaches zero its saved tensors are released and its parents lose a reference, so
 * disposing a loss frees the whole graph behind it. `backward()` without `retainGraph` frees the saved
 * tensors early (and marks the nodes so a second backward fails clearly).
 */
import { AutogradError } from '../errors';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';

/**
 * A gradient rule: given the gradient of the op's output, return one gradient per input
 * (`null` where an input needs none). Written with core ops, so it runs on every backend.
 */
export type GradientRule = (grad: Tensor, saved: readonly Tensor[], output: Tensor | null) => (Tensor | null | undefined)[];

/** Where an input's gradient goes: another node, a leaf tensor's `.grad`, or nowhere. */
export type GradTarget = GradNode | Tensor | null;

/** A saved tensor as it was when saved: whose it was and its storage's version then. */
interface SavedVersion {
  readonly handle: Tensor;
  /** The id of the tensor the op was given (the saved handle is an internal copy of it). */
  readonly sourceId: number;
  readonly version: number;
}

function versionsOf(handles: readonly Tensor[], sourceIds: readonly number[] | undefined): SavedVersion[] {
  return handles.map((handle, i) => ({ handle, sourceId: sourceIds?.[i] ?? handle.id, version: handle.storage.version }));
}

let nextNodeId = 0;

/** One recorded op in the autograd graph. */
export class GradNode {
  readonly id = nextNodeId++;
  private references = 1;
  private saved: Tensor[] | null;
  /** The output tensor, detached, when the rule needs it (kept as data only to avoid a cycle). */
  private savedOutput: Tensor | null;
  /** Set by backward without retainGraph: the saved tensors are gone. */
  released = false;
  /** A non-leaf tensor that asked for its `.grad` with `retainGrad()`. */
  retainedFor: WeakRef<Tensor> | null = null;
  /** Storage versions of the saved tensors (and output) at save time, checked before the rule runs. */
  private readonly versions: SavedVersion[];

  constructor(
    readonly opName: string,
    readonly parents: GradTarget[],
    saved: Tensor[],
    savedOutput: Tensor | null,
    readonly rule: GradientRule,
    /** Shape and dtype of the output, for a zero gradient when none arrives. */
    readonly outputShape: readonly number[],
    /** Ids of the tensors `saved` (then the output) were made from, for error messages. */
    sourceIds?: readonly number[],
  ) {
    this.saved = saved;
    this.savedOutput = savedOutput;
    this.versions = versionsOf(savedOutput ? [...saved, savedOutput] : saved, sourceIds);
    for (const parent of parents) if (parent instanceof GradNode) parent.retain();
  }

  /** Another tensor or node refers to this node. */
  retain(): void {
    this.references++;
  }

  /** A reference went away; at zero the saved tensors and parent references are released. */
  release(): void {
    if (--this.references > 0) return;
    this.freeSaved();
    for (const parent of this.parents) if (parent instanceof GradNode) parent.release();
  }

  /** Release the saved tensors (after backward, or when the node dies). */
  freeSaved(): void {
    if (this.saved) for (const tensor of this.saved) tensor.dispose();
    this.savedOutput?.dispose();
    this.saved = null;
    this.savedOutput = null;
  }

  /** Apply the rule. Fails clearly if a previous backward already freed what it needs. */
  apply(grad: Tensor, output: Tensor | null): (Tensor | null | undefined)[] {
    if (this.released) {
      throw new AutogradError(
        `backward: the graph through '${this.opName}' was already freed by an earlier backward(); ` +
          'call backward({ retainGraph: true }) the first time to run backward through it again',
      );
    }
    this.checkVersions();
    return this.rule(grad, this.saved ?? [], output ?? this.savedOutput);
  }

  /** Refuse to differentiate with saved data that an in-place write changed since it was saved. */
  private checkVersions(): void {
    for (const { handle, sourceId, version } of this.versions) {
      const now = handle.storage.version;
      if (now === version) continue;
      const writer = handle.storage.lastWrittenBy;
      throw new AutogradError(
        'backward: one of the tensors needed for gradient computation has been modified by an inplace operation: ' +
          `${this.opName} saved tensor #${sourceId} of shape ${formatShape(handle.shape)} at version ${version}, now version ${now}` +
          `${writer ? ` (last written by ${writer})` : ''}. Modify a clone() instead, or modify it in place only after backward`,
      );
    }
  }

  /** The saved output (data only). */
  get output(): Tensor | null {
    return this.savedOutput;
  }
}
