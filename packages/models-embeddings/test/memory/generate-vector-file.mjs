// Writes a synthetic vector file for the memory tests, in its own process so that the test's
// process measures nothing but reading:   node generate-vector-file.mjs <text|binary|glove> <path> <bytes> <dim>
import { closeSync, openSync, writeSync } from 'node:fs';
import process from 'node:process';
import { TextEncoder } from 'node:util';

const [kind, path, bytesArg, dimArg] = process.argv.slice(2);
const [bytes, dim] = [Number(bytesArg), Number(dimArg)];
const numbers = Array.from({ length: 997 }, (_, i) => (Math.sin(i * 12.9898) * 0.9).toFixed(6));
const valueOf = (row, j) => numbers[(row * 31 + j * 7) % numbers.length];
const textRow = (row) => {
  let line = `word${row}`;
  for (let j = 0; j < dim; j++) line += ` ${valueOf(row, j)}`;
  return `${line}\n`;
};
const rowBytes = kind === 'binary' ? 'word00000 '.length + 4 * dim + 1 : textRow(0).length;
const rows = Math.floor(bytes / rowBytes);
const fd = openSync(path, 'w');
if (kind !== 'glove') writeSync(fd, `${rows} ${dim}\n`);
const encoder = new TextEncoder();
for (let start = 0; start < rows; start += 4096) {
  const end = Math.min(rows, start + 4096);
  if (kind === 'binary') {
    const block = new Uint8Array((end - start) * (rowBytes + 8));
    const view = new DataView(block.buffer);
    let offset = 0;
    for (let row = start; row < end; row++) {
      offset += encoder.encodeInto(`word${row} `, block.subarray(offset)).written;
      for (let j = 0; j < dim; j++, offset += 4) view.setFloat32(offset, Number(valueOf(row, j)), true);
      block[offset++] = 0x0a;
    }
    writeSync(fd, block.subarray(0, offset));
  } else {
    let batch = '';
    for (let row = start; row < end; row++) batch += textRow(row);
    writeSync(fd, batch);
  }
}
closeSync(fd);
