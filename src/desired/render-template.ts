import Mustache from 'mustache';

type Escape = (value: string) => string;

/**
 * Renders a mustache template with the given escaping (HTML for signatures, none for Graph field
 * values and the text twin). mustache.js caches each parsed template, so a 50,000-row run parses
 * every template once. Partials are never given: `{{> x}}` renders empty.
 */
export function renderTemplate(source: string, view: unknown, escape: Escape): string {
  return Mustache.render(source, view, {}, { escape });
}
