/** Markup that is already safe: produced by `html`, never by concatenating strings. */
export class SafeHtml {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  toString(): string {
    return this.#value;
  }
}

/** What `html` accepts in a hole: text (escaped), safe markup, or lists of either. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value as string | number | boolean));
}

/**
 * Tagged template for every page: the literal parts are trusted markup, every interpolation is
 * escaped for both text and quoted attribute positions unless it is itself `SafeHtml`. `null`,
 * `undefined` and `false` render nothing, so `${cond && html`…`}` reads naturally.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** A same-origin path with each segment encoded (emails contain `@` and may contain `+`). */
export function pathTo(...segments: string[]): string {
  return `/${segments.map(encodeURIComponent).join('/')}`;
}
