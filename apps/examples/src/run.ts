/**
 * pnpm example <name> [--quick]: run one example on the cpu backend.
 */
import '@tessera/backend-cpu';
import { EXAMPLES } from './examples/index';

const [name, ...flags] = process.argv.slice(2);
const quick = flags.includes('--quick');

if (!name || !(name in EXAMPLES)) {
  console.log(`Usage: pnpm example <name> [--quick]\n\nExamples:\n${Object.entries(EXAMPLES).map(([key, entry]) => `  ${key.padEnd(28)} ${entry.description}`).join('\n')}`);
  process.exit(name ? 1 : 0);
}

const started = performance.now();
await EXAMPLES[name].load().then((module) => module.main({ quick }));
console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
