import mustache from 'mustache';
import type { ConfigProblem } from '../errors/roster-error.js';
import type { ConfigFile, TemplateReference } from './load-overrides.js';
import type { Position } from './parse-yaml.js';
import type { UrlRule } from '../desired/url-policy.js';
import { checkTemplateHtml } from './check-template-html.js';
import type { SignatureTemplate } from './settings.js';

const TEMPLATE_FILE = /(?:^|\/)([A-Za-z0-9][A-Za-z0-9_-]*)\.(html|txt)\.mustache$/;

export interface LoadedTemplates {
  templates: Map<string, SignatureTemplate>;
  problems: ConfigProblem[];
}

/**
 * `templates/<name>.html.mustache` + `templates/<name>.txt.mustache` → one `SignatureTemplate` per
 * name. Each file is parsed with mustache so a syntax error is reported with its line now, not
 * when the first employee is rendered, and each HTML template is checked with an HTML parser
 * (`checkTemplateHtml`; literal https URLs against `linkRule` when given); a template without its
 * twin is an error.
 */
export function loadTemplates(files: ConfigFile[], linkRule?: UrlRule): LoadedTemplates {
  const problems: ConfigProblem[] = [];
  const halves = new Map<string, { html?: ConfigFile; text?: ConfigFile }>();
  for (const input of [...files].sort((a, b) => (a.file < b.file ? -1 : 1))) {
    if (!input.file.endsWith('.mustache')) continue;
    const match = TEMPLATE_FILE.exec(input.file);
    if (!match) {
      problems.push({
        file: input.file,
        message: 'not a signature template: expected <name>.html.mustache or <name>.txt.mustache (ignored)',
        severity: 'warning',
      });
      continue;
    }
    const [, name = '', kind] = match;
    const syntax = mustacheSyntaxError(input.text);
    if (syntax) {
      problems.push({
        file: input.file,
        ...offsetPosition(input.text, syntax.offset),
        message: syntax.message,
        severity: 'error',
      });
    }
    if (!syntax && kind === 'html') {
      for (const problem of checkTemplateHtml(input.text, linkRule)) {
        const { line, column, message } = problem;
        problems.push({ file: input.file, line, column, message, severity: 'error' });
      }
    }
    const pair = halves.get(name) ?? {};
    if (kind === 'html') pair.html = input;
    else pair.text = input;
    halves.set(name, pair);
  }

  const templates = new Map<string, SignatureTemplate>();
  for (const [name, { html, text }] of halves) {
    if (!html || !text) {
      const present = (html ?? text) as ConfigFile;
      const missing = present.file.replace(
        /\.(html|txt)\.mustache$/,
        html ? '.txt.mustache' : '.html.mustache',
      );
      problems.push({
        file: present.file,
        message: `template '${name}' has no twin: ${missing} is missing`,
        severity: 'error',
      });
      continue;
    }
    templates.set(name, { name, html: html.text, text: text.text, htmlFile: html.file, textFile: text.file });
  }
  return { templates, problems };
}

/** Every template name referenced in settings or overrides must exist in `templates/`. */
export function checkTemplateReferences(
  references: TemplateReference[],
  templates: Map<string, SignatureTemplate>,
): ConfigProblem[] {
  const known = [...templates.keys()].sort();
  return references
    .filter((ref) => !templates.has(ref.name))
    .map((ref) => ({
      file: ref.file,
      line: ref.line,
      column: ref.column,
      key: ref.key,
      message: `unknown template '${ref.name}' (templates/${ref.name}.html.mustache not found; known: ${known.length > 0 ? known.join(', ') : 'none'})`,
      severity: 'error' as const,
    }));
}

/** The first mustache syntax error in `text`, placed at the tag that causes it. */
export function mustacheSyntaxError(text: string): { message: string; offset: number } | undefined {
  try {
    mustache.parse(text);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    const at = /^(.*) at (\d+)$/.exec(message);
    if (!at) return { message: `template syntax error: ${message}`, offset: 0 };
    const [, what = message, position = '0'] = at;
    let offset = Number(position);
    // mustache reports an unclosed section or tag at the end of the text; point at its opening instead.
    const section = /^Unclosed section "(.*)"$/.exec(what);
    if (section) {
      const opening = lastOpening(text.slice(0, offset), section[1] ?? '');
      if (opening !== undefined) offset = opening;
    } else if (what === 'Unclosed tag') {
      const opening = text.lastIndexOf('{{', offset);
      if (opening >= 0) offset = opening;
    }
    return { message: `template syntax error: ${what.charAt(0).toLowerCase()}${what.slice(1)}`, offset };
  }
}

function lastOpening(text: string, name: string): number | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let found: number | undefined;
  for (const match of text.matchAll(new RegExp(`\\{\\{\\s*[#^]\\s*${escaped}\\s*\\}\\}`, 'g')))
    found = match.index;
  return found;
}

export function offsetPosition(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
