/**
 * Keeping views and their base consistent after a recorded in-place op (PyTorch's CopySlices and view
 * regeneration). An in-place op rewrites the history of the handle it ran on; every other handle of the
 * same storage — the base of a modified view, sibling views, views of a modified base — is brought up
 * to date lazily, when it is next used while autograd records: its new history takes the gradient of
 * the elements a recorded write covered to that write's node, and the rest to its previous history.
 */
import { AutogradError } from '../errors';
import { formatShape } from '../shape';
import type { RebaseRecord } from '../tensor/storage';
import type { Tensor } from '../tensor/tensor';
import { GradNode } from './node';
import { tensor as makeTensor, zeros } from '../ops/creation';
import { where } from '../ops/binary';

/** Storage positions of a strided view's elements, in row-major order. */
function positionsOf(shape: readonly number[], strides: readonly number[], offset: number): Int32Array {
  const size = shape.reduce((product, dim) => product * dim, 1);
  const positions = new Int32Array(size);
  const index = new Array<number>(shape.length).fill(0);
  let position = offset;
  for (let i = 0; i < size; i++) {
    positions[i] = position;
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]++;
      position += strides[d];
      if (index[d] < shape[d]) break;
      position -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return positions;
}

/** Whether `handle`'s history is behind recorded in-place writes through other handles of its storage. */
export function isStale(handle: Tensor): boolean {
  return handle.historyAt !== -1 && handle.historyAt !== handle.storage.rebases;
}

function refuse(handle: Tensor, why: string): never {
  throw new AutogradError(
    `tensor #${handle.id} of shape ${formatShape(handle.shape)} shares its storage with a tensor that ` +
      `${handle.storage.lastWrittenBy ?? 'an in-place op'} modified in place while autograd recorded it, and ${why}. ` +
      'Use the tensor the in-place op ran on, or clone() before modifying in place',
  );
}

/** One write's effect on `handle`: a node splitting its gradient between the write and its old history. */
function copySlices(handle: Tensor, handlePositions: Int32Array, record: RebaseRecord, storageSize: number): GradNode | null {
  const regionPositions = positionsOf(record.shape, record.strides, record.offset);
  const regionIndexAt = new Int32Array(storageSize).fill(-1);
  regionPositions.forEach((position, i) => {
    regionIndexAt[position] = i;
  });
  const inside: number[] = [];
  const regionIndex: number[] = [];
  const covered = new Uint8Array(handlePositions.length);
  handlePositions.forEach((position, i) => {
    const j = regionIndexAt[position];
    if (j < 0) return;
    inside.push(i);
    regionIndex.push(j);
    covered[i] = 1;
  });
  if (inside.length === 0) return null;
  const device = handle.device;
  const made = [
    makeTensor(covered, { dtype: 'bool', shape: handle.shape, device }),
    makeTensor(new Int32Array(inside), { device }),
    makeTensor(new Int32Array(regionIndex), { device }),
  ];
  const saved = made.map((t) => t.shareInternal(false));
  for (const t of made) t.dispose();
  const regionSize = regionPositions.length;
  const regionShape = record.shape;
  const previous = handle.gradFn;
  return new GradNode(
    'copySlices',
    [previous, record.node as GradNode],
    saved,
    null,
    (grad, [coveredMask, insideIndex, regionIndexT]) => {
      const picked = grad.reshape([-1]).indexSelect(0, insideIndex);
      const toWrite = zeros([regionSize], { dtype: grad.dtype, device: grad.device }).scatterAdd(0, regionIndexT, picked).reshape(regionShape);
      return [previous ? where(coveredMask, 0, grad) : null, toWrite];
    },
    handle.shape,
  );
}

/**
 * Bring `handle`'s history up to date with the in-place writes recorded through other handles of its
 * storage (no-op when it is current). Called before a handle becomes an input of a recorded op.
 * @example
 * refreshHistory(base); // after base.narrow(0, 0, 2).mul_(2)
 */
export function refreshHistory(handle: Tensor): void {
  if (!isStale(handle)) return;
  const storage = handle.storage;
  const records = storage.rebasesSince(handle.historyAt);
  if (records === null) refuse(handle, 'the record of that write was dropped (all user handles of the storage were disposed)');
  if (handle.isLeaf && handle.requiresGrad) refuse(handle, 'it is a leaf that requires grad, which cannot take a history');
  const positions = positionsOf(handle.shape, handle.strides, handle.offset);
  for (const record of records) {
    const node = copySlices(handle, positions, record, storage.size);
    if (node) handle.attachGradFn(node);
  }
  handle.historyAt = storage.rebases;
}
