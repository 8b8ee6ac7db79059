import { describe, expect, it } from 'vitest';
import { BPEModel, BPETokenizer } from '../../src/index';

/** A byte-level model with no merges: every byte is its own token. */
function bytesOnly(): BPEModel {
  return BPEModel.fromTokenBytes(Array.from({ length: 256 }, (_, byte) => Uint8Array.of(byte)));
}

describe('BPETokenizer with a split pattern that matches the empty string', () => {
  it('steps over astral characters by whole code points instead of looping forever', () => {
    const tokenizer = new BPETokenizer(bytesOnly(), { pattern: 'x*' });
    // 'x*' matches the empty string before 'a' and before the emoji's surrogate pair: the loop must
    // resume after the whole pair (one code unit would land inside it and V8 would move it back).
    expect(tokenizer.encode('a😀x😀')).toEqual([120]);
    expect(tokenizer.encode('😀😀')).toEqual([]);
  });

  it('does the same when offsets are requested', () => {
    const tokenizer = new BPETokenizer(bytesOnly(), { pattern: 'x*' });
    expect(tokenizer.encodeWithOffsets('😀xx')).toEqual({ ids: [120, 120], offsets: [[2, 3], [3, 4]] });
  });
});
