/**
 * @tessera/models-transformer — attention, positional encodings, encoder/decoder stacks and GPT.
 *
 * @example
 * import '@tessera/backend-cpu';
 * import { GPT } from '@tessera/models-transformer';
 * const gpt = new GPT({ vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 });
 */
export {};
