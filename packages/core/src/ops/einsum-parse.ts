/**
 * Parsing an einsum equation into numeric labels per operand dim, the output labels and each label's
 * size. Letters become labels 0–51 (upper case first, so the implicit output sorts as PyTorch's);
 * the dims an `...` covers become labels 52, 53, … aligned to the right, so operands of different
 * rank broadcast their ellipsis dims as NumPy does.
 */
import { ShapeError, ValueError } from '../errors';
import { formatShape } from '../shape';

/** The first label used for ellipsis dims (after the 52 letters). */
const ELLIPSIS_BASE = 52;

/** A parsed equation: labels of each operand's dims, the output's labels and every label's size. */
export interface EinsumSpec {
  /** One label per dim of each operand (repeats mean diagonals). */
  readonly inputs: readonly (readonly number[])[];
  /** One label per output dim, in output order. */
  readonly output: readonly number[];
  /** The broadcast size of each label (a size-1 dim broadcasts against the others). */
  readonly sizes: ReadonlyMap<number, number>;
}

/** A letter's label, or −1 for any other character. */
function letterLabel(char: string): number {
  const code = char.charCodeAt(0);
  if (code >= 65 && code <= 90) return code - 65;
  if (code >= 97 && code <= 122) return code - 97 + 26;
  return -1;
}

/** How a label reads in messages: its letter, or `...` for an ellipsis dim. */
export function labelName(label: number): string {
  if (label >= ELLIPSIS_BASE) return '...';
  return String.fromCharCode(label < 26 ? 65 + label : 97 + label - 26);
}

/** One term of the equation: its letter labels, with the position of `...` among them (or −1). */
interface Term {
  letters: number[];
  ellipsisAt: number;
}

/** Builds errors that name einsum, the equation and the operand shapes. */
class EinsumErrors {
  constructor(
    private readonly equation: string,
    private readonly shapes: readonly (readonly number[])[],
  ) {}

  private describe(problem: string): string {
    const shapes = this.shapes.length ? this.shapes.map(formatShape).join(', ') : 'none';
    return `einsum('${this.equation}'): ${problem} (operand shapes: ${shapes})`;
  }

  value(problem: string): ValueError {
    return new ValueError(this.describe(problem));
  }

  shape(problem: string): ShapeError {
    return new ShapeError(this.describe(problem));
  }
}

function parseTerm(term: string, where: string, errors: EinsumErrors): Term {
  const letters: number[] = [];
  let ellipsisAt = -1;
  for (let i = 0; i < term.length; i++) {
    const char = term[i];
    if (char === '.') {
      if (term.slice(i, i + 3) !== '...') throw errors.value(`${where} '${term}' has a '.' that is not part of '...'`);
      if (ellipsisAt !== -1) throw errors.value(`${where} '${term}' has more than one '...'`);
      ellipsisAt = letters.length;
      i += 2;
      continue;
    }
    const label = letterLabel(char);
    if (label < 0) throw errors.value(`${where} '${term}' has an invalid subscript '${char}'; use letters a–z, A–Z and '...'`);
    letters.push(label);
  }
  return { letters, ellipsisAt };
}

/**
 * Parse `equation` for operands of `shapes`: check subscripts, counts and sizes, and work out the
 * output (explicit after `->`, else the ellipsis dims then the letters used once, in alphabetical order).
 * @example
 * parseEinsum('ij,jk', [[2, 3], [3, 4]]).output; // labels of 'ik'
 */
export function parseEinsum(equation: string, shapes: readonly (readonly number[])[]): EinsumSpec {
  const errors = new EinsumErrors(String(equation), shapes);
  if (typeof equation !== 'string') throw errors.value('the equation must be a string such as "ij,jk->ik"');
  const compact = equation.replace(/\s+/g, '');
  const sides = compact.split('->');
  if (sides.length > 2) throw errors.value("the equation has more than one '->'");
  if (/[->]/.test(sides.join(''))) throw errors.value("'-' and '>' may appear only together, as '->'");
  const termTexts = sides[0].split(',');
  if (shapes.length === 0) throw errors.value('needs at least one operand');
  if (termTexts.length !== shapes.length) {
    throw errors.value(`the equation has ${termTexts.length} input term(s) but ${shapes.length} operand(s) were given`);
  }
  const terms = termTexts.map((text, i) => parseTerm(text, `operand ${i}'s subscripts`, errors));

  // How many dims each `...` stands for; they align to the right across operands.
  const ellipsisRanks = terms.map((term, i) => {
    const rank = shapes[i].length;
    const covered = rank - term.letters.length;
    if (term.ellipsisAt === -1 ? covered !== 0 : covered < 0) {
      throw errors.shape(
        `operand ${i} has ${rank} dim(s) but its subscripts '${termTexts[i]}' name ${term.letters.length}` +
          (term.ellipsisAt === -1 ? '' : " plus '...'"),
      );
    }
    return term.ellipsisAt === -1 ? 0 : covered;
  });
  const ellipsisRank = Math.max(0, ...ellipsisRanks);
  const inputs = terms.map((term, i) => {
    if (term.ellipsisAt === -1) return term.letters;
    const first = ELLIPSIS_BASE + ellipsisRank - ellipsisRanks[i];
    const covered = Array.from({ length: ellipsisRanks[i] }, (_, k) => first + k);
    return [...term.letters.slice(0, term.ellipsisAt), ...covered, ...term.letters.slice(term.ellipsisAt)];
  });

  const sizes = labelSizes(inputs, shapes, errors);
  const allEllipsis = Array.from({ length: ellipsisRank }, (_, k) => ELLIPSIS_BASE + k);
  let output: number[];
  if (sides.length === 2) {
    const term = parseTerm(sides[1], 'the output', errors);
    const seen = new Set<number>();
    for (const label of term.letters) {
      if (seen.has(label)) throw errors.value(`the output repeats subscript '${labelName(label)}'`);
      if (!sizes.has(label)) throw errors.value(`the output subscript '${labelName(label)}' does not appear in any input`);
      seen.add(label);
    }
    output = term.ellipsisAt === -1 ? term.letters : [...term.letters.slice(0, term.ellipsisAt), ...allEllipsis, ...term.letters.slice(term.ellipsisAt)];
  } else {
    const counts = new Map<number, number>();
    for (const labels of terms.map((term) => term.letters)) for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
    const once = [...counts].filter(([, count]) => count === 1).map(([label]) => label).sort((a, b) => a - b);
    output = [...allEllipsis, ...once];
  }
  return { inputs, output, sizes };
}

/** Each label's size: equal within an operand (diagonals), equal or 1 across operands (broadcasting). */
function labelSizes(inputs: readonly (readonly number[])[], shapes: readonly (readonly number[])[], errors: EinsumErrors): Map<number, number> {
  const sizes = new Map<number, number>();
  const from = new Map<number, number>();
  inputs.forEach((labels, operand) => {
    const own = new Map<number, number>();
    labels.forEach((label, dim) => {
      const size = shapes[operand][dim];
      const previous = own.get(label);
      if (previous !== undefined && previous !== size) {
        throw errors.shape(`subscript '${labelName(label)}' is repeated in operand ${operand} with different sizes ${previous} and ${size}`);
      }
      own.set(label, size);
    });
    for (const [label, size] of own) {
      const seen = sizes.get(label);
      if (seen === undefined || seen === 1) {
        sizes.set(label, size);
        from.set(label, operand);
      } else if (size !== 1 && size !== seen) {
        const name = labelName(label);
        const what = name === '...' ? 'the dims covered by ...' : `subscript '${name}'`;
        throw errors.shape(`${what} has size ${size} in operand ${operand} but ${seen} in operand ${from.get(label)} (sizes must match or be 1)`);
      }
    }
  });
  return sizes;
}
