/**
 * The relative link targets of a Markdown document: inline links and images `[text](target)` and
 * reference definitions `[name]: target`, outside fenced code blocks and inline code.
 */

/** A link found in a document, with its 1-based line for error messages. */
export interface MarkdownLink {
  readonly target: string;
  readonly line: number;
}

const INLINE_LINK = /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const REFERENCE_DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/;
const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/**
 * Links to files in the repository (external URLs and same-page anchors are left out).
 * @example
 * relativeLinks('See [the design](ARCHITECTURE.md#layers).'); // [{ target: 'ARCHITECTURE.md#layers', line: 1 }]
 */
export function relativeLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  let fence: string | null = null;
  markdown.split('\n').forEach((text, index) => {
    const fenceMark = /^\s{0,3}(`{3,}|~{3,})/.exec(text);
    if (fenceMark) {
      if (fence === null) fence = fenceMark[1][0];
      else if (fenceMark[1][0] === fence) fence = null;
      return;
    }
    if (fence !== null) return;
    const prose = text.replace(/`[^`]*`/g, '');
    const targets = [...prose.matchAll(INLINE_LINK)].map((match) => match[1]);
    const definition = REFERENCE_DEFINITION.exec(prose);
    if (definition) targets.push(definition[1]);
    for (const target of targets) {
      if (EXTERNAL.test(target) || target.startsWith('#')) continue;
      links.push({ target, line: index + 1 });
    }
  });
  return links;
}
