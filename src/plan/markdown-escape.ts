/**
 * Escaping for values that reach a pull-request comment: anything from HR, overrides, the tenant
 * or a message that quotes them. Escaping is by construction, not by looking for dangerous input:
 * every ASCII punctuation character becomes a numeric character reference. Markdown syntax is
 * made of ASCII punctuation (`[`, `*`, `_`, `` ` ``, `<`, `|`, `!`, `:`, `\`, `~`, `$`), and a
 * character reference is never syntax, so no value can open a link, image, emphasis, code span,
 * table cell, autolink (`https://`, `www.`, `a@b.c` all need a literal `:`, `.` or `@`) or raw
 * HTML, in markdown text, in an inline `<code>` element or inside an HTML block such as
 * `<summary>`. Line breaks become spaces, so a value cannot end a table row or an HTML block.
 */

const PUNCTUATION = /[!-/:-@[-`{-~]/g;
const LINE_BREAK = /[\r\n\u2028\u2029]+/g;

/** `value` with every ASCII punctuation character as `&#N;` and line breaks as spaces. */
export function escapeMarkdownCharacters(value: string): string {
  return value.replace(LINE_BREAK, ' ').replace(PUNCTUATION, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * GitHub links `@name`, `#123` and `GH-123` in rendered text (after markdown, so character
 * references do not stop it) except inside `code`. A word joiner (U+2060, invisible) after the
 * `@` or `#` breaks the pattern; an email address (`kari@example.no`) is not mention-shaped and
 * is left as it is.
 */
const MENTION = /(^|[^\p{L}\p{N}_])(&#64;|&#35;)(?=[\p{L}\p{N}])/gu;
const GH_REF = /\b(GH)(&#45;)(?=\d)/gi;

/** A user value inside running text: escaped, with mentions and issue references defused. */
export function markdownText(value: string): string {
  return escapeMarkdownCharacters(value)
    .replace(MENTION, (_m, before: string, sign: string) => `${before}${sign}&#8288;`)
    .replace(GH_REF, (_m, gh: string, dash: string) => `${gh}&#8288;${dash}`);
}

/**
 * A user value inside an HTML block that Roster opened (`<details><summary>…`): markdown is not
 * parsed there until a blank line, and the value has no line break left to make one, so HTML
 * escaping is enough and an email address stays readable in the source.
 */
export function htmlBlockText(value: string): string {
  const escaped = value
    .replace(LINE_BREAK, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
  return escaped
    .replace(
      /(^|[^\p{L}\p{N}_])([@#])(?=[\p{L}\p{N}])/gu,
      (_m, before: string, sign: string) => `${before}${sign}&#8288;`,
    )
    .replace(GH_REF_PLAIN, (_m, gh: string) => `${gh}&#8288;-`);
}

const GH_REF_PLAIN = /\b(GH)-(?=\d)/gi;

/** A user value shown as code (a table cell, a URL): GitHub links nothing inside `<code>`. */
export function markdownCode(value: string): string {
  return `<code>${escapeMarkdownCharacters(value)}</code>`;
}
