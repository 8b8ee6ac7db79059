/**
 * A piece of text on its way through the pipeline, with the alignment of each UTF-16 code unit to the
 * range of the original input it came from (Hugging Face's `NormalizedString`, reduced to what the
 * offsets need). When offsets are not requested the alignment is not built (`starts === null` and the
 * text is treated as a verbatim slice starting at `base`), which keeps plain `encode` fast.
 */
export class Segment {
  constructor(
    readonly text: string,
    /** Original start offset of each code unit, or null for a verbatim slice at `base`. */
    readonly starts: Int32Array | null,
    /** Original end offset of each code unit, or null for a verbatim slice at `base`. */
    readonly ends: Int32Array | null,
    readonly base: number,
  ) {}

  static verbatim(text: string, base = 0): Segment {
    return new Segment(text, null, null, base);
  }

  startOf(index: number): number {
    if (this.starts === null) return this.base + index;
    if (index < this.starts.length) return this.starts[index]!;
    return this.ends!.length > 0 ? this.ends![this.ends!.length - 1]! : this.base;
  }

  endOf(index: number): number {
    if (this.ends === null) return this.base + index + 1;
    if (index >= 0 && index < this.ends.length) return this.ends[index]!;
    return this.base;
  }

  /** Original `[start, end)` of code units `[from, to)`. */
  range(from: number, to: number): [number, number] {
    if (to <= from) {
      const at = this.startOf(from);
      return [at, at];
    }
    return [this.startOf(from), this.endOf(to - 1)];
  }

  slice(from: number, to: number): Segment {
    if (from === 0 && to === this.text.length) return this;
    const text = this.text.slice(from, to);
    if (this.starts === null) return new Segment(text, null, null, this.base + from);
    return new Segment(text, this.starts.subarray(from, to), this.ends!.subarray(from, to), this.startOf(from));
  }
}

/** Builds a new segment piece by piece, tracking alignments only when `tracked`. */
export class SegmentBuilder {
  private text = '';
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  constructor(
    private readonly source: Segment,
    private readonly tracked: boolean,
  ) {}

  /** Appends source code units `[from, to)` unchanged. */
  copy(from: number, to: number): void {
    if (to <= from) return;
    this.text += this.source.text.slice(from, to);
    if (!this.tracked) return;
    for (let i = from; i < to; i++) {
      this.starts.push(this.source.startOf(i));
      this.ends.push(this.source.endOf(i));
    }
  }

  /** Appends `replacement`, every code unit aligned to source code units `[from, to)`. */
  replace(from: number, to: number, replacement: string): void {
    if (replacement.length === 0) return;
    this.text += replacement;
    if (!this.tracked) return;
    // An insertion (from === to) takes the range of the neighbouring code unit.
    const length = this.source.text.length;
    const [start, end] =
      to > from ? this.source.range(from, to) : length === 0 ? [this.source.base, this.source.base] : this.source.range(Math.min(from, length - 1), Math.min(from, length - 1) + 1);
    for (let i = 0; i < replacement.length; i++) {
      this.starts.push(start);
      this.ends.push(end);
    }
  }

  build(): Segment {
    if (!this.tracked) return new Segment(this.text, null, null, this.source.base);
    return new Segment(this.text, Int32Array.from(this.starts), Int32Array.from(this.ends), this.source.startOf(0));
  }
}

/**
 * Applies `map` to each code point; unchanged when every code point maps to itself.
 * @example
 * mapCodePoints(Segment.verbatim('Ab'), (c) => c.toLowerCase(), false).text // 'ab'
 */
export function mapCodePoints(segment: Segment, map: (char: string) => string, tracked: boolean): Segment {
  const text = segment.text;
  const builder = new SegmentBuilder(segment, tracked);
  let changed = false;
  let runStart = 0;
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    const char = width === 1 ? text[i]! : text.slice(i, i + 2);
    const mapped = map(char);
    if (mapped !== char) {
      builder.copy(runStart, i);
      builder.replace(i, i + width, mapped);
      runStart = i + width;
      changed = true;
    }
    i += width;
  }
  if (!changed) return segment;
  builder.copy(runStart, text.length);
  return builder.build();
}
