/**
 * One linear pass over a safetensors JSON header before `JSON.parse`, for what `JSON.parse` hides:
 * duplicate keys (it keeps the last; the reference implementation rejects them) and nesting depth
 * (deep nesting overflows the stack of whatever walks the parsed value).
 */

/** Deepest nesting a header may have (a real one has 3: header → entry → shape). */
export const SAFETENSORS_MAX_HEADER_DEPTH = 64;

/** A problem found by {@link scanHeader}: the message and the JSON path where it is. */
export interface HeaderScanProblem {
  message: string;
  path: string;
}

interface Frame {
  /** Path of this container. */
  path: string;
  /** Keys seen so far, for objects whose keys must be unique (the header and `__metadata__`). */
  keys: Set<string> | null;
  isObject: boolean;
  /** The key whose value comes next (objects) or the index of the next element (arrays). */
  pending: string;
  index: number;
}

function childPath(frame: Frame): string {
  return frame.isObject ? `${frame.path}[${JSON.stringify(frame.pending)}]` : `${frame.path}[${frame.index}]`;
}

/**
 * Scans header text (already valid UTF-8; JSON validity is checked by `JSON.parse` afterwards) and
 * returns the first duplicate key of the header or of `__metadata__`, or the first container nested
 * deeper than {@link SAFETENSORS_MAX_HEADER_DEPTH}, or null.
 * @example
 * scanHeader('{"a": {}, "a": {}}') // { message: 'duplicate key "a"', path: 'header' }
 */
export function scanHeader(text: string): HeaderScanProblem | null {
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top !== undefined) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, end + 1)) as string;
        } catch {
          return null; // malformed: JSON.parse reports it
        }
        if (top.keys !== null) {
          if (top.keys.has(key)) return { message: `duplicate key ${JSON.stringify(key)}`, path: top.path };
          top.keys.add(key);
        }
        top.pending = key;
        expectKey = false;
      }
      i = end;
    } else if (char === '{' || char === '[') {
      const parent = stack[stack.length - 1];
      const path = parent === undefined ? 'header' : childPath(parent);
      if (stack.length >= SAFETENSORS_MAX_HEADER_DEPTH) {
        return { message: `nesting deeper than ${SAFETENSORS_MAX_HEADER_DEPTH} levels`, path };
      }
      const uniqueKeys = char === '{' && (parent === undefined || (stack.length === 1 && parent.pending === '__metadata__'));
      stack.push({ path, keys: uniqueKeys ? new Set() : null, isObject: char === '{', pending: '', index: 0 });
      expectKey = char === '{';
    } else if (char === '}' || char === ']') {
      stack.pop();
      expectKey = false;
    } else if (char === ',') {
      const top = stack[stack.length - 1];
      if (top === undefined) continue;
      if (top.isObject) expectKey = true;
      else top.index++;
    }
  }
  return null;
}
