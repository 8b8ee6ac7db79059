/**
 * The kernel worker's source, as text: it runs as a Node `worker_threads` eval worker or as a
 * browser Web Worker made from a Blob URL, so the package ships no separate file to locate.
 * It instantiates the kernel module on the shared memory and loops: wait for a new task generation,
 * claim chunks (compare-and-swap on the `next` word), run each, count it done and notify.
 */
import { CONTROL, ERROR_TEXT_OFFSET, RECORD_SLOTS, WORKER_STATE } from './protocol';

export const WORKER_SOURCE = `
'use strict';
const C = ${JSON.stringify(CONTROL)};
const S = ${JSON.stringify(WORKER_STATE)};
const RECORD_SLOTS = ${RECORD_SLOTS};
const ERROR_TEXT_OFFSET = ${ERROR_TEXT_OFFSET};
function start(init) {
  const control = new Int32Array(init.control);
  const records = new Float64Array(init.records);
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const exportsByIndex = init.functions.map((name) => instance.exports[name]);
  const me = init.index;
  const scratch = init.scratchBase + me * init.scratchStride;
  const args = [];
  const fail = (message) => {
    const bytes = new TextEncoder().encode(String(message).slice(0, 2000));
    new Uint8Array(init.control, ERROR_TEXT_OFFSET, bytes.length + 1).set([...bytes, 0]);
    Atomics.store(control, C.error, 1);
  };
  if (init.onExit) init.onExit(() => {
    Atomics.store(control, C.stateBase + me, S.exited);
    Atomics.notify(control, C.done);
  });
  Atomics.store(control, C.stateBase + me, S.ready);
  Atomics.notify(control, C.stateBase + me);
  let seen = Atomics.load(control, C.generation);
  for (;;) {
    Atomics.wait(control, C.generation, seen);
    seen = Atomics.load(control, C.generation);
    const generation = seen & 0xff;
    for (;;) {
      const word = Atomics.load(control, C.next);
      if ((word >>> 24) !== generation) break;
      const chunks = (word >>> 12) & 0xfff;
      const chunk = word & 0xfff;
      if (chunk >= chunks) break;
      if (Atomics.compareExchange(control, C.next, word, word + 1) !== word) continue;
      Atomics.store(control, C.claimedBase + me, chunk + 1);
      if (Atomics.load(control, C.fault) === 1 && Atomics.compareExchange(control, C.fault, 1, 0) === 1) init.exit(1);
      try {
        const base = chunk * RECORD_SLOTS;
        const fn = exportsByIndex[records[base]];
        const argc = records[base + 1];
        const scratchSlot = records[base + 2];
        args.length = argc;
        for (let i = 0; i < argc; i++) args[i] = records[base + 3 + i];
        if (scratchSlot >= 0) args[scratchSlot] = scratch;
        fn.apply(null, args);
      } catch (error) {
        fail('worker ' + me + ': ' + (error && error.stack || error));
      }
      Atomics.store(control, C.claimedBase + me, 0);
      Atomics.add(control, C.done, 1);
      Atomics.notify(control, C.done);
    }
  }
}
if (typeof process === 'object' && process.versions && process.versions.node) {
  const { workerData } = require('node:worker_threads');
  start({ ...workerData, exit: (code) => process.exit(code), onExit: (fn) => process.on('exit', fn) });
} else {
  self.onmessage = (event) => start({ ...event.data, exit: () => self.close() });
}
`;
