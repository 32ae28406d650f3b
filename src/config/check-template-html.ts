import Mustache from 'mustache';
import { parseFragment, type DefaultTreeAdapterMap, type Token } from 'parse5';
import { checkSourceUrl, type UrlRule } from '../desired/url-policy.js';
import { BUILT_LINKS, isHttpsVariable } from '../desired/signature-variables.js';
import { checkTemplateCss } from './check-template-css.js';
import { ALLOWED_TAGS, attributeKind } from './template-allow-list.js';

/** One thing wrong with a signature template's HTML, at its line and column (1-based). */
export interface TemplateHtmlProblem {
  line: number;
  column: number;
  message: string;
}

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];
type Location = Token.Location;

const SINGLE_VARIABLE = /^\{\{\s*([\w.]+)\s*\}\}$/;

/**
 * Checks a signature template's HTML with the HTML parser browsers and mail clients follow
 * (parse5), not with patterns: every element must be on the allow-list of tags, every attribute
 * on the allow-list of attributes, and every URL-bearing attribute (`href`, `src`, `background`)
 * must hold a literal https URL (`mailto:`/`tel:` for `href`) or exactly one variable the
 * renderer checks against the URL policy or builds itself. CSS (`style` attributes and `<style>`
 * blocks) may not load anything. Markup the parser would drop or repair (a misplaced `<body>`, a
 * stray end tag, `<a/href=…>`, a duplicate attribute) is refused too, so what is checked is what
 * a mail client will see. With `linkRule`, literal https URLs must also be on its hosts.
 */
export function checkTemplateHtml(source: string, linkRule?: UrlRule): TemplateHtmlProblem[] {
  const problems: TemplateHtmlProblem[] = [];
  const masked = maskMustache(source, problems);
  if (masked === undefined) return problems;
  const at = (loc: Location | null | undefined, message: string) =>
    problems.push({ line: loc?.startLine ?? 1, column: loc?.startCol ?? 1, message });
  const fragment = parseFragment(masked, {
    sourceCodeLocationInfo: true,
    onParseError: (error) => at(error, `malformed HTML (${error.code})`),
  });
  const covered: [number, number][] = [];
  const cover = (loc: Location | null | undefined) => {
    if (loc) covered.push([loc.startOffset, loc.endOffset]);
  };
  const visit = (node: Node): void => {
    const loc = node.sourceCodeLocation;
    // Text is not covered: a '<' in it is markup the parser did not take as a tag (see below).
    if (node.nodeName === '#text') return;
    if (node.nodeName === '#comment') {
      cover(loc);
      const data = (node as DefaultTreeAdapterMap['commentNode']).data;
      if (/[<>[]|\{\{/.test(data))
        at(loc, 'an HTML comment may hold plain text only (no markup, conditional comment or variable)');
      return;
    }
    if ('tagName' in node) checkElement(node, masked, at, linkRule, cover);
    const children =
      'content' in node ? node.content.childNodes : 'childNodes' in node ? node.childNodes : [];
    for (const child of children) visit(child);
  };
  visit(fragment);
  for (let i = masked.indexOf('<'); i !== -1; i = masked.indexOf('<', i + 1)) {
    if (!covered.some(([from, to]) => i >= from && i < to)) {
      const before = masked.slice(0, i);
      const line = before.split('\n').length;
      problems.push({
        line,
        column: i - before.lastIndexOf('\n'),
        message: `${JSON.stringify(masked.slice(i, i + 30).split(/[\s>]/)[0])}: a '<' that starts no tag the HTML parser keeps (a misplaced or stray tag, or text: write &lt;)`,
      });
    }
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * The template with mustache comments blanked (they may hold any text, `<style>` included) and
 * every other tag left in place, at the same offsets so lines and columns stay right. Changed
 * delimiters are refused: the checks below find variables by `{{`.
 */
function maskMustache(source: string, problems: TemplateHtmlProblem[]): string | undefined {
  let tokens: unknown[];
  try {
    tokens = Mustache.parse(source);
  } catch (error) {
    problems.push({ line: 1, column: 1, message: `template syntax error: ${(error as Error).message}` });
    return undefined;
  }
  let masked = source;
  const walk = (list: unknown[]): void => {
    for (const token of list as [string, string, number, number, unknown[]?][]) {
      const [type, , start, end, children] = token;
      if (type === '!')
        masked = masked.slice(0, start) + source.slice(start, end).replace(/[^\n]/g, ' ') + masked.slice(end);
      if (type === '=') {
        const before = source.slice(0, start);
        problems.push({
          line: before.split('\n').length,
          column: start - before.lastIndexOf('\n'),
          message: 'changing the mustache delimiters is not allowed',
        });
      }
      if (Array.isArray(children)) walk(children);
    }
  };
  walk(tokens);
  return problems.length > 0 ? undefined : masked;
}

function checkElement(
  element: Element,
  source: string,
  at: (loc: Location | null | undefined, message: string) => void,
  linkRule: UrlRule | undefined,
  cover: (loc: Location | null | undefined) => void,
): void {
  const loc = element.sourceCodeLocation;
  cover(loc?.startTag);
  cover(loc?.endTag);
  const tag = element.tagName;
  if (element.namespaceURI !== 'http://www.w3.org/1999/xhtml' || !ALLOWED_TAGS.has(tag)) {
    at(loc, `<${tag}> is not allowed in a signature template`);
    return;
  }
  if (tag === 'style') {
    const css = element.childNodes.map((c) => ('value' in c ? c.value : '')).join('');
    for (const message of checkTemplateCss(css)) at(loc, `<style>: ${message}`);
  }
  for (const attr of element.attrs) {
    const where = loc?.attrs?.[attr.name] ?? loc;
    const kind = attributeKind(tag, attr.name);
    if (!kind) {
      const handler = /^on/i.test(attr.name) ? ' (event handlers never are)' : '';
      at(where, `attribute "${attr.name}" is not allowed on <${tag}>${handler}`);
      continue;
    }
    const raw =
      where && 'startOffset' in where
        ? rawValue(source.slice(where.startOffset, where.endOffset))
        : undefined;
    if (raw && !raw.quoted && raw.value.includes('{{')) {
      at(where, `${attr.name}=${raw.value}: an attribute holding a variable must be quoted`);
    }
    if (kind === 'style') {
      for (const message of checkTemplateCss(attr.value)) at(where, `style: ${message}`);
    } else if (kind === 'url') {
      const message = urlAttributeProblem(tag, attr.name, raw?.value ?? attr.value, attr.value, linkRule);
      if (message) at(where, message);
    }
  }
}

/** The value of `name="value"` as written (quotes removed), and whether it was quoted. */
function rawValue(attribute: string): { value: string; quoted: boolean } {
  const eq = attribute.indexOf('=');
  if (eq === -1) return { value: '', quoted: true };
  const value = attribute.slice(eq + 1).trim();
  const quote = value[0];
  if (quote === '"' || quote === "'")
    return { value: value.slice(1, value.endsWith(quote) ? -1 : undefined), quoted: true };
  return { value, quoted: false };
}

function urlAttributeProblem(
  tag: string,
  name: string,
  raw: string,
  decoded: string,
  linkRule: UrlRule | undefined,
): string | undefined {
  const isHref = name === 'href';
  const shown = `<${tag} ${name}="${raw.slice(0, 60)}">`;
  if (raw.includes('{{')) {
    const variable = SINGLE_VARIABLE.exec(raw)?.[1];
    if (variable !== undefined && (isHttpsVariable(variable) || (isHref && BUILT_LINKS.has(variable)))) {
      return undefined;
    }
    return variable !== undefined
      ? `${shown}: a link may only hold a URL variable (https-checked) or a built mailto:/tel: link`
      : `${shown}: a link must be a literal https:${isHref ? ', mailto: or tel:' : ''} URL or exactly one URL variable`;
  }
  if (decoded === '') return undefined;
  if (isHref && /^(mailto|tel):/i.test(decoded)) return undefined;
  if (!/^https:\/\//i.test(decoded)) {
    return `${shown}: a link must be a literal https:${isHref ? ', mailto: or tel:' : ''} URL or exactly one URL variable`;
  }
  if (!linkRule) return undefined;
  const checked = checkSourceUrl(decoded, linkRule);
  return checked.ok ? undefined : `${shown}: the URL ${checked.reason}`;
}
