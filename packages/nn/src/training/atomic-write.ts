/**
 * Writing a file so that readers see either the old file or the complete new one, never a torn write.
 */
import { ValueError } from '@tessera/core';

type FileSystem = typeof import('node:fs/promises');

/**
 * Write bytes to `path` atomically (Node only): write a temporary file in the same folder, flush it to
 * disk (fsync), then rename it over `path` — a rename within one file system is atomic — and fsync the
 * folder so the rename itself survives a crash. On failure the temporary file is removed.
 *
 * Through a symbolic link the link's target is replaced (the link stays); an existing file keeps its
 * permission bits. Temporary files of the same target left by a killed process are removed first.
 * A `path` that is a folder, or whose parent is a file, is a `ValueError`.
 * @example
 * await writeFileAtomic('checkpoints/best.safetensors', await saveSafetensors(model.stateDict()));
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname, basename, join } = await import('node:path');
  const target = await resolveTarget(fs, path);
  const folder = dirname(target);
  try {
    await fs.mkdir(folder, { recursive: true });
  } catch (error) {
    throw new ValueError(`writeFileAtomic: cannot create the folder of ${JSON.stringify(path)} (${(error as Error).message})`);
  }
  const existing = await fs.stat(target).catch(() => null);
  if (existing?.isDirectory() === true) throw new ValueError(`writeFileAtomic: ${JSON.stringify(path)} is a folder, expected a file path`);
  const prefix = `.${basename(target)}.`;
  await removeStaleTemporaries(fs, folder, prefix, join);
  const temporary = join(folder, `${prefix}${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
  try {
    const handle = await fs.open(temporary, 'wx');
    try {
      await handle.writeFile(bytes);
      if (existing !== null) await handle.chmod(existing.mode & 0o7777);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(fs, folder);
}

/** The file a write to `path` must replace: the end of its chain of symbolic links. */
async function resolveTarget(fs: FileSystem, path: string): Promise<string> {
  const { dirname, resolve } = await import('node:path');
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    const link = await fs.readlink(current).catch(() => null);
    if (link === null) return current;
    current = resolve(dirname(current), link);
  }
  throw new ValueError(`writeFileAtomic: ${JSON.stringify(path)} has more than 40 levels of symbolic links`);
}

/** Removes `<prefix><pid>.<id>.tmp` files whose writing process no longer runs (killed mid-write). */
async function removeStaleTemporaries(fs: FileSystem, folder: string, prefix: string, join: (...parts: string[]) => string): Promise<void> {
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d+)\.[0-9a-z]+\.tmp$/.exec(name.slice(prefix.length)); // exactly our pattern, not another target's
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid <= 0 || isRunning(pid)) continue;
    await fs.rm(join(folder, name), { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function syncFolder(fs: FileSystem, folder: string): Promise<void> {
  // Durability of the rename; some platforms (Windows) cannot open a folder for fsync, which is harmless.
  let handle: Awaited<ReturnType<typeof fs.open>> | undefined;
  try {
    handle = await fs.open(folder, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close();
  }
}
