import { packageConfig } from '@tessera/config/tsup';

// The public declarations mention WebAssembly.Module and WebAssembly.Memory (kernel module and
// worker options), which only the DOM lib declares. Declared here as opaque interfaces, the published
// .d.ts compile in a Node project without DOM (with DOM they merge into its full declarations).
const webAssemblyTypes = 'declare global { namespace WebAssembly { interface Module {} interface Memory {} } }';

export default packageConfig({ entry: ['src/index.ts', 'src/plugin.ts'], dts: { banner: webAssemblyTypes } });
