import { packageConfig } from '@tessera/config/tsup';

// The public declarations mention a few WebGPU interfaces (GPU, GPUAdapter, GPUDevice, GPUBuffer…),
// which only the DOM lib or @webgpu/types declare (and @webgpu/types itself needs DOM). Declared here
// as opaque interfaces, the published .d.ts compile in a Node project without DOM; with DOM or
// @webgpu/types present they merge into the full declarations.
const gpuInterfaces = ['GPU', 'GPUAdapter', 'GPUDevice', 'GPUBuffer', 'GPUComputePipeline', 'GPUSupportedLimits'];
const gpuTypes = `declare global { ${gpuInterfaces.map((name) => `interface ${name} {}`).join(' ')} }`;

export default packageConfig({ entry: ['src/index.ts', 'src/plugin.ts'], external: ['webgpu'], dts: { banner: gpuTypes } });
