/**
 * Typed errors. Every message names the op, the operands' shapes or dtypes, and what was expected,
 * so a failure can be fixed from the message alone.
 */

/**
 * Base class of every error Tessera throws on purpose.
 * @example
 * try { tensor([1]).reshape([2]); } catch (e) { e instanceof TesseraError; // true }
 */
export class TesseraError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Shapes that do not fit the op: broadcasting, matmul alignment, reshape sizes, dims out of range.
 * @example
 * try { tensor([1, 2]).add(tensor([1, 2, 3])); } catch (e) { e instanceof ShapeError; // true }
 */
export class ShapeError extends TesseraError {}

/**
 * A dtype the op cannot take (e.g. `matmul` of int32, `mean` of bool, a backend without float64).
 * @example
 * try { tensor([1], { dtype: 'int32' }).mean(); } catch (e) { e instanceof DTypeError; // true }
 */
export class DTypeError extends TesseraError {}

/**
 * A backend problem: unknown or unregistered backend, mixing tensors of two backends, a missing capability.
 * @example
 * try { await setBackend('nope'); } catch (e) { e instanceof BackendError; // true }
 */
export class BackendError extends TesseraError {}

/**
 * Autograd misuse: `backward()` on a non-scalar without a gradient, a second backward through a freed graph,
 * an in-place change of a tensor autograd needs.
 * @example
 * try { tensor([1, 2], { requiresGrad: true }).mul(2).backward(); } catch (e) { e instanceof AutogradError; // true }
 */
export class AutogradError extends TesseraError {}

/**
 * Use of a tensor after `dispose()` (directly, or by a `tidy` scope that ended).
 * @example
 * const t = tensor([1]); t.dispose();
 * try { t.add(1); } catch (e) { e instanceof DisposedError; // true }
 */
export class DisposedError extends TesseraError {}

/**
 * An argument with a bad value that is not a shape or dtype problem (a negative probability, an unknown option).
 * @example
 * try { linspace(0, 1, -1); } catch (e) { e instanceof ValueError; // true }
 */
export class ValueError extends TesseraError {}
