/**
 * How the simulated Exchange stores `SignatureHtml`. Microsoft documents only that "the service
 * strips any JavaScript" (docs/microsoft-365.md#exo-signature-html;
 * https://learn.microsoft.com/powershell/module/exchange/set-mailboxmessageconfiguration).
 * The rest is SIMULATOR BEHAVIOUR chosen to be at least as disruptive as a real server, so that
 * clients must compare against what they last applied instead of expecting their bytes back:
 * - `<script>` elements (and stray script tags) are removed;
 * - `on*` event-handler attributes are removed;
 * - `href`/`src`/`action` attributes with a `javascript:` (or `vbscript:`) URL are removed;
 * - a fragment is wrapped in `<html><body>…</body></html>`;
 * - line breaks become CRLF.
 */
export function normalizeSignatureHtml(html: string): string {
  if (html.trim() === '') return '';
  let out = html
    .replace(/<script\b[^>]*>[\s\S]*?<\/script\s*>/gi, '')
    .replace(/<\/?script\b[^>]*>/gi, '')
    .replace(/<[a-z][^>]*>/gi, cleanTag);
  if (!/^\s*(<!doctype[^>]*>\s*)?<html[\s>]/i.test(out)) out = `<html><body>${out}</body></html>`;
  return out.replace(/\r?\n/g, '\r\n');
}

const ATTRIBUTE = /\s+([^\s"'>/=]+)(\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?/g;

/** Rewrites one start tag without its dangerous attributes. */
function cleanTag(tag: string): string {
  const name = /^<([a-z][^\s/>]*)/i.exec(tag)?.[1] ?? '';
  const body = tag.slice(name.length + 1).replace(/\/?>$/, '');
  const selfClosing = /\/>$/.test(tag);
  const kept: string[] = [];
  for (const m of body.matchAll(ATTRIBUTE)) {
    const attr = (m[1] ?? '').toLowerCase();
    const value = unquote(m[3] ?? '');
    if (attr.startsWith('on')) continue;
    if (['href', 'src', 'action', 'formaction', 'background'].includes(attr) && isScriptUrl(value)) continue;
    kept.push(m[0]);
  }
  return `<${name}${kept.join('')}${selfClosing ? ' />' : '>'}`;
}

function unquote(v: string): string {
  return /^["']/.test(v) ? v.slice(1, -1) : v;
}

function isScriptUrl(value: string): boolean {
  // Browsers ignore whitespace and control characters inside the scheme.
  // eslint-disable-next-line no-control-regex
  const compact = value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
  return compact.startsWith('javascript:') || compact.startsWith('vbscript:');
}
