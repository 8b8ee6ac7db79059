/**
 * Compiled compute pipelines by cache key. A key names everything the generated WGSL depends on
 * (op, dtypes, rank, contiguity, tile variant); shapes and strides are uniforms, so a training loop
 * compiles each kernel once.
 */

/**
 * @example
 * const cache = new PipelineCache(device);
 * const pipeline = cache.get('unary:exp:float32:r1:c', () => wgslSource);
 */
export class PipelineCache {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  /** Shader compile messages by key, for error reports. */
  private readonly problems = new Map<string, string>();

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.pipelines.size;
  }

  /** The pipeline for `key`, compiling `source()` the first time. */
  get(key: string, source: () => string): GPUComputePipeline {
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      const code = source();
      const module = this.device.createShaderModule({ code, label: key });
      if (typeof module.getCompilationInfo === 'function') {
        void module.getCompilationInfo().then((info) => {
          const errors = info.messages.filter((message) => message.type === 'error');
          if (errors.length > 0) {
            const text = errors.map((message) => `${message.lineNum}:${message.linePos} ${message.message}`).join('; ');
            this.problems.set(key, text);
            if (typeof process === 'object' && process.env?.TESSERA_WEBGPU_DEBUG) console.error(`WGSL ${key}: ${text}\n${code}`);
          }
        }, () => undefined);
      }
      pipeline = this.device.createComputePipeline({ label: key, layout: 'auto', compute: { module, entryPoint: 'main' } });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  /** Compile errors seen so far (key → message). */
  compileProblems(): ReadonlyMap<string, string> {
    return this.problems;
  }
}
