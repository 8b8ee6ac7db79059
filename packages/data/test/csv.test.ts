import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { DataFormatError, parseCSV, readCSVRecords } from '../src';
import { tidied } from './helpers';

describe('readCSVRecords', () => {
  it('handles quoted fields, escaped quotes, delimiters and newlines inside quotes, CRLF', tidied(() => {
    const text = 'name,note\r\n"Smith, J","said ""hi"""\r\n"multi\nline",x\r\n';
    const records = [...readCSVRecords(text)];
    expect(records.map((r) => r.fields)).toEqual([['name', 'note'], ['Smith, J', 'said "hi"'], ['multi\nline', 'x']]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3]);
  }));

  it('skips blank lines, keeps empty fields, ignores a byte-order mark', tidied(() => {
    const records = [...readCSVRecords('\ufeffa;b\n\n1;\n;2', ';')].map((r) => r.fields);
    expect(records).toEqual([['a', 'b'], ['1', ''], ['', '2']]);
  }));

  it('an unclosed quote is an error naming the line where it opened', tidied(() => {
    expect(() => [...readCSVRecords('a,b\n1,"oops\n2,3\n')]).toThrow('parseCSV: line 2: a quoted field is never closed');
  }));
});

describe('parseCSV', () => {
  it('numeric columns become a float32 feature tensor, the label column an int32 tensor', tidied(() => {
    const { features, labels, columns } = parseCSV('x1,x2,y\n1.5,2,0\n-3,4e1,1\n', { columns: { y: 'label' } });
    expect(features.dtype).toBe('float32');
    expect(features.arraySync()).toEqual([[1.5, 2], [-3, 40]]);
    expect(labels!.dtype).toBe('int32');
    expect(labels!.arraySync()).toEqual([0, 1]);
    expect(columns).toEqual(['x1', 'x2']);
  }));

  it('categorical columns become one-hot blocks with their category list recorded', tidied(() => {
    const train = parseCSV('size,color,y\n1,red,0\n2,blue,1\n3,green,0\n4,red,1\n', { columns: { color: 'categorical', y: 'label' } });
    expect(train.categories).toEqual({ color: ['blue', 'green', 'red'] });
    expect(train.columns).toEqual(['size', 'color=blue', 'color=green', 'color=red']);
    expect(train.features.arraySync()).toEqual([
      [1, 0, 0, 1],
      [2, 1, 0, 0],
      [3, 0, 1, 0],
      [4, 0, 0, 1],
    ]);
  }));

  it('test data encodes with the training categories, even when it lacks some', tidied(() => {
    const options = { columns: { color: 'categorical', y: 'label' } } as const;
    const train = parseCSV('color,y\nred,0\nblue,1\ngreen,0\n', options);
    const test = parseCSV('color,y\nred,1\nred,0\n', { ...options, categories: train.categories });
    expect(test.columns).toEqual(train.columns);
    expect(test.features.arraySync()).toEqual([[0, 0, 1], [0, 0, 1]]);
    expect(() => parseCSV('color,y\npurple,1\n', { ...options, categories: train.categories })).toThrow(
      `parseCSV: line 2, column 'color': unknown category "purple"; known: blue, green, red`,
    );
    const ignored = parseCSV('color,y\npurple,1\n', { ...options, categories: train.categories, unknownCategory: 'ignore' });
    expect(ignored.features.arraySync()).toEqual([[0, 0, 0]]);
  }));

  it('string labels become class indices in sorted order', tidied(() => {
    const { labels, categories } = parseCSV('x,species\n1,virginica\n2,setosa\n3,virginica\n', { columns: { species: 'label' } });
    expect(categories.species).toEqual(['setosa', 'virginica']);
    expect(labels!.arraySync()).toEqual([1, 0, 1]);
  }));

  it('non-integer numeric labels stay float32 (regression targets)', tidied(() => {
    const { labels } = parseCSV('x,y\n1,0.5\n2,1.5\n', { columns: { y: 'label' } });
    expect(labels!.dtype).toBe('float32');
    expect(labels!.arraySync()).toEqual([0.5, 1.5]);
  }));

  it('without a header, columns are named by index; ignore skips a column', tidied(() => {
    const { features, labels, header } = parseCSV('a,1,2,0\nb,3,4,1\n', { header: false, columns: { 0: 'ignore', 3: 'label' } });
    expect(header).toEqual(['0', '1', '2', '3']);
    expect(features.arraySync()).toEqual([[1, 2], [3, 4]]);
    expect(labels!.arraySync()).toEqual([0, 1]);
  }));

  it('quoted numbers, CRLF and a custom delimiter', tidied(() => {
    const { features } = parseCSV('a;b\r\n"1.5";2\r\n3;"4"\r\n', { delimiter: ';' });
    expect(features.arraySync()).toEqual([[1.5, 2], [3, 4]]);
  }));

  it('empty numeric fields are NaN', tidied(() => {
    const { features } = parseCSV('a,b\n1,\n,2\n');
    const values = features.arraySync() as number[][];
    expect(values[0][0]).toBe(1);
    expect(Number.isNaN(values[0][1])).toBe(true);
    expect(Number.isNaN(values[1][0])).toBe(true);
  }));

  it('a ragged row is a DataFormatError naming the line and both field counts', tidied(() => {
    const text = 'a,b,c\n1,2,3\n4,5\n6,7,8\n';
    expect(() => parseCSV(text)).toThrow(DataFormatError);
    expect(() => parseCSV(text)).toThrow('parseCSV: line 3 has 2 fields but the header has 3');
    expect(() => parseCSV('1,2\n3,4,5\n', { header: false })).toThrow('parseCSV: line 2 has 3 fields but the first row has 2');
  }));

  it('line numbers count the lines inside quoted fields', tidied(() => {
    expect(() => parseCSV('a,b\n"x\ny",1\n2\n', { columns: { a: 'categorical' } })).toThrow('line 4 has 1 fields but the header has 2');
  }));

  it('a non-number in a numeric column says where and what to do', tidied(() => {
    expect(() => parseCSV('a,b\n1,red\n')).toThrow(`parseCSV: line 2, column 'b': "red" is not a number (mark the column 'categorical' or 'ignore')`);
  }));

  it('unknown column names, bad types and two label columns are errors', tidied(() => {
    expect(() => parseCSV('a,b\n1,2\n', { columns: { c: 'label' } })).toThrow("columns names 'c', which is not a column; the columns are a, b");
    expect(() => parseCSV('a,b\n1,2\n', { columns: { a: 'label', b: 'label' } })).toThrow('at most one label column, got a, b');
    expect(() => parseCSV('a,b\n1,2\n', { columns: { a: 'text' as never } })).toThrow(/expected numeric, categorical, label or ignore/);
    expect(() => parseCSV('')).toThrow('no records');
  }));
});
