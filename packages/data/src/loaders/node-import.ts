/**
 * Imports a Node built-in at run time. The specifier is a variable so browser bundlers do not try to
 * resolve it; callers only reach this in Node.
 */
export async function importNodeBuiltin<T = any>(name: 'zlib' | 'fs/promises' | 'path'): Promise<T> {
  const specifier = `node:${name}`;
  return (await import(/* @vite-ignore */ specifier)) as T;
}

/** Whether the code runs in Node (or a Node-compatible runtime). */
export function isNode(): boolean {
  return typeof process !== 'undefined' && process.versions?.node !== undefined;
}
