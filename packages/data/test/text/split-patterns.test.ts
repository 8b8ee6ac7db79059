import { describe, expect, it } from 'vitest';
import { CL100K_SPLIT_PATTERN, GPT2_SPLIT_PATTERN, O200K_SPLIT_PATTERN, SPLIT_PATTERNS, splitRegex, splitText, toJavaScriptPattern } from '../../src/text/split-patterns';
import { expectSame } from './same';
import { STRESS_STRINGS, mobyDick } from './stress';

// js-tiktoken's own patterns (JavaScript `\s`, contractions spelled out): ours must split identically
// everywhere except on U+0085 / U+FEFF / 'ſ, where ours follow tiktoken's Rust regex instead.
async function jsTiktokenPattern(name: 'gpt2' | 'cl100k_base' | 'o200k_base'): Promise<RegExp> {
  const mod = (await import(`js-tiktoken/ranks/${name}`)) as { default: { pat_str: string } };
  return new RegExp(mod.default.pat_str, 'gu');
}

describe('split patterns', () => {
  for (const name of ['gpt2', 'cl100k_base', 'o200k_base'] as const) {
    it(`${name} splits Moby Dick and the stress strings exactly like js-tiktoken`, async () => {
      const reference = await jsTiktokenPattern(name);
      for (const text of [mobyDick(), ...STRESS_STRINGS]) {
        expectSame(splitText(text, name), text.match(reference) ?? [], JSON.stringify(text.slice(0, 60)));
      }
    });
  }

  it('names map to the right sources', () => {
    expect(SPLIT_PATTERNS.r50k_base).toBe(GPT2_SPLIT_PATTERN);
    expect(SPLIT_PATTERNS.p50k_base).toBe(GPT2_SPLIT_PATTERN);
    expect(SPLIT_PATTERNS.cl100k_base).toBe(CL100K_SPLIT_PATTERN);
    expect(SPLIT_PATTERNS.llama3).toBe(CL100K_SPLIT_PATTERN);
    expect(SPLIT_PATTERNS.o200k_base).toBe(O200K_SPLIT_PATTERN);
    expect(splitRegex('gpt2').flags).toBe('gu');
  });

  it('every character of any text lands in exactly one piece', () => {
    for (const name of Object.keys(SPLIT_PATTERNS)) {
      for (const text of STRESS_STRINGS) expect(splitText(text, name).join('')).toBe(text);
    }
  });

  it('whitespace is Unicode White_Space as in Rust: U+0085 is space, U+FEFF is not', () => {
    expect(splitText('a\u0085\u0085b', 'cl100k_base')).toEqual(['a', '\u0085', '\u0085b']);
    expect(splitText('a \ufeffb', 'cl100k_base')).toEqual(['a', ' \ufeff', 'b']);
    expect(splitText('x  \ufeff', 'gpt2')).toEqual(['x', ' ', ' \ufeff']);
  });

  it("contractions are case-insensitive with Unicode folding ('ſ like 's)", () => {
    expect(splitText("IT'S it'ſ", 'cl100k_base')).toEqual(['IT', "'S", ' it', "'ſ"]);
    expect(splitText("DON'T", 'o200k_base')).toEqual(["DON'T"]);
    expect(splitText("don'T", 'o200k_base')).toEqual(["don'T"]);
    expect(splitText("don't", 'gpt2')).toEqual(['don', "'t"]);
    expect(splitText("DON'T", 'gpt2')).toEqual(['DON', "'", 'T']);
  });

  it('numbers: gpt2 keeps runs, cl100k and o200k cut them into threes', () => {
    expect(splitText('1234567', 'gpt2')).toEqual(['1234567']);
    expect(splitText('1234567', 'cl100k_base')).toEqual(['123', '456', '7']);
    expect(splitText('1234567', 'o200k_base')).toEqual(['123', '456', '7']);
  });

  it('toJavaScriptPattern translates Rust syntax', () => {
    expect(toJavaScriptPattern("(?i:'s|'t)|\\s+(?!\\S)")).toBe("(?:'[sS\\u017F]|'[tT])|\\p{White_Space}+(?!\\P{White_Space})");
    expect(toJavaScriptPattern('[^\\s\\p{L}]')).toBe('[^\\p{White_Space}\\p{L}]');
    expect(toJavaScriptPattern('(?i:[a-c]k)')).toBe('(?:[aAbB-cC][kK\\u212A])'.replace('bB-', '-'));
    const llama = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    const translated = new RegExp(toJavaScriptPattern(llama), 'gu');
    for (const text of STRESS_STRINGS) expect(text.match(translated) ?? []).toEqual(splitText(text, 'llama3'));
  });
});

describe('reference (Rust syntax) patterns', () => {
  it('translate to the JavaScript patterns', async () => {
    const { REFERENCE_SPLIT_PATTERNS } = await import('../../src/text/split-patterns');
    for (const [name, source] of Object.entries(REFERENCE_SPLIT_PATTERNS)) {
      const translated = new RegExp(toJavaScriptPattern(source), 'gu');
      for (const text of [...STRESS_STRINGS, "IT'S it'ſ a\u0085\u0085b \ufeff"]) expect(text.match(translated) ?? [], name).toEqual(splitText(text, name));
    }
  });
});

describe('the cl100k scanner', () => {
  it('splits exactly like CL100K_SPLIT_PATTERN on Moby Dick, the stress strings and random text', async () => {
    const { scanCl100k } = await import('../../src/text/bpe/scan-cl100k');
    const split = (text: string): string[] => {
      const pieces: string[] = [];
      for (let i = 0; i < text.length; ) {
        const end = scanCl100k(text, i);
        pieces.push(text.slice(i, end));
        i = end;
      }
      return pieces;
    };
    const alphabet = [..."aZé'sStTrReEvVmMlLdDſ 0123456789١\t\r\n\u0085\u00a0\u3000\ufeff.,!?-_/\\\"()😀👍🏽中\u0301\uD800\uDC00"];
    let seed = 3;
    const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const samples = [mobyDick(), ...STRESS_STRINGS];
    for (let trial = 0; trial < 2000; trial++) {
      let text = '';
      const length = 1 + Math.floor(random() * 12);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      samples.push(text);
    }
    for (const text of samples) expectSame(split(text), splitText(text, 'cl100k_base'), JSON.stringify(text.slice(0, 60)));
  });
});
