import { ValueError, tensor, type Tensor } from '@tessera/core';
import { DataFormatError } from './errors';

/** How a CSV column is used: a number feature, a category (one-hot), the label, or skipped. */
export type CSVColumnType = 'numeric' | 'categorical' | 'label' | 'ignore';

/** Options of {@link parseCSV}. */
export interface ParseCSVOptions {
  /** The first record holds the column names (default true). Without a header, columns are named `'0'`, `'1'`, …. */
  header?: boolean;
  /** Field separator, one character (default `','`). */
  delimiter?: string;
  /** Type of each column by name; unlisted columns are numeric. At most one `'label'`. */
  columns?: Record<string, CSVColumnType>;
  /**
   * Known categories per categorical (or string label) column — pass `categories` from the training file's
   * result so a test file is encoded the same way. Columns not listed collect theirs (sorted).
   */
  categories?: Record<string, readonly string[]>;
  /** What a category missing from `categories` does: `'error'` (default) or `'ignore'` (an all-zero one-hot). */
  unknownCategory?: 'error' | 'ignore';
}

/** Result of {@link parseCSV}. */
export interface ParsedCSV {
  /** float32 `[rows, features]`: numeric columns as numbers, categorical columns one-hot, in column order. */
  features: Tensor;
  /** The label column, if any: int32 class indices (strings → index in `categories[name]`), or float32 for non-integer numbers. */
  labels?: Tensor;
  /** One name per feature column: the column name, or `name=category` for one-hot columns. */
  columns: string[];
  /** The category list of every categorical column (and of a string label), in encoding order. */
  categories: Record<string, string[]>;
  /** Names of every column in the file, in order. */
  header: string[];
}

interface CSVRecord {
  fields: string[];
  line: number;
}

/** Splits CSV text into records (RFC 4180: quoted fields, `""` escapes, CRLF or LF, newlines inside quotes). */
export function* readCSVRecords(text: string, delimiter = ','): Generator<CSVRecord> {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new ValueError(`parseCSV: delimiter must be one character other than a quote or newline, got ${JSON.stringify(delimiter)}`);
  }
  let line = 1;
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  const length = text.length;
  while (position < length) {
    const recordLine = line;
    const fields: string[] = [];
    let field = '';
    let endOfRecord = false;
    while (!endOfRecord) {
      if (text[position] === '"') {
        const openedAt = line;
        position++;
        for (;;) {
          if (position >= length) throw new DataFormatError(`parseCSV: line ${openedAt}: a quoted field is never closed`);
          const char = text[position];
          if (char === '"') {
            if (text[position + 1] === '"') {
              field += '"';
              position += 2;
              continue;
            }
            position++;
            break;
          }
          if (char === '\n') line++;
          field += char;
          position++;
        }
        const next = text[position];
        if (position < length && next !== delimiter && next !== '\n' && next !== '\r') {
          throw new DataFormatError(`parseCSV: line ${line}: unexpected ${JSON.stringify(next)} after a closing quote (expected the delimiter or a line end)`);
        }
      } else {
        let end = position;
        while (end < length && text[end] !== delimiter && text[end] !== '\n' && text[end] !== '\r') end++;
        field = text.slice(position, end);
        position = end;
      }
      fields.push(field);
      field = '';
      const char = text[position];
      if (char === delimiter) {
        position++;
        if (position >= length) fields.push('');
        else continue;
      }
      if (char === '\r' && text[position + 1] === '\n') position += 2;
      else if (char === '\r' || char === '\n') position++;
      if (char === '\r' || char === '\n') line++;
      endOfRecord = true;
    }
    // A blank line is no record.
    if (!(fields.length === 1 && fields[0] === '')) yield { fields, line: recordLine };
  }
}

function parseNumber(text: string, column: string, line: number): number {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.toLowerCase() === 'nan') return NaN;
  const value = Number(trimmed);
  if (Number.isNaN(value)) {
    throw new DataFormatError(`parseCSV: line ${line}, column '${column}': ${JSON.stringify(text)} is not a number (mark the column 'categorical' or 'ignore')`);
  }
  return value;
}

/**
 * Parses CSV text into a feature tensor and an optional label tensor. Numeric columns become numbers
 * (an empty field or `NaN` → NaN), categorical columns become one-hot blocks whose category list is
 * returned in `categories` (pass it back in for the test file so both encode alike), and one column may
 * be the label. Quoted fields, `""` escapes, CRLF line ends and a byte-order mark are handled; a row
 * with the wrong number of fields is a {@link DataFormatError} naming its line and both counts.
 *
 * @example
 * const train = parseCSV('size,color,y\n1.5,red,0\n2.0,blue,1\n', { columns: { color: 'categorical', y: 'label' } });
 * train.columns;  // ['size', 'color=blue', 'color=red']
 * const test = parseCSV(testText, { columns: { color: 'categorical', y: 'label' }, categories: train.categories });
 */
export function parseCSV(text: string, options: ParseCSVOptions = {}): ParsedCSV {
  const { header: hasHeader = true, delimiter = ',', columns: types = {}, unknownCategory = 'error' } = options;
  const records = [...readCSVRecords(text, delimiter)];
  if (records.length === 0) throw new DataFormatError('parseCSV: the text holds no records');
  const width = records[0].fields.length;
  const header = hasHeader ? records[0].fields.map((name) => name.trim()) : records[0].fields.map((_, i) => String(i));
  const rows = hasHeader ? records.slice(1) : records;
  for (const row of rows) {
    if (row.fields.length !== width) {
      const what = hasHeader ? 'the header has' : 'the first row has';
      throw new DataFormatError(`parseCSV: line ${row.line} has ${row.fields.length} fields but ${what} ${width}`);
    }
  }
  for (const name of Object.keys(types)) {
    if (!header.includes(name)) throw new ValueError(`parseCSV: columns names '${name}', which is not a column; the columns are ${header.join(', ')}`);
    if (!['numeric', 'categorical', 'label', 'ignore'].includes(types[name])) {
      throw new ValueError(`parseCSV: column '${name}' has type '${types[name]}'; expected numeric, categorical, label or ignore`);
    }
  }
  const typeOf = header.map((name) => types[name] ?? 'numeric');
  const labelColumns = header.filter((_, c) => typeOf[c] === 'label');
  if (labelColumns.length > 1) throw new ValueError(`parseCSV: at most one label column, got ${labelColumns.join(', ')}`);

  const categories: Record<string, string[]> = {};
  const categoryIndex = (c: number): Map<string, number> => {
    const name = header[c];
    const list = options.categories?.[name] ? [...options.categories[name]] : [...new Set(rows.map((row) => row.fields[c]))].sort();
    categories[name] = list;
    return new Map(list.map((category, i) => [category, i]));
  };
  const encode = (index: Map<string, number>, value: string, c: number, line: number): number => {
    const found = index.get(value);
    if (found === undefined && unknownCategory === 'error') {
      throw new DataFormatError(`parseCSV: line ${line}, column '${header[c]}': unknown category ${JSON.stringify(value)}; known: ${[...index.keys()].join(', ')}`);
    }
    return found ?? -1;
  };

  // Feature layout: one column per numeric column, one per category of a categorical column.
  const featureNames: string[] = [];
  const blocks: { column: number; start: number; index?: Map<string, number> }[] = [];
  header.forEach((name, c) => {
    if (typeOf[c] === 'numeric') {
      blocks.push({ column: c, start: featureNames.length });
      featureNames.push(name);
    } else if (typeOf[c] === 'categorical') {
      const index = categoryIndex(c);
      blocks.push({ column: c, start: featureNames.length, index });
      for (const category of index.keys()) featureNames.push(`${name}=${category}`);
    }
  });
  const featureCount = featureNames.length;
  const values = new Float32Array(rows.length * featureCount);
  rows.forEach((row, r) => {
    const base = r * featureCount;
    for (const block of blocks) {
      const field = row.fields[block.column];
      if (block.index) {
        const hot = encode(block.index, field, block.column, row.line);
        if (hot >= 0) values[base + block.start + hot] = 1;
      } else {
        values[base + block.start] = parseNumber(field, header[block.column], row.line);
      }
    }
  });
  const features = tensor(values, { shape: [rows.length, featureCount] });

  let labels: Tensor | undefined;
  if (labelColumns.length === 1) {
    const c = header.indexOf(labelColumns[0]);
    const fields = rows.map((row) => row.fields[c]);
    const numeric = !options.categories?.[header[c]] && fields.every((field) => field.trim() !== '' && !Number.isNaN(Number(field)));
    if (numeric) {
      const numbers = fields.map(Number);
      labels = numbers.every(Number.isInteger) ? tensor(Int32Array.from(numbers)) : tensor(Float32Array.from(numbers));
    } else {
      const index = categoryIndex(c);
      const indices = rows.map((row, r) => {
        const found = index.get(fields[r]);
        if (found === undefined) {
          throw new DataFormatError(`parseCSV: line ${row.line}, label column '${header[c]}': unknown class ${JSON.stringify(fields[r])}; known: ${[...index.keys()].join(', ')}`);
        }
        return found;
      });
      labels = tensor(Int32Array.from(indices));
    }
  }
  return { features, labels, columns: featureNames, categories, header };
}
