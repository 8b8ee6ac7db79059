/**
 * Reading a Hugging Face `tokenizer.json` with errors that name the JSON path of the bad field
 * (`model.merges[12]`, `pre_tokenizer.pretokenizers[0].pattern`), so a broken file can be fixed from
 * the message alone.
 */
import { TokenizerError } from '../byte-level';

/**
 * A `tokenizer.json` that cannot be loaded: malformed JSON, a missing or mistyped field, an unsupported
 * component type. `path` is the JSON path of the offending field (`''` for the whole document).
 * @example
 * try { Tokenizer.fromJSON('{"model": {"type": "BPE", "vocab": {}, "merges": [12]}}'); }
 * catch (e) { e instanceof TokenizerJSONError; e.path; // 'model.merges[0]' }
 */
export class TokenizerJSONError extends TokenizerError {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`Tokenizer.fromJSON: ${path === '' ? 'document' : path}: ${message}`);
    this.path = path;
  }
}

/** The JSON path of a child: `join('model', 'vocab')` → `'model.vocab'`, `join('a', 3)` → `'a[3]'`. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key);
  if (!plain) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Largest token id: Tessera's id tensors are int32 (the format allows u32). */
export const MAX_TOKEN_ID = 2 ** 31 - 1;

/** Deepest `Sequence` nesting accepted (real files nest one level; deeper would overflow the stack). */
export const MAX_SEQUENCE_DEPTH = 64;

/** Throws a `TokenizerJSONError` at `path` when a `Sequence` is nested deeper than {@link MAX_SEQUENCE_DEPTH}. */
export function checkSequenceDepth(depth: number, path: string): void {
  if (depth > MAX_SEQUENCE_DEPTH) throw new TokenizerJSONError(path, `Sequence nested deeper than ${MAX_SEQUENCE_DEPTH} levels`);
}

/** Whether `value` is a valid token id (an integer in [0, 2³¹)). */
export function isTokenId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TOKEN_ID;
}

/** A short description of a JSON value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

export type JsonObject = Record<string, unknown>;

/**
 * A typed view of one JSON object at a known path. Getters validate and throw
 * `TokenizerJSONError` naming the field.
 */
export class JsonReader {
  constructor(
    readonly value: JsonObject,
    readonly path: string,
  ) {}

  /** Reader for `value` at `path`; throws unless it is a plain object. */
  static of(value: unknown, path: string): JsonReader {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new TokenizerJSONError(path, `expected an object, got ${describe(value)}`);
    }
    return new JsonReader(value as JsonObject, path);
  }

  fieldPath(key: string): string {
    return joinPath(this.path, key);
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  raw(key: string): unknown {
    return this.value[key];
  }

  fail(key: string, expected: string): never {
    throw new TokenizerJSONError(this.fieldPath(key), `expected ${expected}, got ${describe(this.value[key])}`);
  }

  string(key: string): string;
  string(key: string, fallback: string): string;
  string(key: string, fallback?: string): string {
    const value = this.value[key];
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    if (typeof value !== 'string') this.fail(key, 'a string');
    return value;
  }

  optionalString(key: string): string | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') this.fail(key, 'a string or null');
    return value;
  }

  boolean(key: string, fallback?: boolean): boolean {
    const value = this.value[key];
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(key, 'a boolean');
    return value;
  }

  optionalBoolean(key: string): boolean | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'boolean') this.fail(key, 'a boolean or null');
    return value;
  }

  number(key: string, fallback?: number): number {
    const value = this.value[key];
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(key, 'a number');
    return value;
  }

  integer(key: string, fallback?: number): number {
    const value = this.number(key, fallback);
    if (!Number.isInteger(value) || value < 0) this.fail(key, 'a non-negative integer');
    return value;
  }

  /** A token id: an integer in [0, 2³¹). */
  id(key: string): number {
    const value = this.value[key];
    if (!isTokenId(value)) this.fail(key, `a token id (an integer from 0 to ${MAX_TOKEN_ID})`);
    return value;
  }

  optionalInteger(key: string): number | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    return this.integer(key);
  }

  object(key: string): JsonReader {
    return JsonReader.of(this.value[key], this.fieldPath(key));
  }

  optionalObject(key: string): JsonReader | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    return this.object(key);
  }

  array(key: string): unknown[] {
    const value = this.value[key];
    if (!Array.isArray(value)) this.fail(key, 'an array');
    return Array.from(value); // holes of a sparse array (a parsed object can have them) become undefined
  }

  /** The array at `key` as readers of its object elements. */
  objects(key: string): JsonReader[] {
    const path = this.fieldPath(key);
    return this.array(key).map((item, index) => JsonReader.of(item, joinPath(path, index)));
  }

  stringArray(key: string): string[] {
    const path = this.fieldPath(key);
    return this.array(key).map((item, index) => {
      if (typeof item !== 'string') throw new TokenizerJSONError(joinPath(path, index), `expected a string, got ${describe(item)}`);
      return item;
    });
  }

  /** `type` of a component, checked against the supported ones. */
  type(supported: readonly string[], component: string): string {
    const type = this.value['type'];
    if (typeof type !== 'string') this.fail('type', `a ${component} type string`);
    if (!supported.includes(type)) {
      throw new TokenizerJSONError(this.fieldPath('type'), `unsupported ${component} type ${JSON.stringify(type)} (supported: ${supported.join(', ')})`);
    }
    return type;
  }
}
