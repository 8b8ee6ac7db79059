/**
 * Records kernels into one command encoder and submits them in batches: many dispatches per
 * submit, flushed when a batch is full, when the host reads, or when a host write must land after
 * queued work. Every batch has a serial; `completed` is the newest serial the GPU has finished.
 *
 * Uniforms (shapes, strides, scalars) of a batch share one arena buffer, uploaded with a single
 * `writeBuffer` just before the batch is submitted.
 */

const UNIFORM_USAGE = 0x40 /* UNIFORM */ | 0x08; /* COPY_DST */
const ARENA_BYTES = 64 * 1024;

/** A storage binding of one dispatch. */
export interface StorageBinding {
  readonly buffer: GPUBuffer;
  readonly size: number;
}

/**
 * @example
 * const stream = new CommandStream(device, { dispatchesPerSubmit: 64 });
 * stream.dispatch(pipeline, words, [input, output], [groupsX, 1, 1]);
 * stream.flush();
 */
export class CommandStream {
  /** Serial of the batch being recorded. */
  serial = 1;
  /** Newest serial the GPU has finished. */
  completed = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private dispatches = 0;
  private arena: GPUBuffer | null = null;
  private readonly arenaWords = new Uint32Array(ARENA_BYTES / 4);
  private arenaUsed = 0;
  private readonly spareArenas: GPUBuffer[] = [];
  private readonly listeners: ((serial: number) => void)[] = [];
  private readonly waiters: { serial: number; resolve: () => void }[] = [];
  private readonly uniformAlignment: number;
  private readonly dispatchesPerSubmit: number;

  constructor(
    private readonly device: GPUDevice,
    options: { dispatchesPerSubmit?: number } = {},
  ) {
    this.uniformAlignment = Math.max(16, device.limits.minUniformBufferOffsetAlignment);
    this.dispatchesPerSubmit = options.dispatchesPerSubmit ?? 64;
  }

  /** Call `listener(serial)` whenever a batch completes. */
  onComplete(listener: (serial: number) => void): void {
    this.listeners.push(listener);
  }

  /** Whether anything is recorded and not yet submitted. */
  get pending(): boolean {
    return this.encoder !== null;
  }

  private ensureEncoder(): GPUCommandEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  /**
   * Record one dispatch; `words` become its uniform block (binding 0), `bindings` 1…n.
   * Returns the serial of the batch it was recorded in (mark its buffers' `lastUse` with it).
   */
  dispatch(pipeline: GPUComputePipeline, words: Uint32Array, bindings: readonly StorageBinding[], groups: readonly [number, number, number]): number {
    const slot = Math.ceil((words.length * 4) / this.uniformAlignment) * this.uniformAlignment;
    if (this.arena && this.arenaUsed + slot > ARENA_BYTES) this.flush();
    if (!this.arena) this.arena = this.spareArenas.pop() ?? this.device.createBuffer({ size: ARENA_BYTES, usage: UNIFORM_USAGE });
    const offset = this.arenaUsed;
    this.arenaWords.set(words, offset / 4);
    this.arenaUsed += slot;
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.arena, offset, size: words.length * 4 } }];
    bindings.forEach((binding, i) => entries.push({ binding: i + 1, resource: { buffer: binding.buffer, offset: 0, size: binding.size } }));
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    if (!this.pass) this.pass = this.ensureEncoder().beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    const recordedIn = this.serial;
    this.dispatches++;
    if (this.dispatches >= this.dispatchesPerSubmit) this.flush();
    return recordedIn;
  }

  /** Record a buffer-to-buffer copy (ends the open compute pass); returns its batch serial. */
  copy(source: GPUBuffer, sourceOffset: number, target: GPUBuffer, targetOffset: number, bytes: number): number {
    if (bytes > 0) {
      this.endPass();
      this.ensureEncoder().copyBufferToBuffer(source, sourceOffset, target, targetOffset, bytes);
    }
    return this.serial;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  /** Submit everything recorded; returns the serial of the submitted batch (or the last one). */
  flush(): number {
    if (!this.encoder) return this.serial - 1;
    this.endPass();
    const arena = this.arena;
    if (arena && this.arenaUsed > 0) this.device.queue.writeBuffer(arena, 0, this.arenaWords, 0, this.arenaUsed / 4);
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.arena = null;
    this.arenaUsed = 0;
    this.dispatches = 0;
    const serial = this.serial++;
    this.device.queue.onSubmittedWorkDone().then(
      () => this.complete(serial, arena),
      () => this.complete(serial, null),
    );
    return serial;
  }

  private complete(serial: number, arena: GPUBuffer | null): void {
    if (arena) this.spareArenas.push(arena);
    if (serial <= this.completed) return;
    this.completed = serial;
    for (const listener of this.listeners) listener(serial);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].serial <= serial) {
        this.waiters[i].resolve();
        this.waiters.splice(i, 1);
      }
    }
  }

  /** Submit and resolve once every batch so far has finished. */
  async drain(): Promise<void> {
    const serial = this.flush();
    if (serial <= this.completed) return;
    await new Promise<void>((resolve) => this.waiters.push({ serial, resolve }));
  }

  destroy(): void {
    this.encoder = null;
    this.pass = null;
    for (const arena of this.spareArenas) arena.destroy();
    this.spareArenas.length = 0;
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.length = 0;
  }
}
