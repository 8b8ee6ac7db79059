import { ValueError } from '@tessera/core';

/**
 * A malformed data file (CSV or IDX): the message names the format, where the problem is and what was
 * expected. A subclass of core's ValueError.
 * @example
 * try { parseCSV('a,b\n1\n'); } catch (e) { e instanceof DataFormatError; // true: "line 2 has 1 field…" }
 */
export class DataFormatError extends ValueError {}
