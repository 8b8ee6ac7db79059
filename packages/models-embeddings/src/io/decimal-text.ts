/**
 * Decimal numbers in vector files, read straight from bytes and written as the shortest text that
 * reads back to the same float32.
 *
 * Reading: decimal digits with an optional sign, point and exponent, as Python's `float()` and C's
 * `strtod` accept them (plus `nan`, `inf`, `infinity`). Most values take the exact fast path — at most
 * 15 significant digits and a power of ten up to 10²² — where m · 10^e is one correctly rounded
 * operation (Clinger); the rest go through `Number()` on the token. Either way the double is then
 * rounded to float32, as gensim's `float()` then `np.float32` does.
 */

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, e) => 10 ** e);
const MAX_FAST_DIGITS = 15;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number spelled by `bytes[start, end)`, or NaN when it is not a number (see {@link isNotANumber}). */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (bytes[i] === 0x2d /* - */ || bytes[i] === 0x2b /* + */) negative = bytes[i++] === 0x2d;
  let mantissa = 0;
  let digits = 0; // significant digits taken into the mantissa
  let exponent = 0;
  let seenDigit = false;
  let overflow = false;
  for (; i < end && bytes[i] >= 0x30 && bytes[i] <= 0x39; i++) {
    seenDigit = true;
    if (digits === 0 && bytes[i] === 0x30) continue; // leading zeros
    if (digits < MAX_FAST_DIGITS) [mantissa, digits] = [mantissa * 10 + (bytes[i] - 0x30), digits + 1];
    else overflow = true;
  }
  if (i < end && bytes[i] === 0x2e /* . */) {
    for (i++; i < end && bytes[i] >= 0x30 && bytes[i] <= 0x39; i++) {
      seenDigit = true;
      if (digits === 0 && bytes[i] === 0x30) {
        exponent--;
        continue;
      }
      if (digits < MAX_FAST_DIGITS) {
        [mantissa, digits] = [mantissa * 10 + (bytes[i] - 0x30), digits + 1];
        exponent--;
      } else overflow = true;
    }
  }
  if (!seenDigit) return slowParse(bytes, start, end);
  if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45) /* e E */) {
    let j = i + 1;
    let exponentNegative = false;
    if (bytes[j] === 0x2d || bytes[j] === 0x2b) exponentNegative = bytes[j++] === 0x2d;
    if (j >= end) return NaN;
    let written = 0;
    for (; j < end && bytes[j] >= 0x30 && bytes[j] <= 0x39; j++) written = Math.min(written * 10 + (bytes[j] - 0x30), 1e6);
    if (j !== end) return NaN;
    exponent += exponentNegative ? -written : written;
    i = end;
  }
  if (i !== end) return NaN;
  if (overflow || exponent > 22 || exponent < -22) return slowParse(bytes, start, end);
  const magnitude = exponent >= 0 ? mantissa * POWERS_OF_TEN[exponent] : mantissa / POWERS_OF_TEN[-exponent];
  return negative ? -magnitude : magnitude;
}

/** Whether a token that parsed to NaN really spells NaN ("nan", "-nan"), rather than not being a number. */
export function isNotANumber(bytes: Uint8Array, start: number, end: number): boolean {
  return /^[+-]?nan$/i.test(latin1(bytes, start, end));
}

function slowParse(bytes: Uint8Array, start: number, end: number): number {
  const text = latin1(bytes, start, end);
  if (DECIMAL.test(text)) return Number(text);
  const special = /^([+-]?)(inf|infinity)$/i.exec(text);
  if (special) return special[1] === '-' ? -Infinity : Infinity;
  return NaN;
}

/** The bytes as a Latin-1 string (tokens that are numbers are ASCII). */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < Math.min(end, start + 64); i++) text += String.fromCharCode(bytes[i]);
  return end - start > 64 ? `${text}…` : text;
}

/**
 * The shortest decimal that reads back (as a double rounded to float32) to `value`, which must be a
 * float32. Python reads it with `float()`, C with `strtod`; non-finite values are `nan`, `inf`, `-inf`.
 * @example formatFloat32(Math.fround(0.1)) // '0.1' (not '0.10000000149011612')
 */
export function formatFloat32(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  // More digits never stop a decimal from round-tripping, so search the shortest precision 1…9.
  let low = 1;
  let high = 9;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (Math.fround(Number(value.toPrecision(middle))) === value) high = middle;
    else low = middle + 1;
  }
  return String(Number(value.toPrecision(low)));
}
