import { html, type SafeHtml } from './html.js';

/** Whether two values differ only in whitespace (spaces, tabs, newlines, no-break spaces). */
export function differsOnlyInWhitespace(a: string | null | undefined, b: string | null | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a === b) return false;
  return a.replace(/\s/g, '') === b.replace(/\s/g, '');
}

const MARKS: Record<string, { mark: string; name: string }> = {
  ' ': { mark: '·', name: 'space' },
  '\t': { mark: '→', name: 'tab' },
  '\n': { mark: '↵', name: 'newline' },
  '\r': { mark: '␍', name: 'carriage return' },
  '\u00a0': { mark: '⍽', name: 'no-break space' },
};

/**
 * `value` with every whitespace character drawn as a mark (`·` space, `→` tab, `↵` newline, `⍽`
 * no-break space, `¤` any other), each titled with its name, so two values that differ only there
 * can be told apart. A newline also breaks the line, as it would in the tenant.
 */
export function visibleWhitespace(value: string): SafeHtml {
  const parts: (string | SafeHtml)[] = [];
  for (const piece of value.split(/(\s)/)) {
    if (piece === '') continue;
    if (!/^\s$/.test(piece)) {
      parts.push(piece);
      continue;
    }
    const { mark, name } = MARKS[piece] ?? {
      mark: '¤',
      name: `U+${piece.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
    };
    parts.push(html`<span class="ws" title="${name}">${mark}</span>${piece === '\n' ? html`<br />` : ''}`);
  }
  return html`<span class="ws-shown">${parts}</span>`;
}
