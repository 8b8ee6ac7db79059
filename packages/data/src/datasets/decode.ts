const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Uint8Array(128);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/**
 * Decodes standard base64 (with or without `=` padding) to bytes, without `atob` or `Buffer`, so the
 * bundled data sets load the same way in every JavaScript runtime.
 * @example
 * decodeBase64('AQID'); // Uint8Array [1, 2, 3]
 */
export function decodeBase64(text: string): Uint8Array {
  let end = text.length;
  while (end > 0 && text[end - 1] === '=') end--;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let bits = 0;
  let held = 0;
  let written = 0;
  for (let i = 0; i < end; i++) {
    held = (held << 6) | LOOKUP[text.charCodeAt(i)];
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[written++] = (held >> bits) & 0xff;
    }
  }
  return out;
}
