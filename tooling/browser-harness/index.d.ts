/** Where Chromium is looked for: `$TESSERA_CHROMIUM`, else Debian's `/usr/bin/chromium`. */
export declare const chromiumPath: string;

/**
 * Whether a Chromium executable exists at {@link chromiumPath}.
 * @example
 * describe.skipIf(!hasChromium())('in the browser', () => { ... });
 */
export declare function hasChromium(): boolean;

/** Options of {@link runPageInChromium}. */
export interface BrowserPageOptions {
  /** The page's TypeScript/JavaScript entry; it is bundled with esbuild for the browser. */
  readonly entry: string;
  /** Serve the page with COOP/COEP headers so that `crossOriginIsolated` (and SharedArrayBuffer) holds. */
  readonly crossOriginIsolated?: boolean;
  /** Extra Chromium flags (e.g. WebGPU switches). */
  readonly chromiumArgs?: readonly string[];
  /** Global the page sets when it is done (default `__result`). */
  readonly resultGlobal?: string;
  /** How long to wait for the result (default 150 s). */
  readonly timeoutMs?: number;
  /** Runs after the page loads; a returned string ends the run with that error (e.g. "no WebGPU adapter"). */
  readonly precheck?: (page: import('playwright-core').Page) => Promise<string | undefined>;
}

/** What a page run produced: the value the page stored, or why there is none, and the console. */
export interface BrowserPageRun {
  readonly result?: unknown;
  readonly error?: string;
  readonly logs: readonly string[];
}

/**
 * Bundle `entry`, serve it on 127.0.0.1 (an ephemeral port), open it in headless Chromium with a
 * fresh profile, wait until the page sets `globalThis[resultGlobal]` and return that value.
 * @example
 * const run = await runPageInChromium({ entry: fileURLToPath(new URL('./page.ts', import.meta.url)), crossOriginIsolated: true });
 * if (run.error) throw new Error(run.error);
 */
export declare function runPageInChromium(options: BrowserPageOptions): Promise<BrowserPageRun>;
