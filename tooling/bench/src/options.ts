/**
 * Command-line and environment options. Flags win over environment variables:
 *   --quick                      fewer rounds and repetitions        (BENCH_QUICK=1)
 *   --only matmul,mlp            suites or case ids, prefix match     (BENCH_ONLY=matmul,mlp)
 *   --backends tessera,tfjs-wasm sides to run                         (BENCH_BACKENDS=...)
 *   --out path/to/file.json      JSON output (default bench-results/latest.json)
 *   --relaxed-simd               turn on V8's WebAssembly relaxed SIMD (BENCH_RELAXED_SIMD=1)
 *   --rounds 10                  more rounds than the mode's, for a loaded machine (BENCH_ROUNDS=10)
 */
import { SIDE_NAMES, type SideName } from './side';

export interface BenchOptions {
  quick: boolean;
  /** Suite names or case-id prefixes; empty means every case. */
  only: string[];
  backends: SideName[];
  /** JSON output path; undefined means the default. */
  out?: string;
  /** Turn on V8's relaxed SIMD (FMA) before any side starts: Node 20 has it only behind a flag. */
  relaxedSimd: boolean;
  /** Rounds instead of the mode's (3 full, 1 quick); library comparisons run this × 3 rounds of one run. */
  rounds?: number;
  help: boolean;
}

const BACKEND_ALIASES: Record<string, SideName[]> = {
  tessera: ['tessera-cpu'],
  tfjs: ['tfjs-cpu', 'tfjs-wasm'],
  cpu: ['tessera-cpu', 'tfjs-cpu'],
  wasm: ['tfjs-wasm'],
};

/** Usage text for `--help`. */
export const USAGE = `Usage: pnpm --filter @tessera/bench bench [-- options]
  --quick                 fewer rounds and repetitions (numbers are noisier)
  --only <list>           comma-separated suites or case ids (prefix match): matmul, matmul-512, add, softmax,
                          mlp, sum, conv2d; library comparisons (no tensor backend): tokenizers, hf-tokenizer;
                          webgpu, adam-step (fused optimizer step vs composite, cpu and webgpu)
  --backends <list>       comma-separated: ${SIDE_NAMES.join(', ')} (aliases: tessera, tfjs, cpu, wasm);
                          library comparisons ignore it
  --out <file>            where to write the JSON results (default bench-results/latest.json)
  --relaxed-simd          enable WebAssembly relaxed SIMD in V8 first (Node 20 keeps it behind
                          --experimental-wasm-relaxed-simd; Chrome >= 114 and Node >= 22 have it), so the
                          Tessera CPU backend can pick its FMA kernels; tfjs-wasm 4.22 has no relaxed build
  --rounds <n>            rounds instead of the mode's (3, or 1 with --quick): more samples on a loaded machine
Environment: BENCH_QUICK=1, BENCH_ONLY=..., BENCH_BACKENDS=..., BENCH_RELAXED_SIMD=1, BENCH_ROUNDS=n (flags take precedence)`;

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/**
 * Parse options from argv (without the node and script paths) and the environment.
 * @throws Error for an unknown flag or backend
 * @example parseOptions(['--quick', '--only', 'matmul'], {}) // { quick: true, only: ['matmul'], ... }
 */
export function parseOptions(argv: readonly string[], env: Record<string, string | undefined>): BenchOptions {
  const options: BenchOptions = {
    quick: env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true',
    only: splitList(env.BENCH_ONLY ?? ''),
    backends: [],
    relaxedSimd: env.BENCH_RELAXED_SIMD === '1' || env.BENCH_RELAXED_SIMD === 'true',
    help: false,
  };
  let backendList = env.BENCH_BACKENDS ?? '';
  let rounds = env.BENCH_ROUNDS;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    const [flag, inlineValue] = argument.includes('=') ? argument.split(/=(.*)/s, 2) : [argument, undefined];
    const value = (): string => {
      const next = inlineValue ?? argv[++index];
      if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
      return next;
    };
    switch (flag) {
      case '--':
        break; // separator forwarded by pnpm/turbo
      case '--quick':
        options.quick = true;
        break;
      case '--only':
        options.only = splitList(value());
        break;
      case '--backends':
        backendList = value();
        break;
      case '--out':
        options.out = value();
        break;
      case '--relaxed-simd':
        options.relaxedSimd = true;
        break;
      case '--rounds':
        rounds = value();
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new Error(`unknown option ${argument}\n${USAGE}`);
    }
  }
  options.backends = resolveBackends(backendList);
  if (rounds !== undefined && rounds !== '') {
    const count = Number(rounds);
    if (!Number.isInteger(count) || count < 1) throw new Error(`--rounds must be a positive integer, got "${rounds}"`);
    options.rounds = count;
  }
  return options;
}

function resolveBackends(list: string): SideName[] {
  const names = splitList(list);
  if (names.length === 0) return [...SIDE_NAMES];
  const selected = new Set<SideName>();
  for (const name of names) {
    const sides = BACKEND_ALIASES[name] ?? ((SIDE_NAMES as readonly string[]).includes(name) ? [name as SideName] : undefined);
    if (!sides) throw new Error(`unknown backend "${name}"; choose from ${SIDE_NAMES.join(', ')} or ${Object.keys(BACKEND_ALIASES).join(', ')}`);
    for (const side of sides) selected.add(side);
  }
  return SIDE_NAMES.filter((side) => selected.has(side)); // table order
}

/**
 * Whether a case is selected by `--only` (suite name, exact id, or id prefix).
 * @example isSelected({ id: 'matmul-512', suite: 'matmul' }, ['matmul-5']) // true
 */
export function isSelected(benchmark: { id: string; suite: string }, only: readonly string[]): boolean {
  return only.length === 0 || only.some((token) => token === benchmark.suite || benchmark.id.startsWith(token));
}
