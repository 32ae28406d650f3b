/**
 * What signature templates may contain: the elements and attributes mail clients render in
 * signatures, and nothing that runs, embeds, submits, refreshes or loads by itself. Anything not
 * listed is refused (an allow-list: a tag or attribute nobody thought of is refused, not let in).
 */

/** Elements of the HTML namespace (SVG and MathML elements are never allowed). */
export const ALLOWED_TAGS: ReadonlySet<string> = new Set([
  'a',
  'abbr',
  'b',
  'big',
  'blockquote',
  'br',
  'caption',
  'center',
  'code',
  'col',
  'colgroup',
  'dd',
  'div',
  'dl',
  'dt',
  'em',
  'font',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'i',
  'img',
  'li',
  'ol',
  'p',
  'pre',
  's',
  'small',
  'span',
  'strike',
  'strong',
  'style',
  'sub',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'u',
  'ul',
]);

/** Presentational and accessibility attributes, harmless on any allowed element. */
const PLAIN_ATTRIBUTES = new Set([
  'align',
  'alt',
  'aria-hidden',
  'aria-label',
  'bgcolor',
  'border',
  'cellpadding',
  'cellspacing',
  'class',
  'color',
  'colspan',
  'dir',
  'face',
  'height',
  'id',
  'lang',
  'nowrap',
  'role',
  'rowspan',
  'scope',
  'size',
  'span',
  'start',
  'summary',
  'title',
  'valign',
  'width',
]);

/** Attributes that only some elements may carry. */
const ELEMENT_ATTRIBUTES: Readonly<Record<string, ReadonlySet<string>>> = {
  a: new Set(['target', 'rel']),
  style: new Set(['type', 'media']),
};

/** Attributes that hold a URL, and the elements that may carry them. */
const URL_ATTRIBUTES: Readonly<Record<string, ReadonlySet<string>>> = {
  href: new Set(['a']),
  src: new Set(['img']),
  background: new Set(['table', 'tr', 'td', 'th']),
};

/** How an attribute of an element is checked, or undefined when it is not allowed there. */
export function attributeKind(tag: string, name: string): 'plain' | 'url' | 'style' | undefined {
  if (name === 'style') return 'style';
  if (URL_ATTRIBUTES[name]?.has(tag)) return 'url';
  if (PLAIN_ATTRIBUTES.has(name) || ELEMENT_ATTRIBUTES[tag]?.has(name)) return 'plain';
  return undefined;
}
