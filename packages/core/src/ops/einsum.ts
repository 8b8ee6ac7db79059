/**
 * `einsum`: Einstein summation lowered to ops every backend runs — diagonal views for repeated
 * subscripts, `sum` for subscripts no one else needs, then pairwise contractions as one batched
 * `matmul` each (permute + reshape around it), cheapest pair first. Gradients (of any order) come from
 * the ops it lowers to.
 */
import { isFloating } from '../dtype';
import { autocastActive, autocastOp } from '../autograd/autocast';
import { ValueError } from '../errors';
import { tidy } from '../memory/scope';
import { shapesEqual } from '../shape';
import { Tensor } from '../tensor/tensor';
import { diagonalView } from './einsum-diagonal';
import { parseEinsum, type EinsumSpec } from './einsum-parse';

/** An intermediate of the contraction: a tensor and the label of each of its dims. */
interface Term {
  tensor: Tensor;
  labels: number[];
}

const product = (sizes: Iterable<number>) => {
  let total = 1;
  for (const size of sizes) total *= size;
  return total;
};

/** Sum out the dims whose labels satisfy `drop`. */
function sumOut(term: Term, drop: (label: number) => boolean): Term {
  const dims = term.labels.flatMap((label, dim) => (drop(label) ? [dim] : []));
  if (!dims.length) return term;
  return { tensor: term.tensor.sum(dims), labels: term.labels.filter((label) => !drop(label)) };
}

/** Reorder a term's dims to `labels` (a permutation of its own). */
function arrange(term: Term, labels: readonly number[]): Tensor {
  const order = labels.map((label) => term.labels.indexOf(label));
  return order.every((dim, i) => dim === i) ? term.tensor : term.tensor.permute(order);
}

/** `tensor` in `shape`, itself when it already has it (no extra view in the graph). */
function reshaped(tensor: Tensor, shape: readonly number[]): Tensor {
  return shapesEqual(tensor.shape, shape) ? tensor : tensor.reshape(shape);
}

/** Take the diagonal for every subscript repeated within the term (`ii`, `iij`, `ijij`). */
function takeDiagonals(term: Term): Term {
  let current = term;
  for (;;) {
    const repeated = current.labels.find((label, dim) => current.labels.indexOf(label) !== dim);
    if (repeated === undefined) return current;
    const dims = current.labels.flatMap((label, dim) => (label === repeated ? [dim] : []));
    current = {
      tensor: diagonalView(current.tensor, dims),
      labels: current.labels.filter((label, dim) => label !== repeated || dim === dims[0]),
    };
  }
}

/** Drop size-1 dims that broadcast against a larger size elsewhere: their single value applies throughout. */
function dropBroadcastDims(term: Term, sizes: ReadonlyMap<number, number>): Term {
  const dims = term.labels.flatMap((label, dim) => (term.tensor.shape[dim] === 1 && sizes.get(label) !== 1 ? [dim] : []));
  if (!dims.length) return term;
  return { tensor: term.tensor.squeeze(dims), labels: term.labels.filter((_, dim) => !dims.includes(dim)) };
}

/** Labels of the result of contracting `a` with `b` when only `keep` is still needed afterwards. */
function contractedLabels(a: Term, b: Term, keep: ReadonlySet<number>): number[] {
  const union = [...new Set([...a.labels, ...b.labels])];
  return union.filter((label) => keep.has(label));
}

/**
 * Contract two terms over their shared labels that are not in `keep`; shared labels in `keep` are
 * batch dims. Floating-point operands go through one batched matmul: [batch, left, shared] ×
 * [batch, shared, right]; other dtypes through a broadcast product and a sum.
 */
function contractPair(left: Term, right: Term, keep: ReadonlySet<number>, sizes: ReadonlyMap<number, number>): Term {
  const a = sumOut(left, (label) => !keep.has(label) && !right.labels.includes(label));
  const b = sumOut(right, (label) => !keep.has(label) && !left.labels.includes(label));
  const batch = a.labels.filter((label) => b.labels.includes(label) && keep.has(label));
  const shared = a.labels.filter((label) => b.labels.includes(label) && !keep.has(label));
  const leftOnly = a.labels.filter((label) => !b.labels.includes(label));
  const rightOnly = b.labels.filter((label) => !a.labels.includes(label));
  const sizesOf = (labels: readonly number[]) => labels.map((label) => sizes.get(label)!);
  const labels = [...batch, ...leftOnly, ...rightOnly];

  if (shared.length && isFloating(a.tensor.dtype) && isFloating(b.tensor.dtype)) {
    // Each group of labels becomes one dim; without batch labels the product is a plain 2-D matmul.
    const merged = (...groups: number[][]) => groups.filter((group, i) => i > 0 || batch.length).map((group) => product(sizesOf(group)));
    const lhs = reshaped(arrange(a, [...batch, ...leftOnly, ...shared]), merged(batch, leftOnly, shared));
    const rhs = reshaped(arrange(b, [...batch, ...shared, ...rightOnly]), merged(batch, shared, rightOnly));
    return { tensor: reshaped(lhs.matmul(rhs), sizesOf(labels)), labels };
  }
  // Broadcast product: each side gets size-1 dims where only the other side has a label.
  const ones = (labels: readonly number[]) => labels.map(() => 1);
  const lhs = reshaped(arrange(a, [...batch, ...leftOnly, ...shared]), [...sizesOf(batch), ...sizesOf(leftOnly), ...ones(rightOnly), ...sizesOf(shared)]);
  const rhs = reshaped(arrange(b, [...batch, ...rightOnly, ...shared]), [...sizesOf(batch), ...ones(leftOnly), ...sizesOf(rightOnly), ...sizesOf(shared)]);
  const productTensor = lhs.mul(rhs);
  if (!shared.length) return { tensor: productTensor, labels };
  const sharedDims = shared.map((_, i) => labels.length + i);
  return { tensor: productTensor.sum(sharedDims), labels };
}

/** The labels still needed after contracting terms `i` and `j`: the output's and the other terms'. */
function labelsNeeded(terms: readonly Term[], skip: readonly number[], output: readonly number[]): Set<number> {
  const needed = new Set(output);
  terms.forEach((term, k) => {
    if (!skip.includes(k)) for (const label of term.labels) needed.add(label);
  });
  return needed;
}

/** Contract terms two at a time, each time the pair whose result is smallest (leftmost on ties). */
function contractAll(initial: Term[], spec: EinsumSpec): Term {
  const terms = [...initial];
  while (terms.length > 1) {
    let best = { i: 0, j: 1, cost: Number.POSITIVE_INFINITY };
    for (let i = 0; i < terms.length; i++) {
      for (let j = i + 1; j < terms.length; j++) {
        const keep = labelsNeeded(terms, [i, j], spec.output);
        const cost = product(contractedLabels(terms[i], terms[j], keep).map((label) => spec.sizes.get(label)!));
        if (cost < best.cost) best = { i, j, cost };
      }
    }
    const keep = labelsNeeded(terms, [best.i, best.j], spec.output);
    const result = contractPair(terms[best.i], terms[best.j], keep, spec.sizes);
    terms.splice(best.j, 1);
    terms.splice(best.i, 1, result);
  }
  return terms[0];
}

/** Parsed equations by equation and operand shapes: einsum in a loop parses once. */
const specCache = new Map<string, EinsumSpec>();
const SPEC_CACHE_SIZE = 256;

function cachedSpec(equation: string, shapes: readonly (readonly number[])[]): EinsumSpec {
  const key = `${equation}|${shapes.map((shape) => shape.join(',')).join(';')}`;
  const cached = specCache.get(key);
  if (cached) return cached;
  const spec = parseEinsum(equation, shapes);
  if (specCache.size >= SPEC_CACHE_SIZE) specCache.delete(specCache.keys().next().value!);
  specCache.set(key, spec);
  return spec;
}

/**
 * Einstein summation, as PyTorch's `torch.einsum`: subscripts name each operand's dims; a subscript
 * repeated within an operand takes a diagonal; subscripts missing from the output are summed. Without
 * `->` the output is the `...` dims followed by the subscripts used exactly once, in alphabetical order
 * (upper case first). `...` stands for any number of dims, broadcast across operands (right-aligned),
 * and a size-1 dim broadcasts against the same subscript elsewhere. Spaces are ignored.
 * Runs as views, sums and batched matmuls, so it is fast on every backend and differentiable to any order.
 * @example
 * einsum('ij,jk->ik', a, b);          // matmul
 * einsum('bij,bjk->bik', x, y);       // batched matmul
 * einsum('ii->', m);                  // trace
 * einsum('...ij->...ji', x);          // transpose the last two dims
 * einsum('bn,anm,bm->ba', l, w, r);   // bilinear form
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor;
/** The operands as one array, as `torch.einsum` also takes a list. @example einsum('i,i->', [a, b]) */
export function einsum(equation: string, operands: readonly Tensor[]): Tensor;
export function einsum(equation: string, ...operands: (Tensor | readonly Tensor[])[]): Tensor {
  const flat = (operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands) as Tensor[];
  if (autocastActive()) return autocastOp('einsum', 'lowerPrecision', flat, (...cast: Tensor[]) => einsum(equation, cast));
  flat.forEach((operand, i) => {
    if (!(operand instanceof Tensor)) throw new ValueError(`einsum('${equation}'): operand ${i} is not a Tensor (got ${typeof operand})`);
    operand.assertLive('einsum');
  });
  const spec = cachedSpec(equation, flat.map((operand) => operand.shape));
  const output = new Set(spec.output);
  return tidy(() => {
    const terms = flat.map((tensor, i) => dropBroadcastDims(takeDiagonals({ tensor, labels: [...spec.inputs[i]] }), spec.sizes));
    // A subscript only one term has, and the output lacks, is summed right away.
    const reduced = terms.map((term, i) =>
      sumOut(term, (label) => !output.has(label) && !terms.some((other, k) => k !== i && other.labels.includes(label))),
    );
    const result = sumOut(contractAll(reduced, spec), (label) => !output.has(label));
    const arranged = arrange(result, spec.output);
    // A new handle when nothing was computed, so the caller never receives an operand itself.
    return flat.includes(arranged) ? arranged.permute(arranged.shape.map((_, dim) => dim)) : arranged;
  });
}
