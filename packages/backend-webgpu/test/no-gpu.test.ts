/**
 * On a machine without a GPU driver, importing the WebGPU backend costs nothing: tensors made
 * straight away run on cpu, nothing is printed (no raw Dawn/Vulkan loader warnings), and
 * `listBackends({ available: true })` leaves webgpu out while `backendUnavailableReason` says why.
 * Each case runs in a child Node process whose environment has no Vulkan driver to find, and
 * captures everything it writes to stdout and stderr.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driverFolders, findVulkanDrivers, type DriverSearch } from '../src/vulkan-drivers';

const packageDir = resolve(__dirname, '..');
const empty = mkdtempSync(join(tmpdir(), 'tessera-no-gpu-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

/** The environment of a machine without a Vulkan driver: no driver variables, empty XDG folders and home. */
function noDriverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: empty, XDG_CONFIG_HOME: empty, XDG_CONFIG_DIRS: empty, XDG_DATA_HOME: empty, XDG_DATA_DIRS: empty };
  for (const name of ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES', 'TESSERA_REQUIRE_WEBGPU', 'NODE_OPTIONS']) delete env[name];
  return env;
}

/** Run an ES module body beside this package (so `@tessera/*` resolve); returns its result and every byte it printed. */
function runQuietly(body: string): { result: unknown; stdout: string; stderr: string } {
  const resultFile = join(empty, `result-${Math.random().toString(36).slice(2)}.json`);
  const code = `import { writeFileSync } from 'node:fs';\n${body}\nwriteFileSync(${JSON.stringify(resultFile)}, JSON.stringify(result));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: packageDir, env: noDriverEnv(), encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`the child process failed (status ${child.status}):\n${child.stdout}${child.stderr}`);
  const { stdout, stderr } = child;
  return { result: JSON.parse(readFileSync(resultFile, 'utf8')), stdout, stderr };
}

/** Whether the loader could still find a driver in the fixed system folder (/etc), which no variable hides. */
const systemDriver = ['/etc/vulkan/icd.d', '/usr/local/etc/vulkan/icd.d'].some(
  (folder) => existsSync(folder) && readdirSync(folder).some((name) => name.endsWith('.json')),
);

describe('importing @tessera/backend-webgpu without a GPU driver', () => {
  it('tensors made before any await run on cpu, with zero console output', () => {
    const { result, stdout, stderr } = runQuietly(`
import '@tessera/backend-cpu';
import '@tessera/backend-webgpu';
import { tensor, listBackends, getBackend } from '@tessera/core';
const sum = tensor([1]).add(1);
const result = { device: sum.device, values: sum.arraySync(), current: getBackend(), registered: listBackends(), available: listBackends({ available: true }) };`);
    expect(result).toEqual({ device: 'cpu', values: [2], current: 'cpu', registered: ['webgpu', 'cpu'], available: ['cpu'] });
    expect(stdout).toBe('');
    expect(stderr).toBe('');
  });

  it.skipIf(systemDriver)('await ready() skips webgpu quietly, and the reason names the missing driver', () => {
    const { result, stdout, stderr } = runQuietly(`
import '@tessera/backend-cpu';
import '@tessera/backend-webgpu';
import { ready, getBackend, listBackends, backendUnavailableReason } from '@tessera/core';
await ready();
const result = { current: getBackend(), available: listBackends({ available: true }), reason: backendUnavailableReason('webgpu') };`);
    expect(result).toMatchObject({ current: 'cpu', available: ['cpu'] });
    expect((result as { reason: string }).reason).toMatch(/no Vulkan driver is installed/);
    expect(stdout).toBe('');
    expect(stderr).toBe('');
  });
});

describe('findVulkanDrivers (where the Vulkan loader looks on Linux)', () => {
  const files: Record<string, string[]> = {
    '/usr/share/vulkan/icd.d': ['/usr/share/vulkan/icd.d/radeon_icd.json'],
    '/opt/lvp': ['/opt/lvp/lvp_icd.json'],
  };
  const search = (env: Record<string, string>): DriverSearch => ({
    env,
    home: '/home/me',
    exists: (path) => Object.values(files).flat().includes(path),
    jsonFilesIn: (folder) => files[folder] ?? [],
  });

  it('finds a driver in the default data folders when no variable is set', () => {
    expect(findVulkanDrivers(search({}))).toEqual(['/usr/share/vulkan/icd.d/radeon_icd.json']);
  });

  it('VK_ICD_FILENAMES replaces the folder search (files or folders)', () => {
    expect(findVulkanDrivers(search({ VK_ICD_FILENAMES: '/opt/lvp/lvp_icd.json' }))).toEqual(['/opt/lvp/lvp_icd.json']);
    expect(findVulkanDrivers(search({ VK_ICD_FILENAMES: '/opt/lvp' }))).toEqual(['/opt/lvp/lvp_icd.json']);
    expect(findVulkanDrivers(search({ VK_ICD_FILENAMES: '/missing/icd.json' }))).toEqual([]);
  });

  it('VK_DRIVER_FILES wins over VK_ICD_FILENAMES, and VK_ADD_DRIVER_FILES adds to either', () => {
    expect(findVulkanDrivers(search({ VK_DRIVER_FILES: '/missing.json', VK_ICD_FILENAMES: '/opt/lvp' }))).toEqual([]);
    expect(findVulkanDrivers(search({ XDG_DATA_DIRS: '/nowhere', VK_ADD_DRIVER_FILES: '/opt/lvp' }))).toEqual(['/opt/lvp/lvp_icd.json']);
  });

  it('XDG_DATA_DIRS replaces the default data folders; /etc is always searched', () => {
    expect(findVulkanDrivers(search({ XDG_DATA_DIRS: '/nowhere' }))).toEqual([]);
    expect(driverFolders({ XDG_DATA_DIRS: '/nowhere' }, '/home/me')).toEqual([
      '/home/me/.config/vulkan/icd.d',
      '/etc/xdg/vulkan/icd.d',
      '/usr/local/etc/vulkan/icd.d',
      '/etc/vulkan/icd.d',
      '/home/me/.local/share/vulkan/icd.d',
      '/nowhere/vulkan/icd.d',
    ]);
  });
});
