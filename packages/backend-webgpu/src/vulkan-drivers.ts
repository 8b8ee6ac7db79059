/**
 * Whether a Vulkan driver is installed, answered the way the Vulkan loader looks for one on Linux
 * (ICD manifests in the driver-file variables, else in the XDG config and data folders and /etc).
 * Dawn needs one in Node on Linux; asked without any, it prints the loader's raw warnings (build paths
 * included) to stderr, so the plugin asks here first and explains instead.
 */

/** What the search reads: the environment, and the `.json` files in a folder (empty when missing). */
export interface DriverSearch {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly home: string;
  readonly exists: (path: string) => boolean;
  readonly jsonFilesIn: (folder: string) => string[];
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(':').filter((part) => part.length > 0);
}

/**
 * The folders the Vulkan loader searches for ICD manifests when no driver-file variable is set.
 * @example
 * driverFolders({}, '/home/me'); // ['/home/me/.config/vulkan/icd.d', '/etc/xdg/vulkan/icd.d', …, '/usr/share/vulkan/icd.d']
 */
export function driverFolders(env: Readonly<Record<string, string | undefined>>, home: string): string[] {
  const configHome = env.XDG_CONFIG_HOME || `${home}/.config`;
  const configDirs = list(env.XDG_CONFIG_DIRS).length ? list(env.XDG_CONFIG_DIRS) : ['/etc/xdg'];
  const dataHome = env.XDG_DATA_HOME || `${home}/.local/share`;
  const dataDirs = list(env.XDG_DATA_DIRS).length ? list(env.XDG_DATA_DIRS) : ['/usr/local/share', '/usr/share'];
  return [configHome, ...configDirs, '/usr/local/etc', '/etc', dataHome, ...dataDirs].map((base) => `${base}/vulkan/icd.d`);
}

/**
 * The ICD manifests the loader would find; empty means Dawn has no Vulkan driver to use.
 * @example
 * findVulkanDrivers(search).length > 0; // a driver is installed
 */
export function findVulkanDrivers(search: DriverSearch): string[] {
  const { env } = search;
  const explicit = list(env.VK_DRIVER_FILES).length ? list(env.VK_DRIVER_FILES) : list(env.VK_ICD_FILENAMES);
  const candidates = explicit.length ? explicit : driverFolders(env, search.home);
  const found: string[] = [];
  for (const path of [...candidates, ...list(env.VK_ADD_DRIVER_FILES)]) {
    if (path.endsWith('.json')) {
      if (search.exists(path)) found.push(path);
    } else {
      found.push(...search.jsonFilesIn(path));
    }
  }
  return found;
}

/**
 * In Node on Linux: why Dawn cannot run here (no Vulkan driver), or `null` when it may. Elsewhere
 * (macOS Metal, Windows D3D12) always `null`.
 * @example
 * const reason = await missingVulkanDriver(); // 'no Vulkan driver is installed (…)' or null
 */
export async function missingVulkanDriver(): Promise<string | null> {
  if (typeof process !== 'object' || process.platform !== 'linux') return null;
  const fsModule = 'node:fs';
  const osModule = 'node:os';
  const fs = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs');
  const os = (await import(/* @vite-ignore */ osModule)) as typeof import('node:os');
  const drivers = findVulkanDrivers({
    env: process.env,
    home: os.homedir(),
    exists: (path) => fs.existsSync(path),
    jsonFilesIn: (folder) => {
      try {
        return fs.readdirSync(folder).filter((name) => name.endsWith('.json')).map((name) => `${folder}/${name}`);
      } catch {
        return [];
      }
    },
  });
  if (drivers.length) return null;
  return (
    'no Vulkan driver is installed (no ICD manifest in VK_ICD_FILENAMES or the vulkan/icd.d folders), and Dawn needs one in Node on Linux; ' +
    'install a GPU driver, or Mesa lavapipe for software WebGPU (see @tessera/backend-webgpu README)'
  );
}
