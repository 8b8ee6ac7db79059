/**
 * Writing a file so that readers see either the old file or the complete new one, never a torn write.
 */

/**
 * Write bytes to `path` atomically (Node only): write a temporary file in the same folder, flush it to
 * disk (fsync), then rename it over `path` — a rename within one file system is atomic — and fsync the
 * folder so the rename itself survives a crash. On failure the temporary file is removed.
 * @example
 * await writeFileAtomic('checkpoints/best.safetensors', await saveSafetensors(model.stateDict()));
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname, basename, join } = await import('node:path');
  const folder = dirname(path);
  await fs.mkdir(folder, { recursive: true });
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
  try {
    const handle = await fs.open(temporary, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(fs, folder);
}

async function syncFolder(fs: typeof import('node:fs/promises'), folder: string): Promise<void> {
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
