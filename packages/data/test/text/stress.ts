import { readFileSync } from 'node:fs';
import { sharedDataFile } from '../shared-data';

/** Moby Dick (the parity corpus; `<repository root>/../shared/data` or `$TESSERA_SHARED_DIR/data`), read once. */
let cached: string | undefined;
export function mobyDick(): string {
  return (cached ??= readFileSync(sharedDataFile('moby-dick.txt'), 'utf8'));
}

/** Unicode stress strings every tokenizer must encode exactly like the reference. */
export const STRESS_STRINGS: readonly string[] = [
  '',
  ' ',
  'hello world',
  '👨‍👩‍👧‍👦 family, 👩🏽‍💻 coder, 🏳️‍🌈 flag, ❤️‍🔥',
  '🇺🇸🇫🇷🇯🇵 flags 🇩🇪',
  '中文字符测试，包括标点。日本語のテキスト、カタカナ。한국어 텍스트',
  'مرحبا بالعالم، هذا نص عربي ١٢٣٤٥',
  'שלום עולם, זה טקסט בעברית',
  'नमस्ते दुनिया, यह हिंदी पाठ है। क्षत्रिय',
  'e\u0301 a\u0300\u0323 n\u0303o Zalgo: Z\u0351\u0358a\u0300\u0302l\u0315go',
  'a  b   c    d \t\t e \r\n\r\n  f   \n\n\n g   ',
  '\t\tindented\n\tcode\r\n\r\nCRLF\rCR alone',
  'function f(x) {\n  return x ** 2 + 0x1F; // comment\n}\nconst s = `template ${x}`;\n',
  'def f(a, b=3):\n    return {"k": [1, 2.5, -3e10]}\n',
  '12345678901234567890 3.14159 1,000,000.00 -42 +7 2024-01-01 12:30:45 ١٢٣ ௧௨௩',
  "I'm you're they'LL WE'VE she'D it'S can't won't o'clock ''quoted'' 's 'S",
  'HelloWorld XMLHttpRequest camelCaseWord ǅungla ÀÉÎÕÜ ßtraße İstanbul',
  '\u3000ideographic\u3000space\u2003em\u00a0nbsp',
  '<|endoftext|> is not special unless allowed <|fim_prefix|>',
  'URLs: https://example.com/a/b?c=d&e=f#g and emails a.b@c.io /usr/local/bin//',
  '   leading and trailing spaces   ',
  '!!!???...,,,;;;:::---___***&&&^^^%%%$$$###@@@',
  '\u0000\u0001\u0007\u001b[31mansi\u001b[0m\u007f',
  'Ünïcödé ñ ç ø å æ œ ð þ ł đ ħ',
  '😀😃😄😁😆😅🤣😂🙂🙃😉😊😇🥰😍🤩😘',
];
