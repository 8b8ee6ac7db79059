import '@tessera/backend-cpu';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, readlink, stat, symlink, writeFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValueError } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/training/index';
import { Linear } from '../../src/index';

describe('writeFileAtomic after crashes and on unusual targets', () => {
  it('removes temporary files of the same target left by a killed process, and only those', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'tessera-atomic-'));
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = `.best.bin.${deadPid}.abc123.tmp`;
    const otherTarget = `.other.bin.${deadPid}.abc123.tmp`;
    const live = `.best.bin.${process.pid}.zz.tmp`;
    for (const name of [stale, otherTarget, live]) await writeFile(join(folder, name), 'x');
    await writeFileAtomic(join(folder, 'best.bin'), new Uint8Array([1]));
    expect((await readdir(folder)).sort()).toEqual([live, otherTarget, 'best.bin'].sort());
  });

  it('writes through a symbolic link to its target and keeps the permission bits', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'tessera-atomic-'));
    const real = join(folder, 'real.bin');
    await writeFile(real, 'old');
    await chmod(real, 0o600);
    const link = join(folder, 'link.bin');
    await symlink('real.bin', link);
    await writeFileAtomic(link, new Uint8Array([65, 66]));
    expect(await readlink(link)).toBe('real.bin');
    expect(await readFile(real, 'utf8')).toBe('AB');
    expect((await stat(real)).mode & 0o777).toBe(0o600);
  });

  it('a folder as the target, or a file as its parent, is a ValueError', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'tessera-atomic-'));
    await mkdir(join(folder, 'sub'));
    await expect(writeFileAtomic(join(folder, 'sub'), new Uint8Array([1]))).rejects.toThrow(ValueError);
    await writeFile(join(folder, 'file'), 'x');
    await expect(writeFileAtomic(join(folder, 'file', 'x.bin'), new Uint8Array([1]))).rejects.toThrow(/cannot create the folder/);
  });
});

describe('loadStateDict on bad input', () => {
  it('null or a non-record is a ValueError saying what was expected', () => {
    const model = new Linear(2, 2);
    expect(() => model.loadStateDict(null as never)).toThrow(ValueError);
    expect(() => model.loadStateDict('weights' as never)).toThrow(/loadStateDict: expected a record of tensors by name .*got string/);
  });
});
