/**
 * The adapter every framework side implements. Suites are written once against this interface;
 * `tessera-side.ts` and `tfjs-side.ts` translate it to each framework's idiomatic calls.
 */

/** The sides the harness knows, in table order. */
export const SIDE_NAMES = ['tessera-cpu', 'tfjs-cpu', 'tfjs-wasm'] as const;
export type SideName = (typeof SIDE_NAMES)[number];

/** An opaque tensor of the side that made it. */
export type Handle = { readonly __handle: unique symbol };

/** Initial weights and one batch for the MLP training-step benchmark (row-major float32). */
export interface MlpSetup {
  inputSize: number;
  hiddenSize: number;
  classes: number;
  batch: number;
  lr: number;
  /** [inputSize, hiddenSize], [hiddenSize], [hiddenSize, classes], [classes] */
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
  /** [batch, inputSize] inputs and [batch, classes] one-hot targets. */
  x: Float32Array;
  yOneHot: Float32Array;
}

/** A model that trains in place: each `step` is forward + backward + SGD update. */
export interface MlpTrainer {
  /** One training step; resolves with the loss (computed before the update) once the update is done. */
  step(): Promise<number>;
  /** The current second-layer bias, to compare the updated weights across sides. */
  readB2(): Promise<Float32Array>;
  dispose(): void;
}

/** One framework + backend, ready to run suites. */
export interface Side {
  readonly name: SideName;
  /** Versions and settings, for the report (e.g. "tfjs 4.22.0, wasm, SIMD, 1 thread"). */
  readonly description: string;
  /** Make this side current (tfjs has one global backend). Cheap when already current. */
  activate(): Promise<void>;
  /** A float32 tensor with these values and shape, on this side's backend. */
  fromArray(values: Float32Array, shape: number[]): Handle;
  /** a·b; `transposeA`/`transposeB` multiply by the transpose of a 2-D operand (as tf.matMul's flags). */
  matmul(a: Handle, b: Handle, transposeA?: boolean, transposeB?: boolean): Handle;
  add(a: Handle, b: Handle): Handle;
  softmax(x: Handle): Handle;
  /** Read values back; resolves once every queued operation producing them has finished. */
  read(handle: Handle): Promise<Float32Array>;
  dispose(handle: Handle): void;
  /**
   * An MLP trainer. `fused`: the framework's fused matmul + bias + activation op for both layers and
   * its SGD optimizer's update (Tessera `fusedMatmul` + `sgdStep`, tfjs `tf.fused.matMul` + `tf.train.sgd`);
   * otherwise plain matmul, add and relu, and SGD written as tensor ops where the framework allows.
   */
  createMlp(setup: MlpSetup, options?: { fused?: boolean }): MlpTrainer;
  /** Live tensors, to check that a suite leaks nothing. */
  liveTensors(): number;
}

/** A side that could not start, with the reason (shown in the report instead of numbers). */
export interface UnavailableSide {
  readonly name: SideName;
  readonly unavailable: string;
}
